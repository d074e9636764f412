import QtQuick
import QtQuick.Layouts

// Maintenance: the outbox and the link to the platform, "sync now", and the catalog.
ColumnLayout {
    id: page
    objectName: "maintenanceSync"
    readonly property var queue: maintenance.view.queue || ({})
    spacing: Theme.spacing

    // What staff do about a pause, by the code kiosk/sync_pause.py gives the platform's refusal.
    function pauseAction(code) {
        switch (code) {
        case "revoked": return qsTr("The platform operators revoked this terminal: call them.")
        case "clock": return qsTr("Set the terminal clock right, then sync now.")
        case "enroll": return qsTr("Enroll the terminal with a token from the platform operators.")
        case "rekey": return qsTr("The platform does not know this terminal's key: ask the platform operators for a token bound to this terminal and re-key it (kioskctl rekey --token).")
        default: return qsTr("Check the clock, then sync now; if the platform refuses again, call the platform operators.")
        }
    }

    GridLayout {
        Layout.fillWidth: true
        columns: 2
        columnSpacing: Theme.spacing
        rowSpacing: Theme.spacing / 2
        KText { text: qsTr("Applications waiting to be sent") }
        KText { objectName: "queueQueued"; text: String(page.queue.queued || 0); font.bold: true }
        KText { text: qsTr("Being sent") }
        KText { text: String(page.queue.sending || 0); font.bold: true }
        KText { text: qsTr("Applications delivered") }
        KText { objectName: "queueAcked"; text: String(page.queue.acked || 0); font.bold: true }
        KText { text: qsTr("Quarantined") }
        KText { text: String(page.queue.quarantined || 0); font.bold: true; color: page.queue.quarantined ? Theme.error : Theme.text }
        // 好差评 ratings go through the same queue but are not applications: counted apart.
        KText { text: qsTr("Ratings waiting / delivered") }
        KText {
            objectName: "queueRatings"
            text: (page.queue.ratings_waiting || 0) + " / " + (page.queue.ratings_sent || 0)
            font.bold: true
        }
        KText { text: qsTr("Oldest unsent") }
        KText { text: page.queue.oldest_unsent || qsTr("none"); font.bold: true }
    }
    KText {
        objectName: "syncPaused"
        Layout.fillWidth: true
        visible: !!page.queue.paused
        color: Theme.error
        text: qsTr("Paused: the platform refused this terminal (%1). %2").arg(page.queue.paused || "").arg(page.pauseAction(page.queue.paused_action))
    }
    // Receipts owed: the terminal stopped after storing these submissions, before printing.
    KText {
        objectName: "unprintedTitle"
        Layout.fillWidth: true
        visible: (page.queue.unprinted || []).length > 0
        color: Theme.error
        font.bold: true
        text: qsTr("Receipts never printed (the terminal stopped after storing the application). Reprint each one for its citizen:")
    }
    Repeater {
        model: page.queue.unprinted || []
        delegate: RowLayout {
            required property var modelData
            Layout.fillWidth: true
            spacing: Theme.spacing
            KText {
                Layout.fillWidth: true
                text: modelData.receipt_number + "  " + modelData.service + "  " + modelData.accepted_at
            }
            KioskButton {
                objectName: "reprint_" + modelData.receipt_number
                kind: "secondary"
                text: qsTr("Reprint")
                enabled: !(maintenance.view.busy || {}).reprint
                onClicked: maintenance.reprintReceipt(modelData.receipt_number)
            }
        }
    }
    MaintenanceResult { Layout.fillWidth: true; action: "reprint" }
    // Where the recent receipts' cases stand on the platform (kiosk/maintenance_receipts.py),
    // the status named in the session's language.
    KText {
        objectName: "statusesTitle"
        Layout.fillWidth: true
        visible: (page.queue.statuses || []).length > 0
        font.bold: true
        text: qsTr("Platform status of recent applications:")
    }
    Repeater {
        model: page.queue.statuses || []
        delegate: KText {
            required property var modelData
            objectName: "status_" + modelData.receipt_number
            Layout.fillWidth: true
            color: modelData.correction_requested ? Theme.error : Theme.text
            text: modelData.receipt_number + "  " + (modelData.names[kiosk.language] || modelData.names["zh-CN"])
                  + "  " + modelData.at
        }
    }
    KioskButton {
        objectName: "syncNowButton"
        text: qsTr("Sync now")
        enabled: !(maintenance.view.busy || {}).sync_now
        onClicked: maintenance.syncNow()
    }
    MaintenanceResult { Layout.fillWidth: true; action: "sync_now" }

    Rectangle { Layout.fillWidth: true; height: 2; color: Theme.divider }
    KText {
        Layout.fillWidth: true
        text: qsTr("Service catalog: %1").arg((maintenance.view.catalog || {}).version || "?")
    }
    KioskButton {
        objectName: "refreshCatalogButton"
        kind: "secondary"
        text: qsTr("Refresh the catalog")
        onClicked: maintenance.refreshCatalog()
    }
    MaintenanceResult { Layout.fillWidth: true; action: "catalog" }
}
