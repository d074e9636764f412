import QtQuick
import QtQuick.Layouts

// 中文 / English. The labels are each language's own name, so they are not translated.
RowLayout {
    id: languageSwitch
    spacing: 0
    Repeater {
        model: [{ code: "zh-CN", label: "中文", name: "languageZh" },
                { code: "en", label: "English", name: "languageEn" }]
        delegate: KioskButton {
            required property var modelData
            required property int index
            objectName: modelData.name
            text: modelData.label
            kind: kiosk.language === modelData.code ? "primary" : "secondary"
            fontSize: Theme.fontSmall
            implicitHeight: 80
            implicitWidth: 170
            leftPadding: 12; rightPadding: 12
            Accessible.name: modelData.label
            onClicked: kiosk.setLanguage(modelData.code)
        }
    }
}
