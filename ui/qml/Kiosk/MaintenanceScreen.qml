import QtQuick
import QtQuick.Layouts

// Staff maintenance over the attract screen (docs/operations.md): the PIN pad, then devices,
// queue and sync, and system pages. Everything comes from maintenance.view; every button posts
// a command and returns at once.
Rectangle {
    id: screen
    objectName: "screen_maintenance"
    readonly property var view: maintenance.view
    readonly property bool signedIn: view.phase === "signed_in"
    readonly property var pin: view.pin || ({})
    property int page: 0
    color: Theme.background

    function pinMessage() {
        if (pin.code === "no_staff")
            return qsTr("No staff member is set up on this terminal (kioskctl staff add).")
        if (pin.locked_s > 0)
            return qsTr("Too many wrong PINs. Try again in %1 s.").arg(pin.locked_s)
        if (pin.code === "locked")
            return qsTr("You can try again now.")
        if (pin.code === "wrong")
            return qsTr("Wrong PIN. Attempts left before the pad locks: %1").arg(pin.attempts_left)
        return ""
    }

    // Nothing beneath (the attract screen) may react while maintenance is open.
    MouseArea { anchors.fill: parent }

    ColumnLayout {
        objectName: "maintenancePinPage"
        visible: !screen.signedIn
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 720)
        spacing: Theme.spacing

        KText {
            Layout.fillWidth: true
            text: qsTr("Staff sign-in")
            font.pixelSize: Theme.fontTitle
            font.bold: true
        }
        KText {
            Layout.fillWidth: true
            text: qsTr("Enter your staff PIN.")
            color: Theme.textMuted
        }
        KText {
            id: pinMessage
            objectName: "pinMessage"
            Layout.fillWidth: true
            // Room for two lines even when empty: the pad must not move under a finger when a
            // message appears.
            Layout.preferredHeight: Math.max(implicitHeight, 2 * Math.ceil(pinFont.height * Theme.lineHeight))
            FontMetrics { id: pinFont; font: pinMessage.font }
            text: screen.pinMessage()
            color: Theme.error
            font.bold: true
        }
        PinPad {
            objectName: "pinPad"
            Layout.fillWidth: true
            enabledKeys: !(screen.pin.locked_s > 0) && screen.pin.code !== "no_staff"
            onSubmitted: function (value) { maintenance.enterPin(value) }
        }
        KioskButton {
            objectName: "pinCancelButton"
            Layout.fillWidth: true
            kind: "secondary"
            text: qsTr("Cancel")
            onClicked: maintenance.cancelEntry()
        }
    }

    ColumnLayout {
        objectName: "maintenanceMain"
        visible: screen.signedIn
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Maintenance")
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                }
                KText {
                    objectName: "staffName"
                    Layout.fillWidth: true
                    font.pixelSize: Theme.fontSmall
                    color: Theme.textMuted
                    text: screen.view.staff ? qsTr("Signed in: %1 (%2)").arg(screen.view.staff.name).arg(screen.view.staff.id) : ""
                }
                KText {
                    // Its line is kept when empty: the tabs and buttons below must not jump.
                    objectName: "signOutWarning"
                    Layout.fillWidth: true
                    font.pixelSize: Theme.fontSmall
                    color: Theme.error
                    text: (screen.view.idle_left || 999) <= 30
                          ? qsTr("Signing out in %1 s without a touch.").arg(screen.view.idle_left) : ""
                }
            }
            KioskButton {
                objectName: "signOutButton"
                kind: "secondary"
                text: qsTr("Sign out")
                onClicked: maintenance.signOut()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing / 2
            Repeater {
                model: [qsTr("Devices"), qsTr("Queue and sync"), qsTr("System")]
                delegate: KioskButton {
                    required property string modelData
                    required property int index
                    objectName: "maintenanceTab_" + index
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    kind: screen.page === index ? "primary" : "secondary"
                    fontSize: Theme.fontSmall
                    text: modelData
                    onClicked: {
                        if (screen.page === 0 && index !== 0 && screen.view.preview)
                            maintenance.setCameraPreview(false)
                        screen.page = index
                        maintenance.refresh()
                    }
                }
            }
        }

        Flickable {
            id: flick
            objectName: "maintenanceFlickable"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentHeight: pages.item ? pages.item.implicitHeight : 0
            boundsBehavior: Flickable.StopAtBounds

            Loader {
                id: pages
                objectName: "maintenancePage"
                width: flick.width
                source: ["MaintenanceDevices.qml", "MaintenanceSync.qml", "MaintenanceSystem.qml"][screen.page]
            }
        }
    }
}
