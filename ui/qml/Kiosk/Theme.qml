pragma Singleton
import QtQuick

// One calm government-blue palette and every size of the kiosk, in one place.
//
// Colours: every text/background pair the screens use has a contrast ratio of at least 4.5:1
// (text 14.5:1, muted 7.0:1, primary on white 8.0:1, error on its tint 5.7:1, white on the
// guidance bars 5.0:1); tests/ui/test_accessibility_audit.py measures them on the rendered
// screens.
//
// Sizes are device pixels of the 1080-wide portrait screen. `elder` (长辈版, the session's
// elder mode, set by Main.qml from the core's snapshot) switches every size at once: larger type
// with more line spacing, and touch targets of at least 60 px (at least 44 px otherwise, most
// are 96+). Screens take their sizes from here only, so the mode switch is this one flag.
QtObject {
    property bool elder: false

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
    readonly property color successTint: "#E6F4EA"
    readonly property color guidanceGood: "#1B7F3B"   // white on it: 5.1:1
    readonly property color guidanceAdjust: "#B45309" // white on it: 5.0:1
    readonly property color disabled: "#D5DCE5"
    readonly property color textOnDisabled: "#4A5566"
    readonly property color scrim: "#E00E1A2B"

    readonly property string fontFamily: Qt.application.font.family

    readonly property int fontHuge: elder ? 84 : 72
    readonly property int fontTitle: elder ? 64 : 56
    readonly property int fontHeading: elder ? 52 : 44
    readonly property int fontBody: elder ? 44 : 36
    readonly property int fontSmall: elder ? 38 : 30
    readonly property int fontCaption: elder ? 28 : 24   // step names: 4 CJK characters in 1/8 of the width
    // 适老化: line spacing of at least 1.3 in elder mode.
    readonly property real lineHeight: elder ? 1.35 : 1.15

    readonly property int touchTarget: elder ? 120 : 96
    // The smallest anything touchable may be (the audit checks it): WCAG 2.5.5 and 适老化.
    readonly property int minTouchTarget: elder ? 60 : 44
    readonly property int spacing: elder ? 28 : 24
    readonly property int margin: 40
    readonly property int radius: 16
}
