import QtQuick

// Says that a scrolling area goes on below the fold: a fade over its last lines and a "More
// below" tab. It takes no touches: a tap on what shows through it reaches that, and a swipe
// scrolls as anywhere else. Put it in the Flickable with
// `parent: <the flickable>` so it stays over the view, not the content. Hidden while the
// keyboard is up: the question being typed into must not be covered.
Item {
    id: cue
    property Flickable flickable: parent
    readonly property bool more: flickable !== null
                                 && flickable.contentHeight - flickable.contentY - flickable.height > 2
    objectName: "scrollCue"
    visible: more && !Qt.inputMethod.visible
    z: 10
    anchors.left: parent.left
    anchors.right: parent.right
    anchors.bottom: parent.bottom
    height: tab.height + Theme.spacing

    Rectangle {
        anchors.fill: parent
        gradient: Gradient {
            GradientStop { position: 0.0; color: "#00F4F7FB" }
            GradientStop { position: 0.6; color: Theme.background }
        }
    }
    Rectangle {
        id: tab
        objectName: "scrollCueTab"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        width: label.implicitWidth + 2 * Theme.spacing
        height: label.implicitHeight + Theme.spacing / 2
        radius: height / 2
        color: Theme.surface
        border.color: Theme.primary
        border.width: 3
        KText {
            id: label
            anchors.centerIn: parent
            text: "▼ " + qsTr("More below")
            font.pixelSize: Theme.fontSmall
            font.bold: true
            color: Theme.primary
            wrapMode: Text.NoWrap
        }
    }
}
