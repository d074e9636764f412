import QtQuick
import QtQuick.Layouts

// Bottom of every screen: back, and a way to a person. Never a dead end.
Rectangle {
    id: navBar
    property var snapshot: ({})
    readonly property bool canGoBack: !!snapshot.screen && snapshot.screen !== "attract" && !snapshot.busy
    color: Theme.surface
    implicitHeight: Theme.touchTarget + 2 * Theme.spacing

    Rectangle { width: parent.width; height: 2; color: Theme.divider }

    RowLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.spacing

        KioskButton {
            objectName: "backButton"
            kind: "secondary"
            text: navBar.snapshot.screen === "done" ? qsTr("Start again")
                : navBar.snapshot.screen === "notice" ? qsTr("Cancel") : qsTr("‹ Back")
            enabled: navBar.canGoBack
            Layout.preferredWidth: 300
            onClicked: kiosk.back()
        }
        Text {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            visible: !!navBar.snapshot.staff_called
            text: qsTr("Staff are on their way")
            color: Theme.success
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            font.bold: true
            wrapMode: Text.WordWrap
        }
        Item { Layout.fillWidth: true; visible: !navBar.snapshot.staff_called }
        KioskButton {
            objectName: "callStaffButton"
            kind: "secondary"
            text: qsTr("Call staff")
            Layout.preferredWidth: 360
            onClicked: kiosk.callStaff()
        }
    }
}
