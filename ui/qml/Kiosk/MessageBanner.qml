import QtQuick

// A message from the terminal (an error or a hint), shown in words and not by colour alone.
Rectangle {
    id: banner
    property string text: ""
    property bool isError: true
    property bool shown: true
    visible: shown && text.length > 0
    color: isError ? Theme.errorTint : Theme.primaryTint
    border.color: isError ? Theme.error : Theme.primary
    border.width: 3
    radius: Theme.radius
    implicitHeight: visible ? label.implicitHeight + 2 * Theme.spacing : 0

    Text {
        id: label
        objectName: "messageText"
        anchors.fill: parent
        anchors.margins: Theme.spacing
        text: banner.text
        wrapMode: Text.WordWrap
        verticalAlignment: Text.AlignVCenter
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        lineHeight: Theme.lineHeight
        color: banner.isError ? Theme.error : Theme.text
    }
}
