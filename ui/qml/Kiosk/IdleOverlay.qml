import QtQuick
import QtQuick.Layouts

// "Are you still there?" Shown while the core counts down to wiping the session (at least
// 20 s, journey.idle_warning_s). One touch anywhere (the window-wide handler in Main.qml) keeps
// the session, as many times as needed. The warning is seen here and heard through the voice
// guidance (`spokenText`), so it reaches people who cannot see the screen, or are not looking.
//
// Normally a modal box that also swallows the touch, so it cannot press a button hidden
// underneath. In elder mode there are no pop-ups (适老化): the same warning is a band across
// the top of the screen and the screen below stays as it was.
Rectangle {
    id: overlay
    objectName: "idleOverlay"
    property var secondsLeft: null
    readonly property bool docked: Theme.elder
    readonly property string spokenText: qsTr("Are you still there?") + " "
        + qsTr("For your privacy, your application will be cleared when the countdown ends. Touch the screen to continue.")
    visible: secondsLeft !== null && secondsLeft !== undefined
    color: docked ? "transparent" : Theme.scrim

    MouseArea {
        anchors.fill: parent
        enabled: !overlay.docked
        onClicked: kiosk.touched()
    }

    Rectangle {
        objectName: "idleBox"
        anchors.centerIn: overlay.docked ? undefined : parent
        anchors.top: overlay.docked ? parent.top : undefined
        anchors.horizontalCenter: parent.horizontalCenter
        width: overlay.docked ? parent.width : Math.min(parent.width - 2 * Theme.margin, 900)
        height: box.implicitHeight + 2 * Theme.margin
        radius: overlay.docked ? 0 : Theme.radius * 2
        color: Theme.surface
        border.color: Theme.primary
        border.width: overlay.docked ? 6 : 0

        MouseArea {
            // The band itself keeps the session too (and does not pass the touch through).
            anchors.fill: parent
            onClicked: kiosk.touched()
        }

        GridLayout {
            id: box
            anchors.fill: parent
            anchors.margins: Theme.margin
            columns: overlay.docked && overlay.width > 1400 ? 3 : 1
            columnSpacing: Theme.spacing * 2
            rowSpacing: Theme.spacing
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Are you still there?")
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            KText {
                objectName: "idleSecondsText"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: Math.ceil(Number(overlay.secondsLeft || 0))
                font.pixelSize: overlay.docked ? Theme.fontHuge * 1.5 : 160
                font.bold: true
                color: Theme.primary
            }
            KText {
                Layout.fillWidth: true
                Layout.columnSpan: box.columns === 3 ? 2 : 1
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("For your privacy, your application will be cleared when the countdown ends. Touch the screen to continue.")
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
