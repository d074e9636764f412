import QtQuick
import QtQuick.Layouts

// 填写表单: the form's fields, most of them already filled from the document.
ScreenPage {
    id: screen
    objectName: "screen_form"
    readonly property var form: kiosk.state.form || ({ title: "", fields: [] })
    title: form.title || qsTr("Fill in the form")
    headingScrolls: true
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
    onFormChanged: {
        refreshFieldIds()
        if (showFirstProblemPending)
            Qt.callLater(showFirstProblem)
    }

    // After a picker's OK: on to the next question (the keyboard only if it is typed).
    function focusAfter(block) {
        for (let j = 0; j < fieldRepeater.count - 1; ++j)
            if (fieldRepeater.itemAt(j) === block) {
                focusBlock(fieldRepeater.itemAt(j + 1))
                return
            }
    }
    function focusBlock(block) {
        if (block.takesTyping) {
            block.input.forceActiveFocus()
        } else {
            block.forceActiveFocus()   // off any text field: the keyboard closes
            focusedInput = null
            focusedBlock = block
            showBlock(block, null)
        }
    }

    // "Next" with problems: the form goes to the first question with a problem and puts the
    // finger there (the keyboard only for a typed answer). Every problem is marked beneath its
    // question; VoiceGuide says the first.
    property bool showFirstProblemPending: false
    function showFirstProblem() {
        // Any snapshot may come first (a device status, the clock): wait for the one that
        // shows the problems.
        const fields = form.fields || []
        if (!showFirstProblemPending || !fields.some(function (f) { return !!f.error }))
            return
        showFirstProblemPending = false
        for (let i = 0; i < fields.length; ++i) {
            if (!fields[i].error)
                continue
            for (let j = 0; j < fieldRepeater.count; ++j) {
                const block = fieldRepeater.itemAt(j)
                if (!block || block.fieldId !== fields[i].id)
                    continue
                focusBlock(block)
                return
            }
        }
    }
    Component.onCompleted: refreshFieldIds()

    property Item focusedInput: null
    property Item focusedBlock: null
    // Scrolls so the whole question being answered is in view: its label, its input, its hint
    // and its error. Taller than the view (elder mode, landscape, keyboard up): the input and
    // as much as fits above it. A choice being answered (no input of its own) is shown again
    // too when the view changes: it may have been placed while the closing keyboard still
    // shortened the view, its top cut off.
    function ensureFocusedVisible() {
        if (!focusedBlock)
            return
        if (focusedInput ? focusedInput.activeFocus : focusedBlock.activeFocus)
            showBlock(focusedBlock, focusedInput)
    }
    function showBlock(block, input) {
        const pad = Theme.spacing
        const b = block.mapToItem(flick.contentItem, 0, 0, block.width, block.height)
        let top = b.y - pad
        let bottom = b.y + b.height + pad
        if (bottom - top > flick.height && input) {
            const i = input.mapToItem(flick.contentItem, 0, 0, input.width, input.height)
            top = Math.min(top + (bottom - top - flick.height), i.y - pad)
            bottom = top + flick.height
        }
        let y = flick.contentY
        if (top < y)
            y = top
        else if (bottom > y + flick.height)
            y = bottom - flick.height
        flick.contentY = Math.max(0, Math.min(y, flick.contentHeight - flick.height))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Flickable {
            id: flick
            objectName: "formFlickable"
            ScrollCue { parent: flick }
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

                // The heading scrolls with the questions (ScreenPage.headingScrolls).
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: screen.compact ? Theme.spacing / 2 : Theme.spacing
                    KText {
                        objectName: "formTitle"
                        Layout.fillWidth: true
                        text: screen.title
                        font.pixelSize: screen.compact ? Theme.fontHeading : Theme.fontTitle
                        font.bold: true
                    }
                    KText {
                        Layout.fillWidth: true
                        text: screen.subtitle
                        font.pixelSize: screen.compact ? Theme.fontSmall : Theme.fontBody
                        color: Theme.textMuted
                    }
                    MessageBanner {
                        objectName: "formMessage"
                        Layout.fillWidth: true
                        text: screen.message
                        isError: screen.messageIsError
                    }
                }
                Repeater {
                    id: fieldRepeater
                    model: screen.fieldIds
                    delegate: FormField {
                        id: fieldDelegate
                        required property string modelData
                        Layout.fillWidth: true
                        field: screen.fieldById(modelData)
                        onInputFocused: function (item) {
                            screen.focusedInput = item
                            screen.focusedBlock = fieldDelegate
                            Qt.callLater(screen.ensureFocusedVisible)
                        }
                        onAnswered: screen.focusAfter(fieldDelegate)
                        // An error appearing or going away changes the question's height.
                        onHeightChanged: if (screen.focusedBlock === fieldDelegate) Qt.callLater(screen.ensureFocusedVisible)
                    }
                }
            }
        }

        KioskButton {
            objectName: "completeFormButton"
            Layout.fillWidth: true
            // A landscape screen with the keyboard up has room for one question and little
            // more: the button waits below the keyboard until it closes.
            visible: !(screen.typing && screen.compact)
            text: qsTr("Next: check your application")
            onClicked: {
                // Take the focus off the field being edited so its last answer is sent first.
                forceActiveFocus()
                screen.showFirstProblemPending = true
                kiosk.completeForm()
            }
        }
    }
}
