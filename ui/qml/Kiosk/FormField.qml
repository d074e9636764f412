import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// One question of the form, drawn by its type. The field view comes from the core (label,
// hint, value, error, choices, keyboard already in the current language); answers go back to
// the core with kiosk.setFieldValue, which validates them.
ColumnLayout {
    id: fieldItem
    property var field: ({})
    readonly property string fieldId: field.id || ""
    readonly property string fieldType: field.type || "text"
    readonly property bool isTextual: ["text", "phone", "id_number", "number", "date"].indexOf(fieldType) >= 0
    readonly property string shownValue: field.value === null || field.value === undefined ? "" : String(field.value)
    readonly property Item input: fieldType === "address" && addressLoader.item ? addressLoader.item.input : textInput
    // Answered on the keyboard (the street line of an address too), unless locked to the document.
    readonly property bool takesTyping: (isTextual || fieldType === "address") && !field.readonly
    signal inputFocused(Item item)
    // The date picker's OK: the citizen is done with this question.
    signal answered()

    objectName: "fieldBlock_" + fieldId
    spacing: Theme.spacing / 2

    Flow {
        id: labelFlow
        Layout.fillWidth: true
        spacing: Theme.spacing / 2
        visible: fieldItem.fieldType !== "checkbox"
        KText {
            width: Math.min(implicitWidth, labelFlow.width)
            text: fieldItem.field.label || ""
            font.bold: true
        }
        Rectangle {
            visible: !!fieldItem.field.required
            radius: 8
            color: Theme.errorTint
            width: requiredText.implicitWidth + 24
            height: requiredText.implicitHeight + 8
            KText {
                id: requiredText
                anchors.centerIn: parent
                text: qsTr("Required")
                font.pixelSize: Theme.fontCaption
                color: Theme.error
                wrapMode: Text.NoWrap
            }
        }
    }

    RowLayout {
        Layout.fillWidth: true
        visible: fieldItem.isTextual
        spacing: Theme.spacing / 2
    TextField {
        id: textInput
        objectName: fieldItem.isTextual ? "field_" + fieldItem.fieldId : ""
        visible: fieldItem.isTextual
        Layout.fillWidth: true
        implicitHeight: Theme.touchTarget
        // A value locked to the identity document is shown, not edited (the core refuses it).
        readOnly: !!fieldItem.field.readonly
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        color: Theme.text
        placeholderText: fieldItem.fieldType === "date" ? qsTr("YYYY-MM-DD") : ""
        placeholderTextColor: Theme.textMuted
        leftPadding: 24
        rightPadding: 24
        // Every answer is the citizen's (names, addresses, numbers, employer): ImhSensitiveData
        // keeps the Pinyin user dictionary closed, so nothing typed is learned and suggested
        // to the next citizen (ui/keyboard_dictionary.py); ImhNoPredictiveText for any engine
        // that predicts instead.
        readonly property int privateHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
        inputMethodHints: privateHints | typeHints
        readonly property int typeHints: {
            switch (fieldItem.fieldType) {
            case "phone": return Qt.ImhDialableCharactersOnly | Qt.ImhNoPredictiveText
            // The numeric pad; the check character X has its own key beside the field.
            case "id_number": return Qt.ImhDigitsOnly | Qt.ImhNoPredictiveText
            // The digits pad: no calculator keys (÷ × √) a citizen could take for something else.
            // A date is typed as 8 digits and written YYYY-MM-DD on leaving the field.
            case "number": return Qt.ImhDigitsOnly | Qt.ImhNoPredictiveText
            case "date": return Qt.ImhDigitsOnly | Qt.ImhNoPredictiveText
            }
            switch (fieldItem.field.keyboard) {
            case "digits": return Qt.ImhDigitsOnly | Qt.ImhNoPredictiveText
            case "latin": return Qt.ImhLatinOnly | Qt.ImhNoPredictiveText
            }
            return Qt.ImhNone
        }
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.width: textInput.activeFocus ? 5 : 3
            border.color: fieldItem.field.error ? Theme.error
                        : textInput.activeFocus ? Theme.primary : Theme.border
        }

        function normalised(raw) {
            // Touch users often type a date as 8 digits; write it the way the form expects.
            if (fieldItem.fieldType === "date" && /^\d{8}$/.test(raw))
                return raw.slice(0, 4) + "-" + raw.slice(4, 6) + "-" + raw.slice(6)
            return raw
        }
        function send() {
            const value = normalised(text)
            if (value !== text)
                text = value
            if (value !== fieldItem.shownValue)
                kiosk.setFieldValue(fieldItem.fieldId, value)
        }

        // Only what the citizen typed is sent back, never a value the field merely displays.
        property bool edited: false
        Component.onCompleted: text = fieldItem.shownValue
        onTextEdited: {
            edited = true
            send()
        }
        onEditingFinished: if (edited) send()
        onActiveFocusChanged: {
            if (activeFocus) {
                edited = false
                // The input language follows the UI language (KeyboardLanguage.qml), not the field.
                fieldItem.inputFocused(textInput)
            } else {
                text = fieldItem.shownValue
            }
        }
        Connections {
            target: fieldItem
            // While the citizen is typing, the core's echo must not move the cursor or undo
            // keys typed since; the value is shown again once the field loses focus.
            function onShownValueChanged() {
                if (!textInput.activeFocus)
                    textInput.text = fieldItem.shownValue
            }
        }
    }
    // The ID number's last character may be X, which the numeric pad has not got.
    KioskButton {
        objectName: "idNumberXKey_" + fieldItem.fieldId
        visible: fieldItem.fieldType === "id_number" && !fieldItem.field.readonly
        Layout.preferredWidth: Theme.touchTarget
        implicitWidth: Theme.touchTarget
        leftPadding: 0
        rightPadding: 0
        kind: "secondary"
        focusPolicy: Qt.NoFocus
        text: "X"
        onClicked: {
            textInput.forceActiveFocus()
            textInput.insert(textInput.cursorPosition, "X")
            textInput.edited = true
            textInput.send()
        }
    }
    KioskButton {
        objectName: "datePickerButton_" + fieldItem.fieldId
        visible: fieldItem.fieldType === "date" && !fieldItem.field.readonly
        kind: "secondary"
        focusPolicy: Qt.NoFocus
        fontSize: Theme.fontSmall
        text: qsTr("Choose date")
        onClicked: {
            kiosk.touched()
            // Off any text field first: closing the picker hands the focus back to what had it,
            // and that must not bring the keyboard up on another question.
            fieldItem.forceActiveFocus()
            dateLoader.item.openAt(fieldItem.shownValue)
        }
    }
    }
    Loader {
        id: dateLoader
        active: fieldItem.fieldType === "date"
        sourceComponent: DatePicker {
            onPicked: function (isoDate) {
                textInput.text = isoDate
                kiosk.setFieldValue(fieldItem.fieldId, isoDate)
                fieldItem.answered()
            }
        }
    }

    Loader {
        id: addressLoader
        Layout.fillWidth: true
        active: fieldItem.fieldType === "address"
        visible: active
        sourceComponent: AddressPicker {
            fieldId: fieldItem.fieldId
            value: fieldItem.field.value || null
            hasError: !!fieldItem.field.error
            onInputFocused: function (item) { fieldItem.inputFocused(item) }
        }
    }

    Loader {
        Layout.fillWidth: true
        active: fieldItem.fieldType === "signature"
        visible: active
        sourceComponent: SignaturePad {
            fieldId: fieldItem.fieldId
            value: fieldItem.field.value || null
            hasError: !!fieldItem.field.error
        }
    }

    ColumnLayout {
        visible: fieldItem.fieldType === "choice"
        Layout.fillWidth: true
        spacing: Theme.spacing / 2
        Repeater {
            model: fieldItem.fieldType === "choice" ? (fieldItem.field.choices || []) : []
            delegate: RadioButton {
                id: radio
                required property var modelData
                objectName: "field_" + fieldItem.fieldId + "_" + modelData.value
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                checked: fieldItem.shownValue === String(modelData.value)
                text: modelData.label
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                onClicked: kiosk.setFieldValue(fieldItem.fieldId, radio.modelData.value)
                indicator: Rectangle {
                    x: radio.leftPadding
                    anchors.verticalCenter: parent.verticalCenter
                    width: 56; height: 56; radius: 28
                    color: Theme.surface
                    border.width: 4
                    border.color: radio.checked ? Theme.primary : Theme.border
                    Rectangle {
                        anchors.centerIn: parent
                        width: 28; height: 28; radius: 14
                        color: Theme.primary
                        visible: radio.checked
                    }
                }
                contentItem: KText {
                    leftPadding: radio.indicator.width + 24
                    verticalAlignment: Text.AlignVCenter
                    text: radio.text
                }
                background: Rectangle {
                    radius: Theme.radius
                    color: radio.checked ? Theme.primaryTint : Theme.surface
                    border.width: radio.checked ? 3 : fieldItem.field.error ? 3 : 2
                    border.color: radio.checked ? Theme.primary : fieldItem.field.error ? Theme.error : Theme.divider
                }
                leftPadding: 24
            }
        }
    }

    CheckBox {
        id: checkBox
        objectName: fieldItem.fieldType === "checkbox" ? "field_" + fieldItem.fieldId : ""
        visible: fieldItem.fieldType === "checkbox"
        Layout.fillWidth: true
        implicitHeight: Math.max(Theme.touchTarget, checkLabel.implicitHeight + 24)
        checked: fieldItem.field.value === true || fieldItem.field.value === "true"
        text: (fieldItem.field.label || "") + (fieldItem.field.required ? "  (" + qsTr("Required") + ")" : "")
        onClicked: kiosk.setFieldValue(fieldItem.fieldId, checkBox.checked)
        leftPadding: 24
        indicator: Rectangle {
            x: checkBox.leftPadding
            anchors.verticalCenter: parent.verticalCenter
            width: 60; height: 60; radius: 10
            color: checkBox.checked ? Theme.primary : Theme.surface
            border.width: 4
            border.color: checkBox.checked ? Theme.primary : fieldItem.field.error ? Theme.error : Theme.border
            KText {
                anchors.centerIn: parent
                text: "✓"
                visible: checkBox.checked
                color: Theme.textOnPrimary
                font.pixelSize: 44
                font.bold: true
            }
        }
        contentItem: KText {
            id: checkLabel
            leftPadding: checkBox.indicator.width + 24
            verticalAlignment: Text.AlignVCenter
            text: checkBox.text
            font.bold: true
        }
        background: Item { }
    }

    KText {
        Layout.fillWidth: true
        visible: text.length > 0 && !fieldItem.field.error
        text: fieldItem.field.hint || ""
        font.pixelSize: Theme.fontSmall
        color: Theme.textMuted
    }
    KText {
        objectName: "fieldError_" + fieldItem.fieldId
        Layout.fillWidth: true
        visible: text.length > 0
        // A mark and words, not colour alone.
        text: fieldItem.field.error ? "⚠ " + fieldItem.field.error : ""
        font.pixelSize: Theme.fontSmall
        font.bold: true
        color: Theme.error
    }
}
