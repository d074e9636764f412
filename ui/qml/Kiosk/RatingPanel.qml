import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// 好差评: five levels, best first, and optional aspects. One touch on a level rates the service
// (kiosk.rateService); the rating is queued like a submission and carries no personal data.
Rectangle {
    id: panel
    objectName: "ratingPanel"
    property var rating: kiosk.state.rating || null
    readonly property bool rated: !!(rating && rating.rated)
    property var picked: []
    property bool compact: false
    // What voice guidance says: the question, then the thanks once rated.
    readonly property string spoken: promptText.text
    visible: rating !== null
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.background
    border.color: Theme.divider
    border.width: 2

    function toggle(code) {
        kiosk.touched()
        const i = picked.indexOf(code)
        picked = i >= 0 ? picked.filter(function (c) { return c !== code }) : picked.concat([code])
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing / 2

        KText {
            id: promptText
            objectName: "ratingPrompt"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: panel.rated ? qsTr("Thank you for your rating.") : qsTr("How satisfied are you with this service?")
            font.bold: true
            color: panel.rated ? Theme.success : Theme.text
        }
        KText {
            Layout.fillWidth: true
            visible: !panel.rated && !panel.compact   // a landscape screen is short
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("Optional: touch what your rating is about, then touch a level.")
            font.pixelSize: Theme.fontCaption
            color: Theme.textMuted
        }
        Flow {
            Layout.fillWidth: true
            visible: !panel.rated
            spacing: Theme.spacing / 2
            Repeater {
                model: panel.rating ? panel.rating.reasons : []
                delegate: Button {
                    id: chip
                    required property var modelData
                    objectName: "ratingReason_" + modelData.code
                    readonly property bool on: panel.picked.indexOf(modelData.code) >= 0
                    implicitHeight: Math.round(Theme.touchTarget * 0.75)
                    // Landscape: all chips on one line, so the levels stay on screen.
                    leftPadding: panel.compact ? 16 : 24
                    rightPadding: panel.compact ? 16 : 24
                    text: modelData.label
                    contentItem: KText {
                        text: (chip.on ? "✓ " : "") + chip.text
                        font.pixelSize: panel.compact ? Theme.fontCaption : Theme.fontSmall
                        color: chip.on ? Theme.textOnPrimary : Theme.primary
                        verticalAlignment: Text.AlignVCenter
                        wrapMode: Text.NoWrap
                    }
                    background: Rectangle {
                        radius: height / 2
                        color: chip.on ? Theme.primary : Theme.surface
                        border.width: 3
                        border.color: Theme.primary
                    }
                    onClicked: panel.toggle(modelData.code)
                }
            }
        }
        GridLayout {
            Layout.fillWidth: true
            visible: !panel.rated
            // Elder mode: "Very dissatisfied" does not fit a fifth of the width in elder type; one
            // level a row on a portrait screen, three a row on a landscape one.
            columns: !Theme.elder ? 5 : panel.compact ? 3 : 1
            columnSpacing: Theme.spacing / 2
            rowSpacing: Theme.spacing / 2
            Repeater {
                model: panel.rating ? panel.rating.levels : []
                delegate: KioskButton {
                    required property var modelData
                    objectName: "ratingLevel_" + modelData.level
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    kind: "secondary"
                    leftPadding: 8
                    rightPadding: 8
                    fontSize: panel.compact ? Theme.fontCaption : Theme.fontSmall
                    text: modelData.label
                    onClicked: kiosk.rateService(modelData.level, panel.picked)
                }
            }
        }
    }
}
