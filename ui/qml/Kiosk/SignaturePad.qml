import QtQuick
import QtQuick.Layouts

// 签名: the citizen signs with a finger. Each stroke is a flat list of whole pixel coordinates
// [x0, y0, x1, y1, ...]; when a stroke ends, {w, h, strokes} goes to the core, which keeps it
// with the answers (sealed with the submission, wiped with the session). "Undo" drops the last
// stroke, "Clear" starts again. A value from the core (after "back") is drawn again, scaled.
ColumnLayout {
    id: pad
    property string fieldId: ""
    property var value: null            // {w, h, strokes} from the core, or null
    property bool hasError: false
    property var strokes: []
    property var current: null
    spacing: Theme.spacing / 2

    function send() {
        kiosk.setFieldValue(pad.fieldId, { w: Math.round(area.width), h: Math.round(area.height), strokes: pad.strokes })
    }
    function adopt() {
        // Take the core's strokes unless the citizen is in the middle of one.
        if (pad.current !== null)
            return
        pad.strokes = pad.value && pad.value.strokes ? pad.value.strokes.map(function (s) { return s.slice() }) : []
        canvas.requestPaint()
    }
    onValueChanged: adopt()
    Component.onCompleted: adopt()

    Rectangle {
        id: area
        objectName: "signaturePad_" + pad.fieldId
        Layout.fillWidth: true
        Layout.preferredHeight: Math.round(Math.min(Math.max(width * 0.35, 280), 420))
        radius: Theme.radius
        color: Theme.surface
        border.width: 3
        border.color: pad.hasError ? Theme.error : Theme.border

        KText {
            anchors.centerIn: parent
            visible: pad.strokes.length === 0 && pad.current === null
            text: qsTr("Sign here with your finger")
            color: Theme.textMuted
        }
        // The line to sign on.
        Rectangle {
            x: Theme.margin
            width: parent.width - 2 * Theme.margin
            y: parent.height * 0.75
            height: 2
            color: Theme.divider
        }
        Canvas {
            id: canvas
            anchors.fill: parent
            onWidthChanged: requestPaint()
            onPaint: {
                const ctx = getContext("2d")
                ctx.clearRect(0, 0, width, height)
                ctx.strokeStyle = Theme.text
                ctx.lineWidth = 6
                ctx.lineCap = "round"
                ctx.lineJoin = "round"
                // Strokes recorded on a pad of another size (the other orientation) are scaled.
                const scale = pad.value && pad.value.w ? width / pad.value.w : 1
                const all = pad.current === null ? pad.strokes : pad.strokes.concat([pad.current])
                for (let s = 0; s < all.length; ++s) {
                    const p = all[s]
                    const k = s < pad.strokes.length ? scale : 1
                    ctx.beginPath()
                    ctx.moveTo(p[0] * k, p[1] * k)
                    if (p.length === 2)
                        ctx.lineTo(p[0] * k + 0.5, p[1] * k + 0.5)   // a dot
                    for (let i = 2; i + 1 < p.length; i += 2)
                        ctx.lineTo(p[i] * k, p[i + 1] * k)
                    ctx.stroke()
                }
            }
        }
        MouseArea {
            anchors.fill: parent
            // A finger moving inside the pad signs; it must not scroll the form around it.
            preventStealing: true
            function at(mouse) {
                return [Math.round(Math.max(0, Math.min(width, mouse.x))), Math.round(Math.max(0, Math.min(height, mouse.y)))]
            }
            onPressed: function (mouse) {
                kiosk.touched()
                // Signing ends typing elsewhere: that answer is sent and the keyboard closes.
                area.forceActiveFocus()
                Qt.inputMethod.hide()
                pad.current = at(mouse)
                canvas.requestPaint()
            }
            onPositionChanged: function (mouse) {
                if (pad.current === null)
                    return
                const p = at(mouse)
                const n = pad.current.length
                // Skip sub-pixel jitter: it only makes the value bigger.
                if (Math.abs(p[0] - pad.current[n - 2]) + Math.abs(p[1] - pad.current[n - 1]) < 3)
                    return
                pad.current = pad.current.concat(p)
                canvas.requestPaint()
            }
            onReleased: function (mouse) {
                if (pad.current === null)
                    return
                pad.strokes = pad.strokes.concat([pad.current])
                pad.current = null
                pad.send()
            }
            onCanceled: {
                pad.current = null
                canvas.requestPaint()
            }
        }
    }
    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing
        KioskButton {
            objectName: "signatureUndo_" + pad.fieldId
            Layout.fillWidth: true
            kind: "secondary"
            text: qsTr("Undo last stroke")
            enabled: pad.strokes.length > 0
            onClicked: {
                pad.strokes = pad.strokes.slice(0, -1)
                pad.send()
                canvas.requestPaint()
            }
        }
        KioskButton {
            objectName: "signatureClear_" + pad.fieldId
            Layout.fillWidth: true
            kind: "secondary"
            text: qsTr("Clear and sign again")
            enabled: pad.strokes.length > 0
            onClicked: {
                pad.strokes = []
                pad.send()
                canvas.requestPaint()
            }
        }
    }
}
