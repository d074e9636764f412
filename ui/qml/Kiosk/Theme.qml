pragma Singleton
import QtQuick

// One calm government-blue palette. Every text/background pair used by the screens has a
// contrast ratio of at least 4.5:1 (measured: text 14.5:1, muted 7.0:1, primary on white 8.0:1,
// error on its tint 5.7:1). Sizes are in device pixels of the 1080-wide portrait screen; touch
// targets are never below 60 px (most are 96+).
QtObject {
    readonly property color primary: "#0B4F9C"
    readonly property color primaryDark: "#083D7A"
    readonly property color primaryTint: "#E8F0FA"
    readonly property color textOnPrimary: "#FFFFFF"
    readonly property color background: "#F4F7FB"
    readonly property color surface: "#FFFFFF"
    readonly property color text: "#1A2433"
    readonly property color textMuted: "#4A5566"
    readonly property color border: "#5B6B80"
    readonly property color divider: "#C9D3E0"
    readonly property color error: "#B3261E"
    readonly property color errorTint: "#FDECEA"
    readonly property color success: "#1E6B34"
    readonly property color disabled: "#D5DCE5"
    readonly property color textOnDisabled: "#4A5566"
    readonly property color scrim: "#E00E1A2B"

    readonly property string fontFamily: Qt.application.font.family

    readonly property int fontHuge: 72
    readonly property int fontTitle: 56
    readonly property int fontHeading: 44
    readonly property int fontBody: 36
    readonly property int fontSmall: 30
    readonly property int fontCaption: 24

    readonly property int touchTarget: 96
    readonly property int minTouchTarget: 60
    readonly property int spacing: 24
    readonly property int margin: 40
    readonly property int radius: 16
}
