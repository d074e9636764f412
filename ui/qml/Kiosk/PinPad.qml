import QtQuick
import QtQuick.Layouts

// A big on-screen pad for staff: digits for a PIN (shown as dots), or digits and A-F for an
// enrollment token (shown as typed, grouped by dashes every six characters). No keyboard needed.
ColumnLayout {
    id: pad
    property bool hexadecimal: false
    property int maxLength: hexadecimal ? 24 : 12
    property int minLength: hexadecimal ? 24 : 6
    property string value: ""
    property string okText: qsTr("OK")
    property bool enabledKeys: true
    signal submitted(string value)

    function display() {
        if (!hexadecimal)
            return "●".repeat(value.length)
        var groups = value.match(/.{1,6}/g) || []
        return groups.join("-")
    }
    function press(key) {
        if (key === "del")
            value = value.slice(0, -1)
        else if (key === "ok") {
            if (value.length >= minLength) {
                var typed = hexadecimal ? display() : value
                value = ""
                submitted(typed)
            }
        } else if (value.length < maxLength)
            value += key
    }

    spacing: Theme.spacing

    Rectangle {
        Layout.fillWidth: true
        Layout.preferredHeight: 110
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        border.width: 2
        KText {
            objectName: "pinDisplay"
            anchors.centerIn: parent
            text: pad.display()
            font.pixelSize: pad.hexadecimal ? Theme.fontBody : Theme.fontTitle
            font.letterSpacing: pad.hexadecimal ? 2 : 12
        }
    }

    GridLayout {
        Layout.fillWidth: true
        columns: pad.hexadecimal ? 4 : 3
        rowSpacing: Theme.spacing / 2
        columnSpacing: Theme.spacing / 2
        Repeater {
            model: pad.hexadecimal
                   ? ["1", "2", "3", "A", "4", "5", "6", "B", "7", "8", "9", "C", "0", "D", "E", "F", "del", "ok"]
                   : ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
            delegate: KioskButton {
                required property string modelData
                required property int index
                objectName: "pinKey_" + modelData
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.preferredHeight: Theme.touchTarget * 1.2
                Layout.columnSpan: pad.hexadecimal && modelData === "ok" ? 3 : 1
                enabled: pad.enabledKeys && (modelData !== "ok" || pad.value.length >= pad.minLength)
                kind: modelData === "ok" ? "primary" : "secondary"
                fontSize: Theme.fontHeading
                text: modelData === "del" ? "⌫" : modelData === "ok" ? pad.okText : modelData
                Accessible.name: modelData === "del" ? qsTr("Delete") : text
                onClicked: pad.press(modelData)
            }
        }
    }
}
