import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

// The virtual keyboard's input language.
// - It follows the UI language whenever a field gets the focus and when a session ends (Main.qml
//   calls followUi()): English UI -> English layout, Chinese UI -> Pinyin. A citizen's switch
//   lasts until the next field, never into the next session.
// - The globe key stays; it opens this pop-up (InputPanel.externalLanguageSwitchEnabled) instead
//   of Qt's built-in one, whose rows are 44 px with 19 px text: here every choice is a touch
//   target and text of the theme's sizes (elder mode's >= 60 px targets and large type).
// - Switching first drops a pending Pinyin composition: Qt's own switch commits the first
//   candidate, so typing "flat" and then switching put 法拉他 into the field.
Item {
    id: switcher
    property Item panel: null       // the InputPanel (its globe key's signal, its state)
    property Item placement: null   // where the panel is on screen (Main.qml's inputPanel item)
    property string uiLanguage: "zh-CN"
    readonly property string uiLocale: uiLanguage === "en" ? "en_US" : "zh_CN"
    readonly property alias popupOpen: popup.visible

    function followUi() {
        switchTo(uiLocale)
    }

    function switchTo(locale) {
        popup.visible = false
        if (VirtualKeyboardSettings.locale === locale)
            return
        const method = InputContext.inputEngine.inputMethod
        if (method)
            method.reset()   // discard the composition: a language switch must not type anything
        VirtualKeyboardSettings.locale = locale
    }

    onUiLocaleChanged: followUi()
    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        VirtualKeyboardSettings.locale = uiLocale
    }

    Connections {
        target: switcher.panel
        function onExternalLanguageSwitch(localeList, currentIndex) { popup.visible = !popup.visible }
        function onActiveChanged() { if (!switcher.panel.active) popup.visible = false }
    }

    MouseArea {
        // A touch anywhere else closes the pop-up, as Qt's own does.
        anchors.fill: parent
        enabled: popup.visible
        onPressed: popup.visible = false
    }

    Rectangle {
        id: popup
        objectName: "keyboardLanguagePopup"
        visible: false
        width: choices.implicitWidth + 2 * Theme.spacing
        height: choices.implicitHeight + 2 * Theme.spacing
        x: switcher.placement ? Math.max(0, switcher.placement.x + Theme.margin) : 0
        y: switcher.placement ? switcher.placement.y - height - Theme.spacing / 2 : 0
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.primary
        border.width: 3

        ColumnLayout {
            id: choices
            anchors.centerIn: parent
            spacing: Theme.spacing / 2
            Repeater {
                model: [{ code: "zh_CN", label: "中文（拼音）", name: "keyboardLanguage_zh_CN" },
                        { code: "en_US", label: "English", name: "keyboardLanguage_en_US" }]
                delegate: KioskButton {
                    required property var modelData
                    objectName: modelData.name
                    text: modelData.label
                    kind: VirtualKeyboardSettings.locale === modelData.code ? "primary" : "secondary"
                    // The field being typed into keeps the focus (and the keyboard stays open).
                    focusPolicy: Qt.NoFocus
                    Layout.fillWidth: true
                    Layout.minimumWidth: Theme.touchTarget * 3
                    Accessible.name: modelData.label
                    onClicked: switcher.switchTo(modelData.code)
                }
            }
        }
    }
}
