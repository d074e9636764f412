import QtQuick
import QtQuick.Layouts

// Maintenance: every device with its state, identity and last error, and its tests.
ColumnLayout {
    id: page
    objectName: "maintenanceDevices"
    spacing: Theme.spacing

    function roleName(role) {
        switch (role) {
        case "id_reader": return qsTr("ID document reader")
        case "camera": return qsTr("Camera")
        case "receipt_printer": return qsTr("Receipt printer")
        case "document_printer": return qsTr("A4 document printer")
        case "code_scanner": return qsTr("QR code scanner")
        }
        return role
    }
    function stateName(state) {
        switch (state) {
        case "online": return qsTr("Ready")
        case "offline": return qsTr("Offline")
        case "no_device": return qsTr("Not connected")
        case "hardware_error": return qsTr("Hardware error")
        case "user_error": return qsTr("Needs attention")
        case "busy": return qsTr("Busy")
        case "starting": return qsTr("Starting")
        }
        return state
    }
    function actionName(action) {
        switch (action) {
        case "clear": return qsTr("Staff can fix this (paper, jam, cable).")
        case "maintenance": return qsTr("Call a field engineer.")
        case "configuration": return qsTr("Check the configuration.")
        case "software": return qsTr("Software problem: export the logs.")
        case "reset": return qsTr("Restart the terminal to reset the device.")
        case "suspend": return qsTr("Do not use the device for now.")
        }
        return ""
    }

    Repeater {
        model: maintenance.view.devices || []
        delegate: Rectangle {
            id: card
            required property var modelData
            objectName: "device_" + modelData.role
            Layout.fillWidth: true
            implicitHeight: cardColumn.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.width: 3
            border.color: modelData.ready ? Theme.success : Theme.error

            ColumnLayout {
                id: cardColumn
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing / 2
                RowLayout {
                    Layout.fillWidth: true
                    KText {
                        Layout.fillWidth: true
                        text: page.roleName(card.modelData.role)
                        font.pixelSize: Theme.fontHeading
                        font.bold: true
                    }
                    KText {
                        objectName: "deviceState_" + card.modelData.role
                        text: page.stateName(card.modelData.state)
                        font.bold: true
                        color: card.modelData.ready ? Theme.success : Theme.error
                    }
                }
                KText {
                    Layout.fillWidth: true
                    font.pixelSize: Theme.fontSmall
                    color: Theme.textMuted
                    text: qsTr("Model %1 · serial %2 · firmware %3 · backend %4")
                          .arg(card.modelData.model || "?").arg(card.modelData.serial || "?")
                          .arg(card.modelData.firmware || "?").arg(card.modelData.backend || "?")
                }
                KText {
                    Layout.fillWidth: true
                    visible: text.length > 0
                    font.pixelSize: Theme.fontSmall
                    color: Theme.error
                    text: [card.modelData.detail, page.actionName(card.modelData.action)]
                          .filter(function (s) { return s }).join(" — ")
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    visible: ["id_reader", "receipt_printer", "camera"].indexOf(card.modelData.role) >= 0
                    KioskButton {
                        objectName: "testButton_" + card.modelData.role
                        kind: "secondary"
                        fontSize: Theme.fontSmall
                        readonly property bool previewing: !!maintenance.view.preview
                        text: card.modelData.role === "id_reader" ? qsTr("Test read")
                            : card.modelData.role === "receipt_printer" ? qsTr("Print a test page")
                            : previewing ? qsTr("Stop preview") : qsTr("Camera preview")
                        enabled: !(maintenance.view.busy || {})[card.modelData.role === "id_reader" ? "test_read" : "test_print"]
                        onClicked: {
                            if (card.modelData.role === "id_reader") maintenance.testRead()
                            else if (card.modelData.role === "receipt_printer") maintenance.testPrint()
                            else maintenance.setCameraPreview(!previewing)
                        }
                    }
                    KText {
                        Layout.fillWidth: true
                        visible: card.modelData.role === "id_reader"
                        font.pixelSize: Theme.fontCaption
                        color: Theme.textMuted
                        text: qsTr("Place a card on the reader within 15 s. Only the document type is shown.")
                    }
                }
                MaintenanceResult {
                    Layout.fillWidth: true
                    action: card.modelData.role === "id_reader" ? "test_read"
                          : card.modelData.role === "receipt_printer" ? "test_print" : ""
                }
                Image {
                    objectName: "maintenanceCameraPreview"
                    visible: card.modelData.role === "camera" && !!maintenance.view.preview
                    Layout.alignment: Qt.AlignHCenter
                    Layout.preferredWidth: 480
                    Layout.preferredHeight: visible ? 360 : 0
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    source: visible ? "image://maintenance_camera/" + maintenance.frameRevision : ""
                }
            }
        }
    }

    // The voice is not a device of the core, but staff must see when it is silent and why
    // (ui/speech.py): no engine installed, switched off in the configuration, or found stuck.
    Rectangle {
        id: voiceCard
        objectName: "device_voice"
        readonly property bool ready: speech.status === "ready"
        Layout.fillWidth: true
        implicitHeight: voiceColumn.implicitHeight + 2 * Theme.spacing
        radius: Theme.radius
        color: Theme.surface
        border.width: 3
        border.color: ready || speech.status === "off" ? Theme.success : Theme.error

        ColumnLayout {
            id: voiceColumn
            anchors.fill: parent
            anchors.margins: Theme.spacing
            spacing: Theme.spacing / 2
            RowLayout {
                Layout.fillWidth: true
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Voice guidance")
                    font.pixelSize: Theme.fontHeading
                    font.bold: true
                }
                KText {
                    objectName: "deviceState_voice"
                    font.bold: true
                    color: voiceCard.border.color
                    text: {
                        switch (speech.status) {
                        case "ready": return qsTr("Ready")
                        case "starting": return qsTr("Starting")
                        case "off": return qsTr("Off in the configuration")
                        case "stuck": return qsTr("Stopped: the engine hung")
                        }
                        return qsTr("Not available")
                    }
                }
            }
            KText {
                objectName: "voiceDetail"
                Layout.fillWidth: true
                font.pixelSize: Theme.fontSmall
                color: voiceCard.ready ? Theme.textMuted : Theme.error
                text: voiceCard.ready
                      ? qsTr("Engine %1 · Chinese voice %2 · English voice %3").arg(speech.engine)
                            .arg(speech.voices["zh-CN"] || "?").arg(speech.voices["en"] || "?")
                      : speech.status === "off" ? ""
                      : [speech.problem, qsTr("Run kioskctl doctor for the fix, then restart the terminal.")]
                            .filter(function (s) { return s }).join(" — ")
            }
        }
    }
}
