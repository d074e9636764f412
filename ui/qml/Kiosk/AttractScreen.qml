import QtQuick
import QtQuick.Layouts

// The start: a welcome, the elder-mode switch (长辈版) and the service catalogue as big tiles,
// grouped by category.
ScreenPage {
    id: screen
    objectName: "screen_attract"
    title: qsTr("Welcome to the self-service terminal")
    subtitle: qsTr("Touch a service to begin")
    readonly property bool elder: !!kiosk.state.elder_mode
    spokenPrompt: title + " " + subtitle + " " + elderSwitch.stateText + " " + progressErrand.Accessible.name
                  + " " + qsTr("To print a certificate, touch Print a certificate.")
    readonly property var catalog: kiosk.state.catalog || ({ categories: [], services: [] })
    readonly property int columns: width > 1400 ? 3 : 2

    function servicesIn(categoryId) {
        return (catalog.services || []).filter(function (s) { return s.category === categoryId })
    }

    // The elder mode switch: the whole band is one big target, says its state in words and
    // shows it as a switch; everything gets bigger at once (Theme.elder) for this session only.
    Rectangle {
        id: elderSwitch
        objectName: "elderModeSwitch"
        readonly property string stateText: screen.elder
            ? qsTr("Elder mode is on: large text and buttons. Touch here to switch it off.")
            : qsTr("Elder mode: large text and buttons. Touch here to switch it on.")
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        height: Math.max(Theme.touchTarget, elderRow.implicitHeight + Theme.spacing)
        radius: Theme.radius
        color: screen.elder ? Theme.primary : Theme.primaryTint
        border.color: Theme.primary
        border.width: 3
        Accessible.role: Accessible.CheckBox
        Accessible.checkable: true
        Accessible.checked: screen.elder
        Accessible.name: stateText

        RowLayout {
            id: elderRow
            anchors.fill: parent
            anchors.leftMargin: Theme.margin
            anchors.rightMargin: Theme.margin
            spacing: Theme.spacing
            KText {
                objectName: "elderModeTitle"
                text: qsTr("Elder mode")
                font.pixelSize: Theme.fontHeading
                font.bold: true
                wrapMode: Text.NoWrap
                color: screen.elder ? Theme.textOnPrimary : Theme.primary
            }
            KText {
                Layout.fillWidth: true
                text: screen.elder ? qsTr("On: large text and buttons") : qsTr("Large text and buttons")
                font.pixelSize: Theme.fontSmall
                color: screen.elder ? Theme.textOnPrimary : Theme.text
            }
            Rectangle {
                // The switch itself: a track with a knob, on the right when on.
                Layout.preferredWidth: 120
                Layout.preferredHeight: 64
                radius: 32
                color: screen.elder ? Theme.surface : Theme.border
                Rectangle {
                    width: 52; height: 52; radius: 26
                    anchors.verticalCenter: parent.verticalCenter
                    x: screen.elder ? parent.width - width - 6 : 6
                    color: screen.elder ? Theme.primary : Theme.surface
                }
            }
        }
        MouseArea {
            anchors.fill: parent
            onClicked: kiosk.setElderMode(!screen.elder)
        }
    }

    // Staff: hold this (unmarked) top-right corner for 3 s to open the maintenance PIN pad
    // (docs/operations.md). Only the attract screen has it, so maintenance never interrupts a
    // citizen; the service checks that again before it opens the pad.
    Item {
        objectName: "maintenanceCorner"
        parent: screen
        anchors.top: parent.top
        anchors.right: parent.right
        width: 160
        height: 160
        z: 10
        TapHandler {
            longPressThreshold: 3
            onLongPressed: maintenance.requestEntry()
        }
    }

    Flickable {
        id: flick
        objectName: "attractFlickable"
        ScrollCue { parent: flick }
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.top: elderSwitch.bottom
        anchors.topMargin: Theme.spacing
        contentHeight: categoriesColumn.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        ColumnLayout {
            id: categoriesColumn
            width: flick.width
            spacing: Theme.spacing * 2

            // Errands beside applying for a service: following the applications already
            // submitted, and printing a certificate; each starts by presenting the ID document.
            // In the scrolling part, above the services: on a short screen (landscape, elder
            // mode) they scroll away and leave the services the room.
            RowLayout {
                id: errandRow
                objectName: "errandRow"
                Layout.fillWidth: true
                spacing: Theme.spacing
                KioskButton {
                    id: progressErrand
                    objectName: "errand_progress"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    kind: "secondary"
                    fontSize: Theme.fontHeading
                    text: qsTr("Check progress")
                    Accessible.name: qsTr("Check the progress of your applications")
                    onClicked: kiosk.chooseErrand("progress")
                }
                KioskButton {
                    objectName: "errand_certificate"
                    kind: "secondary"
                    fontSize: Theme.fontHeading
                    text: qsTr("Print a certificate")
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Accessible.name: text
                    onClicked: kiosk.chooseErrand("certificate")
                }
            }

            Repeater {
                model: screen.catalog.categories || []
                delegate: ColumnLayout {
                    id: categoryBlock
                    required property var modelData
                    readonly property var services: screen.servicesIn(modelData.id)
                    visible: services.length > 0
                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    Text {
                        text: categoryBlock.modelData.title
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontHeading
                        font.bold: true
                        color: Theme.primary
                    }
                    GridLayout {
                        Layout.fillWidth: true
                        columns: screen.columns
                        columnSpacing: Theme.spacing
                        rowSpacing: Theme.spacing
                        Repeater {
                            model: categoryBlock.services
                            delegate: Rectangle {
                                id: tile
                                required property var modelData
                                objectName: "service_" + modelData.id
                                Layout.fillWidth: true
                                Layout.preferredWidth: 1
                                Layout.preferredHeight: Math.max(260, tileText.implicitHeight + 2 * Theme.margin)
                                radius: Theme.radius * 1.5
                                color: tapArea.pressed ? Theme.primaryTint : Theme.surface
                                border.color: Theme.primary
                                border.width: 3
                                Accessible.role: Accessible.Button
                                Accessible.name: modelData.title

                                ColumnLayout {
                                    id: tileText
                                    anchors.fill: parent
                                    anchors.margins: Theme.margin
                                    spacing: Theme.spacing / 2
                                    Text {
                                        Layout.fillWidth: true
                                        text: tile.modelData.title
                                        wrapMode: Text.WordWrap
                                        font.family: Theme.fontFamily
                                        font.pixelSize: Theme.fontHeading
                                        lineHeight: Theme.lineHeight
                                        font.bold: true
                                        color: Theme.text
                                    }
                                    Text {
                                        Layout.fillWidth: true
                                        Layout.fillHeight: true
                                        text: tile.modelData.summary || ""
                                        wrapMode: Text.WordWrap
                                        elide: Text.ElideRight
                                        font.family: Theme.fontFamily
                                        font.pixelSize: Theme.fontSmall
                                        lineHeight: Theme.lineHeight
                                        color: Theme.textMuted
                                    }
                                }
                                MouseArea {
                                    id: tapArea
                                    anchors.fill: parent
                                    onClicked: kiosk.chooseService(tile.modelData.id)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
