import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// 提交中 / 打印中: the terminal is storing the application or printing the receipt.
ScreenPage {
    id: screen
    readonly property bool printing: kiosk.state.screen === "printing"
    objectName: printing ? "screen_printing" : "screen_submitting"
    spokenPrompt: busyTitle.text + " " + busyHint.text

    ColumnLayout {
        anchors.centerIn: parent
        width: parent.width
        spacing: Theme.spacing * 2

        BusyIndicator {
            objectName: "busyIndicator"
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: 200
            Layout.preferredHeight: 200
            running: screen.visible
            palette.dark: Theme.primary
        }
        KText {
            id: busyTitle
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: screen.printing ? qsTr("Printing your receipt…") : qsTr("Submitting your application…")
            font.pixelSize: Theme.fontTitle
            font.bold: true
        }
        KText {
            id: busyHint
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: screen.printing ? qsTr("Please take your receipt from the slot below the screen.")
                                  : qsTr("Please wait a moment and do not leave yet.")
            color: Theme.textMuted
        }
        KText {
            objectName: "busyReceiptNumber"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            visible: !!kiosk.state.receipt_number
            text: qsTr("Receipt number: %1").arg(kiosk.state.receipt_number || "")
            font.pixelSize: Theme.fontHeading
            color: Theme.primary
        }
    }
}
