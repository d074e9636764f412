import QtQuick

// Text of the kiosk: the CJK font, plain text only (texts from the core are never parsed as
// HTML), wrapped rather than clipped, with the theme's line spacing (1.35 in elder mode).
Text {
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    color: Theme.text
    textFormat: Text.PlainText
    wrapMode: Text.WordWrap
    lineHeight: Theme.lineHeight
}
