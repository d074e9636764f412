import QtQuick
import QtQuick.Shapes

// Darkens everything outside a face-shaped oval so the citizen knows where to put their face.
Shape {
    id: guide
    property real ovalWidth: width * 0.52
    property real ovalHeight: height * 0.78
    readonly property real cx: width / 2
    readonly property real cy: height / 2

    ShapePath {
        fillColor: "#99000000"
        fillRule: ShapePath.OddEvenFill
        strokeWidth: -1
        startX: 0; startY: 0
        PathLine { x: guide.width; y: 0 }
        PathLine { x: guide.width; y: guide.height }
        PathLine { x: 0; y: guide.height }
        PathLine { x: 0; y: 0 }
        PathMove { x: guide.cx - guide.ovalWidth / 2; y: guide.cy }
        PathArc { x: guide.cx + guide.ovalWidth / 2; y: guide.cy; radiusX: guide.ovalWidth / 2; radiusY: guide.ovalHeight / 2 }
        PathArc { x: guide.cx - guide.ovalWidth / 2; y: guide.cy; radiusX: guide.ovalWidth / 2; radiusY: guide.ovalHeight / 2 }
    }
    ShapePath {
        fillColor: "transparent"
        strokeColor: "#FFFFFF"
        strokeWidth: 6
        dashPattern: [4, 3]
        strokeStyle: ShapePath.DashLine
        startX: guide.cx - guide.ovalWidth / 2; startY: guide.cy
        PathArc { x: guide.cx + guide.ovalWidth / 2; y: guide.cy; radiusX: guide.ovalWidth / 2; radiusY: guide.ovalHeight / 2 }
        PathArc { x: guide.cx - guide.ovalWidth / 2; y: guide.cy; radiusX: guide.ovalWidth / 2; radiusY: guide.ovalHeight / 2 }
    }
}
