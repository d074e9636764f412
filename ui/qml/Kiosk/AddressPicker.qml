import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// An address: province -> city -> county picked from GB/T 2260 (kiosk.divisionChildren), then a
// free-text street line typed with the on-screen keyboard. Sends {code, detail} to the core, which
// checks the code against the same table and keeps the names.
ColumnLayout {
    id: picker
    property string fieldId: ""
    property var value: null            // {code, names, detail} from the core, or null
    property bool hasError: false
    readonly property Item input: detailInput
    readonly property string code: value ? (value.code || "") : ""
    readonly property var names: value ? (value.names || []) : []
    signal inputFocused(Item item)
    spacing: Theme.spacing / 2

    function send(newCode, detail) {
        kiosk.setFieldValue(picker.fieldId, { code: newCode, detail: detail })
    }

    Button {
        id: chooseButton
        objectName: "addressChoose_" + picker.fieldId
        Layout.fillWidth: true
        implicitHeight: Math.max(Theme.touchTarget, chooseText.implicitHeight + 32)
        leftPadding: 24
        rightPadding: 24
        contentItem: RowLayout {
            spacing: Theme.spacing
            KText {
                id: chooseText
                Layout.fillWidth: true
                text: picker.names.length > 0 ? picker.names.join(" / ") : qsTr("Choose province, city and county")
                color: picker.names.length > 0 ? Theme.text : Theme.textMuted
                font.bold: picker.names.length > 0
            }
            KText {
                text: qsTr("Change")
                visible: picker.names.length > 0
                color: Theme.primary
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
        }
        background: Rectangle {
            radius: Theme.radius
            color: chooseButton.down ? Theme.primaryTint : Theme.surface
            border.width: 3
            border.color: picker.hasError ? Theme.error : Theme.border
        }
        onClicked: {
            kiosk.touched()
            dialog.startAt(picker.code, picker.names)
        }
    }

    TextField {
        id: detailInput
        objectName: "field_" + picker.fieldId + "_detail"
        Layout.fillWidth: true
        implicitHeight: Theme.touchTarget
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        color: Theme.text
        placeholderText: qsTr("Street, building and room number")
        placeholderTextColor: Theme.textMuted
        leftPadding: 24
        rightPadding: 24
        // The citizen's address: never learned by the keyboard (ui/keyboard_dictionary.py).
        inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.width: detailInput.activeFocus ? 5 : 3
            border.color: picker.hasError ? Theme.error : detailInput.activeFocus ? Theme.primary : Theme.border
        }
        readonly property string shown: picker.value ? (picker.value.detail || "") : ""
        Component.onCompleted: text = shown
        onShownChanged: if (!activeFocus) text = shown
        onTextEdited: picker.send(picker.code, text)
        onActiveFocusChanged: {
            if (activeFocus)
                picker.inputFocused(detailInput)
            else
                text = shown
        }
    }

    // The cascade, full width: where the citizen is (tap to go back up) and the choices below it.
    Popup {
        id: dialog
        parent: Overlay.overlay
        modal: true
        focus: true
        anchors.centerIn: parent
        width: parent ? parent.width - 2 * Theme.margin : 1000
        height: parent ? parent.height - 2 * Theme.margin : 1600
        padding: Theme.margin
        closePolicy: Popup.CloseOnEscape
        background: Rectangle { radius: Theme.radius * 1.5; color: Theme.surface; border.color: Theme.border; border.width: 3 }
        Overlay.modal: Rectangle { color: "#99000000" }

        // The idle warning sits below popups: step aside so the citizen sees it and can stay.
        readonly property bool idleWarning: kiosk.state.idle_seconds_left !== null
                                           && kiosk.state.idle_seconds_left !== undefined
        onIdleWarningChanged: if (idleWarning) close()

        property var trail: []          // [{code, name}] chosen so far
        property var choices: []
        function load() {
            const parentCode = trail.length > 0 ? trail[trail.length - 1].code : ""
            choices = kiosk.divisionChildren(parentCode)
            grid.positionViewAtBeginning()
        }
        function startAt(code, names) {
            // Reopen where the citizen stopped: the levels above the chosen division.
            const t = []
            let parentCode = ""
            for (let i = 0; i < names.length; ++i) {
                const level = kiosk.divisionChildren(parentCode)
                const hit = level.find(function (d) { return d.name === names[i] })
                if (!hit || hit.leaf)
                    break
                t.push({ code: hit.code, name: hit.name })
                parentCode = hit.code
            }
            trail = t
            load()
            open()
        }
        function choose(entry) {
            kiosk.touched()
            if (entry.leaf) {
                picker.send(entry.code, detailInput.text)
                close()
                return
            }
            trail = trail.concat([{ code: entry.code, name: entry.name }])
            load()
        }
        function upTo(depth) {
            trail = trail.slice(0, depth)
            load()
        }

        contentItem: ColumnLayout {
            objectName: "addressDialog"
            spacing: Theme.spacing
            KText {
                Layout.fillWidth: true
                text: dialog.trail.length === 0 ? qsTr("Choose the province")
                    : dialog.trail.length === 1 ? qsTr("Choose the city")
                    : qsTr("Choose the county or district")
                font.pixelSize: Theme.fontHeading
                font.bold: true
            }
            Flow {
                Layout.fillWidth: true
                visible: dialog.trail.length > 0
                spacing: Theme.spacing / 2
                KioskButton {
                    objectName: "addressTrail_all"
                    kind: "secondary"
                    fontSize: Theme.fontSmall
                    text: qsTr("All provinces")
                    visible: dialog.trail.length > 0
                    onClicked: dialog.upTo(0)
                }
                Repeater {
                    model: dialog.trail
                    delegate: KioskButton {
                        required property var modelData
                        required property int index
                        objectName: "addressTrail_" + index
                        kind: "secondary"
                        fontSize: Theme.fontSmall
                        text: modelData.name
                        onClicked: dialog.upTo(index + 1)
                    }
                }
            }
            GridView {
                id: grid
                objectName: "addressGrid"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                boundsBehavior: Flickable.StopAtBounds
                readonly property int columns: width > 1600 ? 6 : width > 900 ? 3 : 2
                cellWidth: Math.floor(width / columns)
                cellHeight: Theme.touchTarget + Theme.spacing
                model: dialog.choices
                delegate: Item {
                    required property var modelData
                    width: grid.cellWidth
                    height: grid.cellHeight
                    KioskButton {
                        objectName: "division_" + parent.modelData.code
                        anchors.fill: parent
                        anchors.margins: Theme.spacing / 4
                        kind: "secondary"
                        leftPadding: 12
                        rightPadding: 12
                        fontSize: parent.modelData.name.length > 7 ? Theme.fontCaption : Theme.fontSmall
                        text: parent.modelData.name
                        onClicked: dialog.choose(parent.modelData)
                    }
                }
            }
            KioskButton {
                objectName: "addressDialogClose"
                Layout.fillWidth: true
                kind: "secondary"
                text: qsTr("Close")
                onClicked: dialog.close()
            }
        }
    }
}
