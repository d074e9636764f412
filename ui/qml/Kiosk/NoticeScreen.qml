import QtQuick
import QtQuick.Layouts

// 申报须知: what the citizen needs to know and bring before starting.
ScreenPage {
    id: screen
    objectName: "screen_notice"
    title: qsTr("Before you apply")
    spokenPrompt: title + " " + qsTr("Please read the notice and have the listed documents ready, then touch \"I have read it, continue\".")
    readonly property var notice: (kiosk.state.service && kiosk.state.service.notice) || ({})

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Flickable {
            id: flick
            objectName: "noticeFlickable"
            ScrollCue { parent: flick }
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: noticeColumn.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            ColumnLayout {
                id: noticeColumn
                width: flick.width
                spacing: Theme.spacing

                Repeater {
                    model: screen.notice.paragraphs || []
                    delegate: Text {
                        id: paragraph
                        required property string modelData
                        Layout.fillWidth: true
                        text: paragraph.modelData
                        wrapMode: Text.WordWrap
                        lineHeight: 1.3
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        color: Theme.text
                    }
                }

                Rectangle {
                    Layout.fillWidth: true
                    Layout.preferredHeight: materials.implicitHeight + 2 * Theme.margin
                    radius: Theme.radius
                    color: Theme.primaryTint
                    ColumnLayout {
                        id: materials
                        anchors.fill: parent
                        anchors.margins: Theme.margin
                        spacing: Theme.spacing / 2
                        Text {
                            text: qsTr("Please have ready")
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                            color: Theme.primary
                        }
                        Repeater {
                            model: screen.notice.materials || []
                            delegate: ColumnLayout {
                                id: material
                                required property string modelData
                                required property int index
                                readonly property var intake: (screen.notice.material_intakes || [])[index] || ({})
                                Layout.fillWidth: true
                                spacing: 2
                                Text {
                                    Layout.fillWidth: true
                                    text: "•  " + material.modelData
                                    wrapMode: Text.WordWrap
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontBody
                                    color: Theme.text
                                }
                                // How this terminal takes it: scanned here, already held by the platform, …
                                Text {
                                    objectName: "materialIntake_" + material.index
                                    Layout.fillWidth: true
                                    Layout.leftMargin: Theme.spacing * 1.5
                                    visible: !!material.intake.text
                                    text: material.intake.text || ""
                                    wrapMode: Text.WordWrap
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                    font.bold: material.intake.intake === "scan"
                                    color: material.intake.intake === "scan" ? Theme.primary : Theme.textMuted
                                }
                            }
                        }
                    }
                }

                Repeater {
                    model: [
                        { label: qsTr("Fee"), value: screen.notice.fee || "" },
                        { label: qsTr("Processing time"), value: screen.notice.processing_time || "" },
                        { label: qsTr("Collection"), value: screen.notice.collect || "" }
                    ]
                    delegate: RowLayout {
                        id: factRow
                        required property var modelData
                        visible: modelData.value.length > 0
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Text {
                            Layout.alignment: Qt.AlignTop
                            Layout.preferredWidth: 300
                            text: factRow.modelData.label
                            wrapMode: Text.WordWrap
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                            color: Theme.textMuted
                        }
                        Text {
                            Layout.fillWidth: true
                            text: factRow.modelData.value
                            wrapMode: Text.WordWrap
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            color: Theme.text
                        }
                    }
                }
            }
        }

        KioskButton {
            objectName: "acceptNoticeButton"
            Layout.fillWidth: true
            text: qsTr("I have read it, continue")
            onClicked: kiosk.acceptNotice()
        }
    }
}
