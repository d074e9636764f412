import QtQuick

// The outcome of one maintenance action, as a sentence: `action` names the entry in the view's
// results (and busy); the service gives a code and a non-personal detail, translated here.
KText {
    id: line
    property string action: ""
    readonly property var result: (maintenance.view.results || {})[action]
    readonly property bool busy: !!(maintenance.view.busy || {})[action]

    // The test read reports only the document's type code: staff read its name.
    function documentName(code) {
        switch (code) {
        case "resident_id": return qsTr("Resident ID card")
        case "hmt_residence_permit": return qsTr("Residence permit for Hong Kong, Macao and Taiwan residents")
        case "foreign_permanent_resident": return qsTr("Foreign permanent resident ID card")
        case "passport": return qsTr("Passport")
        }
        return code
    }

    function describe(r) {
        var d = r.detail || ""
        switch (r.code) {
        case "read_ok": return qsTr("Read OK: %1").arg(documentName(d))
        case "read_failed": return qsTr("Read failed: %1").arg(d)
        case "print_ok": return qsTr("Test page printed (%1)").arg(d)
        case "print_failed": return qsTr("Test print failed: %1").arg(d)
        case "sync_ok": return qsTr("Sync completed.")
        case "sync_nothing": return qsTr("Nothing is waiting to be sent; a sync round has started.")
        case "sync_failed": return qsTr("Sync failed: %1").arg(d)
        case "not_enrolled": return qsTr("This terminal is not enrolled yet.")
        case "reprint_ok": return qsTr("Receipt %1 reprinted.").arg(d)
        case "reprint_failed": return qsTr("Reprint failed: %1").arg(d)
        case "catalog_ok": return qsTr("Catalog in use: %1").arg(d)
        case "enroll_ok": return qsTr("Enrolled as %1").arg(d)
        case "enroll_failed": return qsTr("Enrollment failed: %1").arg(d)
        case "no_usb": return qsTr("No USB stick found. Insert one and try again.")
        case "export_ok": return qsTr("Logs exported to %1").arg(d)
        case "export_failed": return qsTr("Export failed: %1").arg(d)
        }
        return r.code + " " + d
    }

    objectName: "result_" + action
    // Its line is kept while empty, so the buttons below do not jump when an outcome appears.
    visible: action !== ""
    text: busy ? qsTr("Working…") : result ? describe(result) : ""
    color: busy ? Theme.textMuted : result && result.ok ? Theme.success : Theme.error
    font.pixelSize: Theme.fontSmall
}
