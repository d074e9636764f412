import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

// The on-screen keyboard, loaded by Main.qml just after the first frame (Main.qml says why);
// Main.qml's `inputPanel` item places it. The keyboard's settings are made here, once it
// exists: touched before the keyboard is created, they make it build its keys before its style
// has loaded (a burst of "Cannot read property ... of null" from Qt's own QML).
InputPanel {
    objectName: "keyboardPanel"
    // The globe key opens KeyboardLanguage's pop-up (loaded beside this panel by Main.qml), which
    // also keeps the input language following the UI language.
    externalLanguageSwitchEnabled: true

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = kiosk.language === "en" ? "en_US" : "zh_CN"
        VirtualKeyboardSettings.fullScreenMode = false
    }
}
