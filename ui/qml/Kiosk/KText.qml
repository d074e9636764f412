import QtQuick

// Text of the kiosk: the CJK font, plain text only (texts from the core are never parsed as
// HTML), wrapped rather than clipped.
Text {
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    color: Theme.text
    textFormat: Text.PlainText
    wrapMode: Text.WordWrap
}
