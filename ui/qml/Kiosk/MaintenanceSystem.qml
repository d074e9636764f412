import QtQuick
import QtQuick.Layouts

// Maintenance: the software and its updates, enrollment with a one-time token, log export to
// USB, restart.
ColumnLayout {
    id: page
    objectName: "maintenanceSystem"
    readonly property var software: maintenance.view.software || ({})
    readonly property var enrollment: maintenance.view.enrollment || ({})
    readonly property var targets: maintenance.view.export_targets || []
    property bool enrolling: false
    property bool confirmRestart: false
    spacing: Theme.spacing

    KText {
        objectName: "softwareVersion"
        Layout.fillWidth: true
        text: page.software.release
              ? (page.software.trial ? qsTr("Software %1, on trial after an update").arg(page.software.release)
                                     : qsTr("Software %1").arg(page.software.release))
              : qsTr("Software version not known (not installed as a release)")
    }
    KText {
        objectName: "softwarePending"
        Layout.fillWidth: true
        visible: !!page.software.pending
        font.pixelSize: Theme.fontSmall
        text: qsTr("Update %1 downloading: %2 %").arg(page.software.pending).arg(page.software.percent)
    }
    KText {
        objectName: "softwareRolledBack"
        Layout.fillWidth: true
        visible: !!page.software.rolled_back
        font.pixelSize: Theme.fontSmall
        color: Theme.error
        text: qsTr("Update %1 was rolled back: %2").arg(page.software.rolled_back).arg(page.software.reason)
    }

    Rectangle { Layout.fillWidth: true; height: 2; color: Theme.divider }
    KText {
        Layout.fillWidth: true
        font.bold: true
        text: page.enrollment.enrolled
              ? qsTr("Enrolled as %1 with %2").arg(page.enrollment.terminal_id).arg(page.enrollment.central_url)
              : qsTr("Not enrolled: submissions are refused until this terminal is enrolled.")
        color: page.enrollment.enrolled ? Theme.text : Theme.error
    }
    KioskButton {
        objectName: "enrollButton"
        kind: "secondary"
        visible: !page.enrolling
        text: qsTr("Enroll with a one-time token")
        onClicked: page.enrolling = true
    }
    KText {
        Layout.fillWidth: true
        visible: page.enrolling
        font.pixelSize: Theme.fontSmall
        text: qsTr("Type the token from the platform operators (24 characters, 0-9 and A-F).")
    }
    PinPad {
        objectName: "tokenPad"
        Layout.fillWidth: true
        visible: page.enrolling
        hexadecimal: true
        okText: qsTr("Enroll")
        onSubmitted: function (token) {
            page.enrolling = false
            maintenance.enroll(token)
        }
    }
    KioskButton {
        objectName: "tokenCancelButton"
        visible: page.enrolling
        kind: "secondary"
        text: qsTr("Cancel")
        onClicked: page.enrolling = false
    }
    MaintenanceResult { Layout.fillWidth: true; action: "enroll" }

    Rectangle { Layout.fillWidth: true; height: 2; color: Theme.divider }
    KText {
        Layout.fillWidth: true
        font.pixelSize: Theme.fontSmall
        text: page.targets.length > 0 ? qsTr("Export to: %1").arg(page.targets[0])
                                     : qsTr("No USB stick found. Insert one, then export.")
    }
    KioskButton {
        objectName: "exportLogsButton"
        text: qsTr("Export logs (no personal data)")
        enabled: !(maintenance.view.busy || {}).export
        onClicked: maintenance.exportLogs("")
    }
    MaintenanceResult { Layout.fillWidth: true; action: "export" }

    Rectangle { Layout.fillWidth: true; height: 2; color: Theme.divider }
    KioskButton {
        objectName: "restartButton"
        kind: page.confirmRestart ? "primary" : "secondary"
        text: page.confirmRestart ? qsTr("Tap again to restart now") : qsTr("Restart the terminal")
        onClicked: {
            if (page.confirmRestart) maintenance.restart()
            else page.confirmRestart = true
        }
    }
}
