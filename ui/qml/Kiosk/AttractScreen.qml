import QtQuick
import QtQuick.Layouts

// The start: a welcome and the service catalogue as big tiles, grouped by category.
ScreenPage {
    id: screen
    objectName: "screen_attract"
    title: qsTr("Welcome to the self-service terminal")
    subtitle: qsTr("Touch a service to begin")
    readonly property var catalog: kiosk.state.catalog || ({ categories: [], services: [] })
    readonly property int columns: width > 1400 ? 3 : 2

    function servicesIn(categoryId) {
        return (catalog.services || []).filter(function (s) { return s.category === categoryId })
    }

    Flickable {
        id: flick
        objectName: "attractFlickable"
        anchors.fill: parent
        contentHeight: categoriesColumn.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        ColumnLayout {
            id: categoriesColumn
            width: flick.width
            spacing: Theme.spacing * 2

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
