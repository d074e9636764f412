import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// 确认提交: everything that will be submitted, the citizen's consent, then submit.
ScreenPage {
    id: screen
    objectName: "screen_review"
    title: qsTr("Check your application")
    subtitle: qsTr("If something is wrong, go back and correct it.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Flickable {
            id: flick
            objectName: "reviewFlickable"
            ScrollCue { parent: flick }
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: reviewColumn.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            ColumnLayout {
                id: reviewColumn
                width: flick.width
                spacing: 0
                Repeater {
                    model: kiosk.state.review || []
                    delegate: Rectangle {
                        id: reviewRow
                        required property var modelData
                        required property int index
                        Layout.fillWidth: true
                        implicitHeight: rowLayout.implicitHeight + Theme.spacing * 1.5
                        color: index % 2 === 0 ? Theme.surface : Theme.background
                        RowLayout {
                            id: rowLayout
                            anchors.fill: parent
                            anchors.leftMargin: Theme.spacing
                            anchors.rightMargin: Theme.spacing
                            spacing: Theme.spacing
                            KText {
                                Layout.preferredWidth: reviewColumn.width * 0.38
                                Layout.alignment: Qt.AlignTop
                                text: reviewRow.modelData.label
                                color: Theme.textMuted
                            }
                            KText {
                                Layout.fillWidth: true
                                Layout.alignment: Qt.AlignTop
                                visible: !reviewRow.modelData.signature
                                text: reviewRow.modelData.value === "" ? "—" : reviewRow.modelData.value
                                font.bold: true
                            }
                            // A signature is shown small, as drawn.
                            Loader {
                                Layout.fillWidth: true
                                Layout.maximumWidth: 480
                                Layout.alignment: Qt.AlignTop | Qt.AlignLeft
                                active: !!reviewRow.modelData.signature
                                visible: active
                                sourceComponent: SignatureView {
                                    objectName: "reviewSignature"
                                    signature: reviewRow.modelData.signature
                                }
                            }
                        }
                    }
                }
                // The scanned materials, as thumbnails of their pages.
                Repeater {
                    model: kiosk.state.materials ? kiosk.state.materials.items : []
                    delegate: ColumnLayout {
                        id: materialRow
                        required property var modelData
                        required property int index
                        objectName: "reviewMaterial_" + index
                        Layout.fillWidth: true
                        Layout.topMargin: Theme.spacing / 2
                        spacing: Theme.spacing / 3
                        KText {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacing
                            wrapMode: Text.WordWrap
                            color: Theme.textMuted
                            text: materialRow.modelData.name + " · "
                                  + qsTr("%n page(s)", "", materialRow.modelData.pages.length)
                        }
                        Flow {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacing
                            spacing: Theme.spacing / 2
                            Repeater {
                                model: materialRow.modelData.pages
                                delegate: Image {
                                    required property string modelData
                                    required property int index
                                    objectName: "reviewThumbnail_" + materialRow.index + "_" + index
                                    width: Theme.elder ? 150 : 120
                                    height: width * 1.414
                                    fillMode: Image.PreserveAspectFit
                                    cache: false
                                    source: "image://page/" + modelData
                                }
                            }
                        }
                    }
                }
            }
        }

        CheckBox {
            id: consent
            objectName: "consentCheckBox"
            Layout.fillWidth: true
            implicitHeight: Math.max(Theme.touchTarget, consentLabel.implicitHeight + 24)
            text: qsTr("I confirm that the information is true and agree that it is submitted to the government service platform.")
            leftPadding: 0
            indicator: Rectangle {
                x: consent.leftPadding
                anchors.verticalCenter: parent.verticalCenter
                width: 64; height: 64; radius: 10
                color: consent.checked ? Theme.primary : Theme.surface
                border.width: 4
                border.color: consent.checked ? Theme.primary : Theme.border
                KText {
                    anchors.centerIn: parent
                    text: "✓"
                    visible: consent.checked
                    color: Theme.textOnPrimary
                    font.pixelSize: 46
                    font.bold: true
                }
            }
            contentItem: KText {
                id: consentLabel
                leftPadding: consent.indicator.width + 24
                verticalAlignment: Text.AlignVCenter
                text: consent.text
            }
            background: Item { }
        }

        KioskButton {
            objectName: "submitButton"
            Layout.fillWidth: true
            text: qsTr("Submit application")
            enabled: !kiosk.state.busy
            onClicked: kiosk.confirmSubmission(consent.checked)
        }
    }
}
