import QtQuick
import QtQuick.Layouts

// "Are you still there?" Shown while the core counts down to wiping the session. Any touch
// (the window-wide handler in Main.qml) keeps the session; the overlay also swallows that
// touch so it cannot press a button hidden underneath.
Rectangle {
    id: overlay
    objectName: "idleOverlay"
    property var secondsLeft: null
    visible: secondsLeft !== null && secondsLeft !== undefined
    color: Theme.scrim

    MouseArea {
        anchors.fill: parent
        onClicked: kiosk.touched()
    }

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 900)
        height: box.implicitHeight + 2 * Theme.margin
        radius: Theme.radius * 2
        color: Theme.surface

        ColumnLayout {
            id: box
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.spacing * 1.5
            Text {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                text: qsTr("Are you still there?")
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                color: Theme.text
            }
            Text {
                objectName: "idleSecondsText"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: Math.ceil(Number(overlay.secondsLeft || 0))
                font.family: Theme.fontFamily
                font.pixelSize: 160
                font.bold: true
                color: Theme.primary
            }
            Text {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                text: qsTr("For your privacy, your application will be cleared when the countdown ends. Touch the screen to continue.")
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                color: Theme.text
            }
            KioskButton {
                objectName: "idleContinueButton"
                Layout.alignment: Qt.AlignHCenter
                Layout.preferredWidth: 480
                text: qsTr("Continue")
                onClicked: kiosk.touched()
            }
        }
    }
}
