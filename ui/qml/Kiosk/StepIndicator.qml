import QtQuick

// The eight steps of a journey, the current one highlighted and named in words.
Item {
    id: indicator
    property int step: 1
    property int stepCount: 8
    // The errand the citizen came for (snapshot.errand): progress and certificates have steps of their own.
    property string errand: "apply"
    readonly property var labels: errand === "progress"
        ? [qsTr("Choose service"), qsTr("Verify identity"), qsTr("Check progress")]
        : errand === "certificate"
        ? [qsTr("Choose service"), qsTr("Verify identity"), qsTr("Take photo"), qsTr("Print certificate")]
        : [qsTr("Choose service"), qsTr("Read notice"), qsTr("Verify identity"), qsTr("Take photo"),
           qsTr("Fill in form"), qsTr("Confirm"), qsTr("Print receipt"), qsTr("Done")]
    implicitHeight: row.implicitHeight

    Row {
        id: row
        width: parent.width
        Repeater {
            model: indicator.stepCount
            delegate: Item {
                id: stepItem
                required property int index
                readonly property bool current: index + 1 === indicator.step
                readonly property bool passed: index + 1 < indicator.step
                width: row.width / indicator.stepCount
                height: dot.height + 8 + label.height

                Rectangle {
                    // The line joining this step to the previous one.
                    visible: stepItem.index > 0
                    height: 4
                    color: stepItem.passed || stepItem.current ? Theme.primary : Theme.divider
                    anchors.verticalCenter: dot.verticalCenter
                    anchors.right: dot.left
                    width: (row.width / indicator.stepCount - dot.width)
                }
                Rectangle {
                    id: dot
                    width: Theme.elder ? 60 : 52; height: width; radius: width / 2
                    anchors.horizontalCenter: parent.horizontalCenter
                    color: stepItem.current || stepItem.passed ? Theme.primary : Theme.surface
                    border.width: 3
                    border.color: stepItem.current || stepItem.passed ? Theme.primary : Theme.border
                    Text {
                        anchors.centerIn: parent
                        text: stepItem.passed ? "✓" : String(stepItem.index + 1)
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.elder ? 30 : 26
                        font.bold: true
                        color: stepItem.current || stepItem.passed ? Theme.textOnPrimary : Theme.text
                    }
                }
                Text {
                    id: label
                    anchors.top: dot.bottom
                    anchors.topMargin: 8
                    width: parent.width - 4
                    anchors.horizontalCenter: parent.horizontalCenter
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                    maximumLineCount: 2
                    text: indicator.labels[stepItem.index] || ""
                    font.family: Theme.fontFamily
                    // Four CJK characters must fit on one line, even in elder mode in landscape.
                    font.pixelSize: Math.min(Theme.fontCaption, Math.floor(width / 4.1))
                    font.bold: stepItem.current
                    color: stepItem.current ? Theme.primary : Theme.textMuted
                }
            }
        }
    }
}
