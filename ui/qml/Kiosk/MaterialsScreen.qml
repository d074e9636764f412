import QtQuick
import QtQuick.Layouts

// 材料扫描: the document camera's live picture with guidance, then the pages taken for each
// material (tap a material to scan for it; retake or delete a page), then on to the review.
ScreenPage {
    id: screen
    objectName: "screen_materials"
    readonly property var scan: kiosk.state.materials || ({})
    readonly property var items: scan.items || []
    readonly property bool good: scan.guidance === "ok" || scan.guidance === "captured"
    title: qsTr("Scan your documents")
    subtitle: qsTr("Lay each page flat under the document camera. It is taken by itself when it lies still.")
    // While the camera runs, its guidance is the prompt: the voice follows it.
    spokenPrompt: scan.guidance_text ? title + " " + scan.guidance_text : title + " " + subtitle

    GridLayout {
        id: grid
        anchors.fill: parent
        columns: screen.compact ? 2 : 1
        columnSpacing: Theme.spacing * 2
        rowSpacing: Theme.spacing

        // The live picture with its guidance line beneath it (a line over a small picture would
        // hide the page in elder mode).
        ColumnLayout {
            id: cameraColumn
            // Portrait: what the controls below leave, at most 42 % of the height; landscape:
            // the left column.
            // Sizes here must not follow the guidance line's wrapped height (which follows the
            // width chosen here): that loop would keep the layout from ever settling.
            readonly property real guidanceRoom: Theme.fontBody * Theme.lineHeight * 2 + Theme.spacing
            readonly property real controlsHeight: takeRow.implicitHeight + doneButton.implicitHeight
                                                   + Theme.touchTarget * 1.6 + Theme.spacing * 4
            readonly property real fitHeight: screen.compact
                ? grid.height - guidanceRoom
                : Math.max(Theme.touchTarget, Math.min(grid.width * 3 / 4, grid.height * 0.42,
                                                       grid.height - controlsHeight - guidanceRoom))
            Layout.alignment: Qt.AlignHCenter | Qt.AlignTop
            Layout.preferredWidth: screen.compact ? Math.min(grid.width * 0.55, fitHeight * 4 / 3) : grid.width
            spacing: Theme.spacing / 2

            Rectangle {
                id: frame
                // 4:3 like the document camera.
                Layout.preferredHeight: cameraColumn.fitHeight
                Layout.preferredWidth: Math.min(cameraColumn.width, cameraColumn.fitHeight * 4 / 3)
                Layout.alignment: Qt.AlignHCenter
                color: "#000000"
                radius: Theme.radius
                clip: true

                Image {
                    id: preview
                    objectName: "documentPreview"
                    anchors.fill: parent
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    // A new revision means a new picture; the provider always gives the newest one.
                    source: "image://doccam/" + materials.frameRevision
                }
            }
            // Guidance: green when the page is being (or was) taken, amber when it needs moving.
            Rectangle {
                id: guidanceBar
                objectName: "pageGuidance"
                Layout.fillWidth: true
                implicitHeight: guidanceText.implicitHeight + Theme.spacing / 2
                radius: Theme.radius
                color: screen.good ? Theme.guidanceGood : Theme.guidanceAdjust
                KText {
                    id: guidanceText
                    objectName: "pageGuidanceText"
                    anchors.centerIn: parent
                    width: parent.width - 2 * Theme.spacing
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                    color: "#FFFFFF"
                    font.bold: true
                    text: screen.scan.guidance_text || " "
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            RowLayout {
                id: takeRow
                Layout.fillWidth: true
                spacing: Theme.spacing
                KioskButton {
                    objectName: "takePageButton"
                    Layout.fillWidth: true
                    leftPadding: 12
                    rightPadding: 12
                    fontSize: Theme.fontSmall
                    kind: "secondary"
                    text: qsTr("Take it now")
                    onClicked: materials.capture()
                }
                // Demonstration only: lay the next sheet on the simulated document camera.
                Repeater {
                    model: screen.scan.demo_pages || []
                    delegate: KioskButton {
                        required property string modelData
                        objectName: "demoPage_" + modelData
                        Layout.fillWidth: true
                        leftPadding: 12
                        rightPadding: 12
                        kind: "secondary"
                        fontSize: Theme.fontCaption
                        text: modelData === "clean" ? qsTr("Demo: next page")
                              : modelData === "glare" ? qsTr("Demo: glare") : qsTr("Demo: blurred")
                        onClicked: materials.presentDemoPage(modelData)
                    }
                }
            }

            Flickable {
                id: flick
                objectName: "materialsFlickable"
                ScrollCue { parent: flick }
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.minimumHeight: Theme.touchTarget * 1.6
                contentHeight: list.implicitHeight
                clip: true
                boundsBehavior: Flickable.StopAtBounds

                ColumnLayout {
                    id: list
                    width: flick.width
                    spacing: Theme.spacing / 2
                    Repeater {
                        model: screen.items
                        delegate: Rectangle {
                            id: card
                            required property var modelData
                            required property int index
                            objectName: "material_" + index
                            // The material being scanned stays in view as the pages move it on.
                            readonly property bool isCurrent: !!modelData.current
                            onIsCurrentChanged: if (isCurrent) Qt.callLater(card.showInList)
                            Component.onCompleted: if (isCurrent) Qt.callLater(card.showInList)
                            function showInList() {
                                flick.contentY = Math.max(0, Math.min(card.y, flick.contentHeight - flick.height))
                            }
                            Layout.fillWidth: true
                            implicitHeight: cardColumn.implicitHeight + Theme.spacing
                            radius: Theme.radius
                            color: modelData.current ? Theme.primaryTint : Theme.surface
                            border.width: modelData.current ? 4 : 2
                            border.color: modelData.missing ? Theme.guidanceAdjust
                                          : modelData.current ? Theme.primary : Theme.divider
                            TapHandler { onTapped: materials.choose(card.index) }
                            ColumnLayout {
                                id: cardColumn
                                anchors.left: parent.left
                                anchors.right: parent.right
                                anchors.top: parent.top
                                anchors.margins: Theme.spacing / 2
                                spacing: Theme.spacing / 3
                                KText {
                                    Layout.fillWidth: true
                                    wrapMode: Text.WordWrap
                                    font.bold: true
                                    text: (card.modelData.current ? "▶ " : "") + card.modelData.name
                                }
                                KText {
                                    objectName: "materialStatus_" + card.index
                                    Layout.fillWidth: true
                                    wrapMode: Text.WordWrap
                                    font.pixelSize: Theme.fontSmall
                                    color: card.modelData.missing ? Theme.error : Theme.textMuted
                                    text: (card.modelData.required ? qsTr("Required") : qsTr("If applicable")) + " · "
                                          + qsTr("%1 of %2 pages").arg(card.modelData.pages.length)
                                                                 .arg(card.modelData.pages_expected)
                                }
                                Flow {
                                    Layout.fillWidth: true
                                    spacing: Theme.spacing / 2
                                    Repeater {
                                        model: card.modelData.pages
                                        delegate: RowLayout {
                                            id: pageItem
                                            required property string modelData
                                            required property int index
                                            spacing: 8
                                            Image {
                                                objectName: "pageThumbnail_" + card.index + "_" + pageItem.index
                                                Layout.preferredWidth: Theme.elder ? 170 : 140
                                                Layout.preferredHeight: Layout.preferredWidth * 1.414
                                                fillMode: Image.PreserveAspectFit
                                                cache: false
                                                source: "image://page/" + pageItem.modelData
                                                Rectangle {
                                                    anchors.fill: parent
                                                    color: "transparent"
                                                    border.color: Theme.divider
                                                    border.width: 2
                                                }
                                            }
                                            ColumnLayout {
                                                Layout.alignment: Qt.AlignVCenter
                                                spacing: 8
                                                KioskButton {
                                                    objectName: "retakePage_" + card.index + "_" + pageItem.index
                                                    Layout.preferredWidth: Theme.elder ? 170 : 140
                                                    implicitHeight: Theme.minTouchTarget * 1.6
                                                    kind: "secondary"
                                                    leftPadding: 8
                                                    rightPadding: 8
                                                    fontSize: Theme.fontSmall
                                                    text: qsTr("Retake")
                                                    onClicked: materials.retakePage(card.index, pageItem.index)
                                                }
                                                KioskButton {
                                                    objectName: "deletePage_" + card.index + "_" + pageItem.index
                                                    Layout.preferredWidth: Theme.elder ? 170 : 140
                                                    implicitHeight: Theme.minTouchTarget * 1.6
                                                    kind: "secondary"
                                                    leftPadding: 8
                                                    rightPadding: 8
                                                    fontSize: Theme.fontSmall
                                                    text: qsTr("Delete")
                                                    onClicked: materials.deletePage(card.index, pageItem.index)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            KioskButton {
                id: doneButton
                objectName: "materialsDoneButton"
                Layout.fillWidth: true
                text: screen.scan.can_continue ? qsTr("Continue") : qsTr("Scan the required documents first")
                enabled: !!screen.scan.can_continue
                onClicked: materials.done()
            }
        }
    }
}
