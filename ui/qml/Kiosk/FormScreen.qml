import QtQuick
import QtQuick.Layouts

// 填写表单: the form's fields, most of them already filled from the document.
ScreenPage {
    id: screen
    objectName: "screen_form"
    readonly property var form: kiosk.state.form || ({ title: "", fields: [] })
    title: form.title || qsTr("Fill in the form")
    subtitle: qsTr("Check the answers filled in from your document and complete the rest.")

    // Delegates are keyed by the list of field ids, not by the snapshot itself: a new snapshot
    // arrives after every answer, and recreating the fields would take the focus (and the
    // keyboard) away from the citizen in the middle of typing.
    property var fieldIds: []
    function fieldById(id) {
        const fields = form.fields || []
        for (let i = 0; i < fields.length; ++i)
            if (fields[i].id === id)
                return fields[i]
        return ({ id: id })
    }
    function refreshFieldIds() {
        const ids = (form.fields || []).map(function (f) { return f.id })
        if (ids.join("\n") !== fieldIds.join("\n"))
            fieldIds = ids
    }
    onFormChanged: refreshFieldIds()
    Component.onCompleted: refreshFieldIds()

    property Item focusedInput: null
    function ensureFocusedVisible() {
        if (!focusedInput || !focusedInput.activeFocus)
            return
        const r = focusedInput.mapToItem(flick.contentItem, 0, 0, focusedInput.width, focusedInput.height)
        const margin = Theme.margin + 80   // room for the label above and the error below
        if (r.y + r.height + margin > flick.contentY + flick.height)
            flick.contentY = Math.min(r.y + r.height + margin - flick.height,
                                      Math.max(0, flick.contentHeight - flick.height))
        else if (r.y - margin < flick.contentY)
            flick.contentY = Math.max(0, r.y - margin)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Flickable {
            id: flick
            objectName: "formFlickable"
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: fieldsColumn.implicitHeight + Theme.margin
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            // The keyboard shrinks this view; keep the field being typed into above it.
            onHeightChanged: Qt.callLater(screen.ensureFocusedVisible)

            ColumnLayout {
                id: fieldsColumn
                width: flick.width
                spacing: Theme.spacing * 2
                Repeater {
                    model: screen.fieldIds
                    delegate: FormField {
                        required property string modelData
                        Layout.fillWidth: true
                        field: screen.fieldById(modelData)
                        onInputFocused: function (item) {
                            screen.focusedInput = item
                            Qt.callLater(screen.ensureFocusedVisible)
                        }
                    }
                }
            }
        }

        KioskButton {
            objectName: "completeFormButton"
            Layout.fillWidth: true
            text: qsTr("Next: check your application")
            onClicked: {
                // Take the focus off the field being edited so its last answer is sent first.
                forceActiveFocus()
                kiosk.completeForm()
            }
        }
    }
}
