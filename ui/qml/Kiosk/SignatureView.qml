import QtQuick

// A signature drawn small from its strokes ({w, h, strokes}), for the review screen.
Rectangle {
    id: view
    property var signature: null
    implicitWidth: 420
    // Keep the pad's proportions whatever width the layout gives.
    implicitHeight: signature && signature.w ? Math.round(width * signature.h / signature.w) : 120
    color: Theme.surface
    border.color: Theme.divider
    border.width: 2
    radius: Theme.radius / 2
    onSignatureChanged: canvas.requestPaint()
    onWidthChanged: canvas.requestPaint()
    Canvas {
        id: canvas
        anchors.fill: parent
        onPaint: {
            const ctx = getContext("2d")
            ctx.clearRect(0, 0, width, height)
            const sig = view.signature
            if (!sig || !sig.strokes || !sig.w)
                return
            const k = width / sig.w
            ctx.strokeStyle = Theme.text
            ctx.lineWidth = 3
            ctx.lineCap = "round"
            ctx.lineJoin = "round"
            for (let s = 0; s < sig.strokes.length; ++s) {
                const p = sig.strokes[s]
                ctx.beginPath()
                ctx.moveTo(p[0] * k, p[1] * k)
                if (p.length === 2)
                    ctx.lineTo(p[0] * k + 0.5, p[1] * k + 0.5)
                for (let i = 2; i + 1 < p.length; i += 2)
                    ctx.lineTo(p[i] * k, p[i + 1] * k)
                ctx.stroke()
            }
        }
    }
}
