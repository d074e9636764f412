import QtQuick
import QtQuick.Layouts

// A document left on the reader (kiosk/core/left_document.py, snapshot.card_left):
// "take_back" on the done screen and after a session ended: 请取回您的证件 / Please take your ID
// card, until the reader reports it gone; "present_again" on the identify screen: a document
// lying there from before is not read until it is taken off and placed again.
// Both languages at once: the citizen who left the card may not read the language on screen.
// `spokenText` is the sentence in the session's language, repeated by VoiceGuide while shown.
Rectangle {
    id: reminder
    objectName: "cardReminder"
    property string state_: ""        // snapshot.card_left
    property bool demoControls: false
    // Landscape: both languages (and the demo button) side by side, so the screen below keeps
    // its height for the receipt and "Finish" even in elder mode with staff called.
    property bool wide: false

    readonly property bool takeBack: state_ === "take_back"
    readonly property string zhText: takeBack ? "请取回您的证件" : "请先取走读卡器上的证件，再重新放置"
    readonly property string enText: takeBack ? "Please take your ID card"
                                              : "Please take the document off the reader, then place it again"
    readonly property string spokenText: !visible ? "" : (kiosk.language === "en" ? enText : zhText)

    visible: state_ === "take_back" || state_ === "present_again"
    color: Theme.errorTint
    border.color: Theme.error
    border.width: 4
    implicitHeight: visible ? column.implicitHeight + 2 * Theme.spacing : 0

    GridLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        anchors.margins: Theme.spacing
        columns: reminder.wide ? 3 : 1
        rowSpacing: Theme.spacing / 2
        columnSpacing: Theme.spacing

        Repeater {
            model: [{ name: "cardReminderZh", text: reminder.zhText },
                    { name: "cardReminderEn", text: reminder.enText }]
            delegate: KText {
                required property var modelData
                objectName: modelData.name
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: modelData.text
                font.pixelSize: Theme.fontHeading
                font.bold: true
                color: Theme.error
            }
        }
        KioskButton {
            // Demo and training only: the simulated citizen takes the card off the reader.
            objectName: "demoTakeBackDocument"
            visible: reminder.demoControls
            Layout.alignment: Qt.AlignHCenter
            Layout.maximumWidth: reminder.wide ? reminder.width / 3 : -1
            kind: "secondary"
            fontSize: Theme.fontSmall
            text: qsTr("Demonstration: take the document off the reader")
            onClicked: kiosk.takeBackDemoDocument()
        }
    }
}
