import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

// The on-screen keyboard, loaded by Main.qml just after the first frame (Main.qml says why);
// Main.qml's `inputPanel` item places it. The keyboard's settings are made here, once it
// exists: touched before the keyboard is created, they make it build its keys before its style
// has loaded (a burst of "Cannot read property ... of null" from Qt's own QML).
InputPanel {
    id: panel
    objectName: "keyboardPanel"
    // The globe key opens KeyboardLanguage's pop-up (loaded beside this panel by Main.qml), which
    // also keeps the input language following the UI language.
    externalLanguageSwitchEnabled: true

    // 长辈版: larger keys, key labels and candidates. The style is drawn at its design width
    // and scaled to the panel; a narrower design width scales everything up (and the panel
    // grows taller; Main.qml's placement follows its height). The candidate bar gets a full
    // touch target.
    readonly property var keyboardStyle: keyboard ? keyboard.style : null
    property real keyboardDesignWidth: 0    // the style's own, read once
    onKeyboardStyleChanged: if (keyboardStyle && keyboardDesignWidth === 0)
                                keyboardDesignWidth = keyboardStyle.keyboardDesignWidth
    Binding {
        target: panel.keyboardStyle
        when: panel.keyboardStyle !== null && panel.keyboardDesignWidth > 0 && Theme.elder
        property: "keyboardDesignWidth"
        value: panel.keyboardDesignWidth / 1.3
    }
    Binding {
        target: panel.keyboardStyle
        when: panel.keyboardStyle !== null && Theme.elder
        property: "selectionListHeight"
        value: Theme.touchTarget * 0.6 + 8   // 80 px: a target of at least 60 with its margins
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = kiosk.language === "en" ? "en_US" : "zh_CN"
        VirtualKeyboardSettings.fullScreenMode = false
    }
}
