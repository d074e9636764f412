import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// 身份核验: place the ID card or passport on the reader. The core keeps reading while this
// screen is shown; in demo mode, buttons put one of the simulated reader's documents on it.
ScreenPage {
    id: screen
    objectName: "screen_identify"
    title: qsTr("Place your ID card on the reader")
    subtitle: qsTr("Resident ID card: lay it flat on the reader below the screen. Passport: open it at the photo page and place it face down.")

    readonly property var accessKey: kiosk.state.access_key || ({})
    // 网证 (national network identity): offered when the terminal has a verification service.
    readonly property var netid: kiosk.state.netid || ({})
    property bool netidChosen: false
    spokenAlerts: [accessKey.needed ? accessKeyHelp.text : "", accessKeyError.text, netid.message || ""]
    // Typed keys never outlive the screen: cleared when sent and whenever the screen is left.
    function clearAccessKey() {
        keyNumber.text = ""; keyBirth.text = ""; keyExpiry.text = ""; keyCan.text = ""
    }
    onVisibleChanged: if (!visible) { clearAccessKey(); netidChosen = false }

    // Scrolls when the passport key fields (or elder mode's bigger type) need more than the
    // screen's height; otherwise it fills the screen exactly.
    Flickable {
        id: identifyFlick
        objectName: "identifyFlickable"
        ScrollCue { parent: identifyFlick }
        anchors.fill: parent
        contentHeight: grid.height
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        GridLayout {
            id: grid
            width: identifyFlick.width
            height: Math.max(identifyFlick.height, implicitHeight)
            columns: screen.width > screen.height * 1.6 ? 2 : 1
            columnSpacing: Theme.spacing * 2
            rowSpacing: Theme.spacing * 2

            Item {
                // An animated picture of a card being laid on the reader; it shrinks to fit.
                id: animationArea
                // Room for the access key fields (and the keyboard) once a passport asks for them.
                visible: !screen.accessKey.needed
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
                    // A passport chip opens only with its access key: typed from the photo page.
                    objectName: "accessKeyPanel"
                    visible: !!screen.accessKey.needed
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    KText {
                        id: accessKeyHelp
                        Layout.fillWidth: true
                        text: qsTr("Passport found. Type the passport number, your date of birth and the expiry date as printed on the photo page (dates as YYMMDD), or the 6-digit card access number (CAN).")
                    }
                    KText {
                        id: accessKeyError
                        objectName: "accessKeyError"
                        Layout.fillWidth: true
                        visible: text !== ""
                        color: Theme.error
                        text: screen.accessKey.error === "invalid" ? qsTr("Please check: passport number letters and digits, dates as six digits (YYMMDD), CAN as six digits.")
                            : screen.accessKey.error === "rejected" ? qsTr("The passport did not accept these details. Please check them and try again.")
                            : ""
                    }
                    KText { text: qsTr("Passport number"); font.pixelSize: Theme.fontSmall }
                    TextField {
                        id: keyNumber
                        objectName: "accessKey_keyNumber"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget
                        font.pixelSize: Theme.fontBody
                        inputMethodHints: Qt.ImhPreferUppercase | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        ColumnLayout {
                            Layout.fillWidth: true
                            KText { text: qsTr("Date of birth (YYMMDD)"); font.pixelSize: Theme.fontSmall }
                            TextField {
                                id: keyBirth
                                objectName: "accessKey_keyBirth"
                                Layout.fillWidth: true
                                implicitHeight: Theme.touchTarget
                                font.pixelSize: Theme.fontBody
                                inputMethodHints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                            }
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            KText { text: qsTr("Expiry date (YYMMDD)"); font.pixelSize: Theme.fontSmall }
                            TextField {
                                id: keyExpiry
                                objectName: "accessKey_keyExpiry"
                                Layout.fillWidth: true
                                implicitHeight: Theme.touchTarget
                                font.pixelSize: Theme.fontBody
                                inputMethodHints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                            }
                        }
                    }
                    KText { text: qsTr("or card access number (CAN)"); font.pixelSize: Theme.fontSmall }
                    TextField {
                        id: keyCan
                        objectName: "accessKey_keyCan"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget
                        font.pixelSize: Theme.fontBody
                        inputMethodHints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                    }
                    KioskButton {
                        objectName: "accessKeySubmit"
                        text: qsTr("Open the passport")
                        onClicked: {
                            kiosk.enterAccessKey(keyNumber.text, keyBirth.text, keyExpiry.text, keyCan.text)
                            screen.clearAccessKey()
                        }
                    }
                }

                ColumnLayout {
                    // The other way to identify: the 网证 QR code from the citizen's phone. The
                    // scanner reads it whenever this screen is shown; the button explains how.
                    objectName: "netidPanel"
                    visible: !!screen.netid.offered && !screen.accessKey.needed
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Rectangle { Layout.fillWidth: true; Layout.preferredHeight: 2; color: Theme.divider }
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("No ID card with you? You can identify with your online ID credential instead.")
                    }
                    KioskButton {
                        objectName: "useNetidButton"
                        kind: "secondary"
                        visible: !screen.netidChosen && screen.netid.status === "idle"
                        text: qsTr("Use the online ID QR code")
                        onClicked: screen.netidChosen = true
                    }
                    KText {
                        objectName: "netidHowTo"
                        Layout.fillWidth: true
                        visible: screen.netidChosen || screen.netid.status !== "idle"
                        text: qsTr("Open the National Online Identity Authentication app, show its QR code and hold your phone under the scanner below the screen.")
                    }
                    KText {
                        objectName: "netidMessage"
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: screen.netid.message || ""
                        color: screen.netid.status === "refused" ? Theme.error : Theme.primary
                    }
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
                    KText {
                        Layout.fillWidth: true
                        visible: (screen.netid.demo || []).length > 0
                        text: qsTr("Demonstration: show a sample online ID code to the simulated scanner")
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Repeater {
                            model: screen.netid.demo || []
                            delegate: KioskButton {
                                id: demoCodeButton
                                required property var modelData
                                objectName: "demoNetid_" + modelData.key
                                kind: "secondary"
                                text: modelData.label
                                onClicked: kiosk.showDemoNetidCode(demoCodeButton.modelData.key)
                            }
                        }
                    }
                }
            }
        }
    }
}
