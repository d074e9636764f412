import QtQuick
import QtQuick.Layouts

// 办理进度查询: the citizen's applications with their statuses and next steps, a printed slip,
// and for a case awaiting corrections (补正) the way to submit them. Everything shown comes
// from kiosk.state.progress (texts already in the session's language); offline it says that
// this needs the network and offers only "Try again" and "Finish". Opened by a receipt's QR code
// (by_receipt: no ID document presented) it shows that one case, and offers "Present ID document"
// for all of the citizen's cases and for corrections, which need the identity.
ScreenPage {
    id: screen
    objectName: "screen_progress"
    readonly property var progress: kiosk.state.progress || ({ phase: "loading", cases: [], message: "" })
    readonly property var cases: progress.cases || []
    readonly property string phase: progress.phase || "loading"
    readonly property bool byReceipt: !!progress.by_receipt
    readonly property bool failed: phase === "offline" || phase === "unavailable" || phase === "unreadable"
                                   || phase === "not_found" || phase === "throttled"
    readonly property bool canRetry: failed && phase !== "throttled"
    readonly property bool hasCases: phase === "ready" && cases.length > 0
    readonly property string needsIdentityText: qsTr("Corrections need your identity: touch \"Present ID document\" and place your ID card on the reader.")
    readonly property int buttonCount: (hasCases ? 1 : 0) + (canRetry ? 1 : 0) + (byReceipt ? 1 : 0) + 1
    title: qsTr("Progress of your applications")
    subtitle: !hasCases ? ""
              : byReceipt ? qsTr("The application of the receipt you scanned. To see all of yours, present your ID document.")
              : qsTr("Newest first. Touch \"Print progress slip\" to take the details with you.")
    message: progress.message || ""
    messageIsError: failed
    spokenPrompt: [title, subtitle].concat(cases.map(function (c) {
        return qsTr("%1, receipt number %2: %3. %4").arg(c.service).arg(c.receipt_number)
                   .arg(c.status_text).arg(c.next_step) + (c.note ? " " + c.note : "")
               + (c.needs_identity ? " " + screen.needsIdentityText : "")
    })).filter(function (t) { return t.length > 0 }).join(" ")
    // The screen's own messages (the terminal's banner is said by VoiceGuide from the snapshot):
    // looking up, none found, offline, and what became of the slip.
    spokenAlerts: [progress.message || "", progress.print_message || ""].filter(function (t) { return t.length > 0 })

    function statusColor(status) {
        if (status === "corrections_requested" || status === "rejected")
            return Theme.error
        if (status === "completed")
            return Theme.success
        return Theme.primary
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Flickable {
            id: flick
            objectName: "progressFlickable"
            ScrollCue { parent: flick }
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: casesColumn.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            // Landscape: two cases side by side, so more than one shows above the buttons.
            GridLayout {
                id: casesColumn
                width: flick.width
                columns: screen.compact ? 2 : 1
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacing

                Repeater {
                    model: screen.cases
                    delegate: Rectangle {
                        id: card
                        required property var modelData
                        required property int index
                        objectName: "case_" + index
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                        implicitHeight: cardColumn.implicitHeight + 2 * Theme.spacing
                        radius: Theme.radius * 1.5
                        color: Theme.surface
                        border.color: card.modelData.correction_requested ? Theme.error : Theme.divider
                        border.width: 3

                        ColumnLayout {
                            id: cardColumn
                            anchors.left: parent.left
                            anchors.right: parent.right
                            anchors.top: parent.top
                            anchors.margins: Theme.spacing
                            spacing: Theme.spacing / 2

                            KText {
                                Layout.fillWidth: true
                                text: card.modelData.service
                                font.pixelSize: screen.compact ? Theme.fontBody : Theme.fontHeading
                                font.bold: true
                            }
                            Rectangle {
                                // The status in words on a coloured tag (never colour alone).
                                objectName: "caseStatus_" + card.index
                                Layout.maximumWidth: cardColumn.width
                                implicitWidth: statusText.implicitWidth + 2 * Theme.spacing
                                implicitHeight: statusText.implicitHeight + Theme.spacing / 2
                                radius: Theme.radius
                                color: screen.statusColor(card.modelData.status)
                                Text {
                                    id: statusText
                                    anchors.centerIn: parent
                                    text: card.modelData.status_text
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                    font.bold: true
                                    color: Theme.textOnPrimary
                                }
                            }
                            KText {
                                Layout.fillWidth: true
                                text: qsTr("Receipt number: %1").arg(card.modelData.receipt_number)
                                font.pixelSize: Theme.fontSmall
                                color: Theme.textMuted
                            }
                            KText {
                                Layout.fillWidth: true
                                text: qsTr("Received %1 · Updated %2").arg(card.modelData.received).arg(card.modelData.updated)
                                font.pixelSize: Theme.fontSmall
                                color: Theme.textMuted
                            }
                            KText {
                                objectName: "caseNextStep_" + card.index
                                Layout.fillWidth: true
                                text: card.modelData.next_step
                            }
                            Rectangle {
                                // The case worker's note: what to correct, or why not accepted.
                                visible: !!card.modelData.note
                                Layout.fillWidth: true
                                implicitHeight: noteText.implicitHeight + Theme.spacing
                                radius: Theme.radius
                                color: card.modelData.correction_requested ? Theme.errorTint : Theme.primaryTint
                                KText {
                                    id: noteText
                                    objectName: "caseNote_" + card.index
                                    anchors.left: parent.left
                                    anchors.right: parent.right
                                    anchors.verticalCenter: parent.verticalCenter
                                    anchors.margins: Theme.spacing / 2
                                    text: (card.modelData.correction_requested ? qsTr("What to correct: %1")
                                                                               : qsTr("Note: %1")).arg(card.modelData.note || "")
                                }
                            }
                            KText {
                                objectName: "caseNeedsIdentity_" + card.index
                                visible: !!card.modelData.needs_identity
                                Layout.fillWidth: true
                                text: screen.needsIdentityText
                                font.bold: true
                            }
                            KText {
                                visible: card.modelData.correction_requested && !card.modelData.can_correct
                                         && !card.modelData.needs_identity
                                Layout.fillWidth: true
                                text: qsTr("This service cannot be corrected at this terminal. Please go to a service counter.")
                                font.pixelSize: Theme.fontSmall
                            }
                            KioskButton {
                                objectName: "submitCorrections_" + card.index
                                visible: card.modelData.can_correct
                                Layout.fillWidth: true
                                text: qsTr("Submit corrections")
                                onClicked: kiosk.submitCorrections(card.modelData.receipt_number)
                            }
                        }
                    }
                }
            }
        }

        KText {
            objectName: "printMessage"
            Layout.fillWidth: true
            visible: text.length > 0
            text: screen.progress.print_message || ""
            color: screen.progress.printing === "failed" ? Theme.error : screen.progress.printing === "printed" ? Theme.success : Theme.text
        }

        GridLayout {
            Layout.fillWidth: true
            columns: screen.compact ? screen.buttonCount : Math.min(2, screen.buttonCount)
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing
            KioskButton {
                objectName: "printSlipButton"
                visible: screen.hasCases
                enabled: screen.progress.printing !== "printing"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Print progress slip")
                onClicked: kiosk.printProgressSlip()
            }
            KioskButton {
                objectName: "retryButton"
                visible: screen.canRetry
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Try again")
                onClicked: kiosk.retryProgress()
            }
            KioskButton {
                // Back to the identify screen of this errand: the document read there finds all of
                // the citizen's cases, with "Submit corrections" where asked for.
                objectName: "presentDocumentButton"
                visible: screen.byReceipt
                kind: screen.hasCases || screen.canRetry ? "secondary" : "primary"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Present ID document")
                onClicked: kiosk.back()
            }
            KioskButton {
                objectName: "finishButton"
                kind: screen.hasCases || screen.failed ? "secondary" : "primary"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Finish")
                onClicked: kiosk.finish()
            }
        }
    }
}
