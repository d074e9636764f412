import QtQuick
import QtQuick.Layouts

// Top of every screen: who we are, the language switch, and where the citizen is in the journey.
Rectangle {
    id: header
    property var snapshot: ({})
    color: Theme.surface
    implicitHeight: column.implicitHeight + 2 * Theme.spacing

    // Landscape screens are short: the step indicator then shares the row with the title.
    readonly property bool compact: width > 1500

    GridLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        columns: header.compact ? 4 : 3
        columnSpacing: Theme.spacing
        rowSpacing: Theme.spacing

        Rectangle {
            // A plain emblem-like mark; no official emblem is reproduced.
            Layout.preferredWidth: 72; Layout.preferredHeight: 72
            radius: 36
            color: Theme.primary
            Text {
                anchors.centerIn: parent
                text: "政"
                color: Theme.textOnPrimary
                font.family: Theme.fontFamily
                font.pixelSize: 40
                font.bold: true
            }
        }
        KText {
            objectName: "headerTitle"
            Layout.fillWidth: !header.compact
            // Landscape: narrow enough to leave the steps room for their names in elder type.
            Layout.preferredWidth: header.compact ? 380 : -1
            text: header.snapshot.service ? header.snapshot.service.title : qsTr("Government Services Self-Service")
            font.pixelSize: header.compact ? Theme.fontSmall : Theme.fontHeading
            font.bold: true
            // Long English titles take a second line rather than losing their end; in landscape
            // a title that needs a third shrinks to two (never below the caption size).
            wrapMode: Text.WordWrap
            maximumLineCount: 2
            elide: Text.ElideRight
            Layout.preferredHeight: header.compact ? Math.ceil(2 * font.pixelSize * 1.25 * lineHeight) : -1
            fontSizeMode: header.compact ? Text.VerticalFit : Text.FixedSize
            minimumPixelSize: Theme.fontCaption
        }
        StepIndicator {
            objectName: "stepIndicator"
            Layout.fillWidth: true
            Layout.columnSpan: header.compact ? 1 : 3
            Layout.row: header.compact ? 0 : 1
            Layout.column: header.compact ? 2 : 0
            step: header.snapshot.step || 1
            stepCount: header.snapshot.step_count || 8
            errand: header.snapshot.errand || "apply"
        }
        LanguageSwitch {
            Layout.row: 0
            Layout.column: header.compact ? 3 : 2
        }
    }

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width; height: 2
        color: Theme.divider
    }
}
