import QtQuick
import QtQuick.Layouts

// Bottom of every screen: back, the voice controls, and a way to a person. Never a dead end.
// Once staff have been called, a green band above the buttons says so in words (and the voice
// says it too), until the session ends.
Rectangle {
    id: navBar
    property var snapshot: ({})
    readonly property bool canGoBack: !!snapshot.screen && snapshot.screen !== "attract" && !snapshot.busy
    readonly property bool staffCalled: !!snapshot.staff_called
    readonly property bool muted: !!snapshot.voice_muted
    // Without a working voice the repeat and voice buttons are not shown: they would do nothing.
    property bool voiceAvailable: false
    readonly property string staffConfirmation: staffCalled
        ? qsTr("Staff have been called and are on their way. Please stay here.") : ""
    signal repeatRequested()
    // Landscape: the confirmation sits in the row of buttons rather than above it.
    readonly property bool wide: width > 1500

    color: Theme.surface
    implicitHeight: column.implicitHeight + 2 * Theme.spacing

    Rectangle { width: parent.width; height: 2; color: Theme.divider }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.spacing

        Rectangle {
            objectName: "staffCalledBanner"
            visible: navBar.staffCalled && !navBar.wide
            Layout.fillWidth: true
            implicitHeight: staffText.implicitHeight + Theme.spacing
            radius: Theme.radius
            color: Theme.successTint
            border.color: Theme.success
            border.width: 3
            KText {
                id: staffText
                objectName: "staffCalledText"
                anchors.fill: parent
                anchors.margins: Theme.spacing / 2
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                text: "✓ " + navBar.staffConfirmation
                color: Theme.success
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
        }

        RowLayout {
            id: buttonRow
            Layout.fillWidth: true
            spacing: Theme.spacing
            // Widths in shares of the row (back 4, [repeat 3, voice 3,] [staff called 6,] call 4),
            // set outright so long labels wrap inside their share instead of taking another's.
            readonly property bool banner: navBar.staffCalled && navBar.wide
            readonly property int shares: 8 + (navBar.voiceAvailable ? 6 : 0) + (banner ? 6 : 0)
            readonly property int gaps: 1 + (navBar.voiceAvailable ? 2 : 0) + (banner ? 1 : 0)
            readonly property real share: (column.width - spacing * gaps) / shares

            KioskButton {
                objectName: "backButton"
                kind: "secondary"
                text: navBar.snapshot.screen === "done" ? qsTr("Start again")
                    : navBar.snapshot.screen === "notice" ? qsTr("Cancel") : qsTr("‹ Back")
                enabled: navBar.canGoBack
                fontSize: Theme.fontSmall
                leftPadding: 12; rightPadding: 12
                Layout.preferredWidth: buttonRow.share * 4
                onClicked: kiosk.back()
            }
            KioskButton {
                objectName: "repeatButton"
                kind: "secondary"
                text: qsTr("Repeat")
                Accessible.name: qsTr("Say it again")
                visible: navBar.voiceAvailable
                enabled: !navBar.muted
                fontSize: Theme.fontSmall
                leftPadding: 12; rightPadding: 12
                Layout.preferredWidth: buttonRow.share * 3
                onClicked: navBar.repeatRequested()
            }
            KioskButton {
                objectName: "voiceButton"
                kind: "secondary"
                visible: navBar.voiceAvailable
                // Says what the tap does, not what the voice is doing now.
                text: navBar.muted ? qsTr("Turn voice on") : qsTr("Turn voice off")
                fontSize: Theme.fontSmall
                leftPadding: 12; rightPadding: 12
                Layout.preferredWidth: buttonRow.share * 3
                onClicked: kiosk.setVoiceMuted(!navBar.muted)
            }
            Rectangle {
                objectName: "staffCalledBanner"
                visible: navBar.staffCalled && navBar.wide
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: buttonRow.share * 6
                // The whole sentence, however many lines it takes: the row grows with it.
                implicitHeight: staffWideText.implicitHeight + Theme.spacing
                radius: Theme.radius
                color: Theme.successTint
                border.color: Theme.success
                border.width: 3
                KText {
                    id: staffWideText
                    objectName: "staffCalledText"
                    anchors.fill: parent
                    anchors.margins: Theme.spacing / 2
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                    text: "✓ " + navBar.staffConfirmation
                    color: Theme.success
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
            KioskButton {
                objectName: "callStaffButton"
                kind: "secondary"
                text: qsTr("Call staff")
                fontSize: Theme.fontSmall
                leftPadding: 12; rightPadding: 12
                Layout.preferredWidth: buttonRow.share * 4
                onClicked: kiosk.callStaff()
            }
        }
    }
}
