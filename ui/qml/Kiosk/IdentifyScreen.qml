import QtQuick
import QtQuick.Layouts

// 身份核验: place the ID card or passport on the reader. The core keeps reading while this
// screen is shown; in demo mode, buttons put one of the simulated reader's documents on it.
ScreenPage {
    id: screen
    objectName: "screen_identify"
    title: qsTr("Place your ID card on the reader")
    subtitle: qsTr("Resident ID card: lay it flat on the reader below the screen. Passport: open it at the photo page and place it face down.")

    GridLayout {
        id: grid
        anchors.fill: parent
        columns: screen.width > screen.height * 1.6 ? 2 : 1
        columnSpacing: Theme.spacing * 2
        rowSpacing: Theme.spacing * 2

        Item {
            // An animated picture of a card being laid on the reader; it shrinks to fit.
            id: animationArea
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 240
            Layout.maximumHeight: 520
            Layout.preferredWidth: grid.columns === 2 ? grid.width * 0.4 : grid.width

            Item {
                id: stage
                width: 560; height: 520
                anchors.centerIn: parent
                scale: Math.min(1, animationArea.height / height, animationArea.width / width)

                Rectangle {
                    id: reader
                    width: 560; height: 120
                    radius: 24
                    color: Theme.primaryDark
                    anchors.horizontalCenter: parent.horizontalCenter
                    anchors.bottom: parent.bottom
                    anchors.bottomMargin: 40
                    KText {
                        anchors.centerIn: parent
                        text: qsTr("Reader")
                        color: Theme.textOnPrimary
                        font.pixelSize: Theme.fontSmall
                    }
                }
                Rectangle {
                    id: card
                    width: 400; height: 252
                    radius: 20
                    color: Theme.primaryTint
                    border.color: Theme.primary
                    border.width: 4
                    x: (stage.width - width) / 2
                    y: 0
                    Rectangle {
                        x: 28; y: 40; width: 110; height: 140; radius: 8
                        color: Theme.divider
                    }
                    Column {
                        x: 170; y: 50; spacing: 22
                        Repeater {
                            model: 4
                            Rectangle {
                                required property int index
                                width: 180 - index * 20; height: 14; radius: 7; color: Theme.border
                            }
                        }
                    }
                    SequentialAnimation on y {
                        loops: Animation.Infinite
                        running: screen.visible
                        PauseAnimation { duration: 400 }
                        NumberAnimation {
                            from: 0; to: reader.y - card.height + 40
                            duration: 1400; easing.type: Easing.InOutQuad
                        }
                        PauseAnimation { duration: 1200 }
                    }
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.preferredWidth: grid.columns === 2 ? grid.width * 0.6 : grid.width
            Layout.alignment: Qt.AlignTop
            spacing: Theme.spacing * 2

            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Keep the document still until the next screen appears.")
                color: Theme.textMuted
            }

            ColumnLayout {
                objectName: "demoControls"
                visible: !!kiosk.state.demo_controls
                Layout.fillWidth: true
                spacing: Theme.spacing
                Rectangle { Layout.fillWidth: true; Layout.preferredHeight: 2; color: Theme.divider }
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Demonstration: choose a sample document to place on the simulated reader")
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Repeater {
                        model: kiosk.state.demo_documents || []
                        delegate: KioskButton {
                            id: demoButton
                            required property var modelData
                            objectName: "demoDocument_" + modelData.key
                            kind: "secondary"
                            text: modelData.label
                            onClicked: kiosk.presentDemoDocument(demoButton.modelData.key)
                        }
                    }
                }
            }
        }
    }
}
