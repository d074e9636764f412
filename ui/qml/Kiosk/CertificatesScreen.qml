import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// 证明打印: the certificates the platform issued to the citizen (what each certifies, who issued
// it, when), the first page of the one chosen, and "Print" to the A4 printer. The core decides
// the phase (kiosk/core/certificates.py) and says it in words (`text`, also spoken).
ScreenPage {
    id: screen
    objectName: "screen_certificates"
    readonly property var view: kiosk.state.certificates || ({ phase: "checking", text: "", items: [] })
    readonly property string phase: view.phase || "checking"
    readonly property bool waiting: ["checking", "loading", "fetching", "printing"].indexOf(phase) >= 0
    readonly property bool trouble: ["offline", "failed", "not_verified", "print_failed"].indexOf(phase) >= 0
    readonly property var chosen: view.selected || null
    title: qsTr("Print a certificate")
    subtitle: trouble ? "" : (view.text || "")
    message: trouble ? (view.text || "") : (kiosk.state.message || "")
    spokenPrompt: title + " " + (view.text || "")
                  + (phase === "list" ? " " + qsTr("Certificates available: %1").arg((view.items || []).length) : "")

    // Portrait: what is shown above the buttons. Landscape: the page gets the whole height and
    // the buttons stand in a column beside it.
    GridLayout {
        anchors.fill: parent
        columns: screen.compact ? 2 : 1
        columnSpacing: Theme.spacing * 2
        rowSpacing: Theme.spacing

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            // Waiting for the identity check, the platform or the printer.
            ColumnLayout {
                objectName: "certificatesWaiting"
                visible: screen.waiting
                Layout.fillWidth: true
                Layout.fillHeight: true
                BusyIndicator {
                    Layout.alignment: Qt.AlignHCenter
                    Layout.preferredWidth: Theme.touchTarget * 1.5
                    Layout.preferredHeight: Theme.touchTarget * 1.5
                    running: screen.waiting
                }
                Item { Layout.fillHeight: true }
            }

            // The list: one big tile per certificate.
            Flickable {
                id: listFlick
                objectName: "certificatesList"
                ScrollCue { parent: listFlick }
                visible: screen.phase === "list"
                Layout.fillWidth: true
                Layout.fillHeight: true
                contentHeight: listColumn.implicitHeight
                clip: true
                boundsBehavior: Flickable.StopAtBounds
                ColumnLayout {
                    id: listColumn
                    width: listFlick.width
                    spacing: Theme.spacing
                    Repeater {
                        model: screen.view.items || []
                        delegate: Rectangle {
                            id: tile
                            required property var modelData
                            objectName: "certificate_" + modelData.id
                            Layout.fillWidth: true
                            Layout.preferredHeight: tileColumn.implicitHeight + 2 * Theme.margin
                            radius: Theme.radius * 1.5
                            color: tileTap.pressed ? Theme.primaryTint : Theme.surface
                            border.color: Theme.primary
                            border.width: 3
                            Accessible.role: Accessible.Button
                            Accessible.name: modelData.title + " " + modelData.issuer + " " + modelData.issued
                            ColumnLayout {
                                id: tileColumn
                                anchors.left: parent.left
                                anchors.right: parent.right
                                anchors.verticalCenter: parent.verticalCenter
                                anchors.margins: Theme.margin
                                spacing: Theme.spacing / 3
                                KText {
                                    Layout.fillWidth: true
                                    text: tile.modelData.title
                                    font.pixelSize: Theme.fontHeading
                                    font.bold: true
                                }
                                KText {
                                    Layout.fillWidth: true
                                    visible: !!tile.modelData.issuer
                                    text: qsTr("Issued by %1").arg(tile.modelData.issuer)
                                    font.pixelSize: Theme.fontSmall
                                    color: Theme.textMuted
                                }
                                KText {
                                    Layout.fillWidth: true
                                    text: qsTr("Issued on %1").arg(tile.modelData.issued)
                                          + (tile.modelData.receipt_number
                                             ? "  ·  " + qsTr("Case %1").arg(tile.modelData.receipt_number) : "")
                                    font.pixelSize: Theme.fontSmall
                                    color: Theme.textMuted
                                }
                            }
                            MouseArea {
                                id: tileTap
                                anchors.fill: parent
                                onClicked: certificatePrint.choose(tile.modelData.id)
                            }
                        }
                    }
                }
            }

            // The preview: the first page as it will print.
            ColumnLayout {
                objectName: "certificatePreview"
                visible: ["preview", "printed", "print_failed"].indexOf(screen.phase) >= 0 && !!screen.chosen
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: Theme.spacing / 2
                KText {
                    Layout.fillWidth: true
                    text: screen.chosen ? screen.chosen.title : ""
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                }
                Rectangle {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    color: Theme.divider
                    radius: Theme.radius
                    Image {
                        id: page
                        objectName: "certificatePageImage"
                        anchors.fill: parent
                        anchors.margins: Theme.spacing / 2
                        fillMode: Image.PreserveAspectFit
                        asynchronous: true   // rendered on Qt's image thread, never the GUI thread
                        cache: false
                        sourceSize.height: 1400
                        source: (screen.view.preview_revision || 0) > 0
                                ? "image://certificate/" + screen.view.preview_revision : ""
                        Accessible.role: Accessible.Graphic
                        Accessible.name: qsTr("First page of the certificate")
                    }
                }
            }

            // Nothing above to fill the screen (none, offline, not verified): the buttons stay at
            // the bottom, where they are on every other screen.
            Item {
                visible: !screen.waiting && screen.phase !== "list" && !screen.chosen
                Layout.fillHeight: true
            }

        }

        // What the citizen can do now.
        GridLayout {
            Layout.fillWidth: !screen.compact
            Layout.preferredWidth: screen.compact ? screen.width * 0.3 : -1
            Layout.alignment: Qt.AlignBottom
            columns: screen.compact ? 1 : 4
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing
            KioskButton {
                objectName: "certificateBackToListButton"
                kind: "secondary"
                visible: ["preview", "printed", "print_failed"].indexOf(screen.phase) >= 0
                text: screen.phase === "printed" ? qsTr("Another certificate") : qsTr("Back to the list")
                Layout.fillWidth: true
                onClicked: certificatePrint.backToList()
            }
            KioskButton {
                objectName: "certificateRetryButton"
                kind: "secondary"
                visible: screen.phase === "offline" || screen.phase === "failed"
                text: qsTr("Try again")
                Layout.fillWidth: true
                onClicked: certificatePrint.retry()
            }
            KioskButton {
                objectName: "certificateStaffButton"
                kind: "staff"
                visible: screen.phase === "not_verified" || screen.phase === "failed"
                text: qsTr("Call staff")
                Layout.fillWidth: true
                onClicked: kiosk.callStaff()
            }
            KioskButton {
                objectName: "printCertificateButton"
                visible: screen.phase === "preview" || screen.phase === "print_failed"
                text: screen.phase === "print_failed" ? qsTr("Print again") : qsTr("Print")
                Layout.fillWidth: true
                onClicked: certificatePrint.printChosen()
            }
            KioskButton {
                objectName: "certificatesFinishButton"
                visible: !screen.waiting && screen.phase !== "preview"
                kind: screen.phase === "printed" ? "primary" : "secondary"
                text: qsTr("Finish")
                Layout.fillWidth: true
                onClicked: kiosk.finish()
            }
        }
    }
}
