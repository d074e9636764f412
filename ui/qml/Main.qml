import QtQuick
import QtQuick.Layouts
import Kiosk

// The terminal's one window. Everything shown comes from kiosk.state (the core's snapshot);
// everything the citizen does goes to a kiosk.* command.
Window {
    id: root
    readonly property var ui: kiosk.uiConfig
    readonly property bool landscape: ui.orientation === "landscape"
    readonly property var snapshot: kiosk.state
    readonly property string screenName: snapshot.screen || "attract"

    width: landscape ? 1920 : 1080
    height: landscape ? 1080 : 1920
    visible: true
    visibility: ui.fullscreen ? Window.FullScreen : Window.Windowed
    flags: ui.fullscreen ? (Qt.Window | Qt.FramelessWindowHint) : Qt.Window
    color: Theme.background
    title: qsTr("Government Services Self-Service")

    Item {
        id: content
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        // The keyboard pushes the screen up instead of covering the field being typed into.
        anchors.bottom: inputPanel.active ? inputPanel.top : parent.bottom

        ColumnLayout {
            anchors.fill: parent
            spacing: 0

            Header {
                objectName: "header"
                // While typing, the screen above the keyboard belongs to the field being typed
                // into (elder mode has room for little else in either orientation).
                visible: !inputPanel.active
                Layout.fillWidth: true
                snapshot: root.snapshot
            }
            CardReminder {
                id: cardReminder
                // A document left on the reader: above whichever screen is shown, pushing it down.
                Layout.fillWidth: true
                Layout.preferredHeight: implicitHeight
                state_: root.snapshot.card_left || ""
                demoControls: !!root.snapshot.demo_controls
                wide: root.landscape
            }
            Loader {
                id: screenLoader
                objectName: "screenLoader"
                Layout.fillWidth: true
                Layout.fillHeight: true
                // Screens load by URL, so only the attract screen is compiled at start-up; the
                // others compile (once, then from Qt's disk cache) when first shown.
                source: {
                    switch (root.screenName) {
                    case "notice": return "Kiosk/NoticeScreen.qml"
                    case "identify": return "Kiosk/IdentifyScreen.qml"
                    case "face": return "Kiosk/FaceScreen.qml"
                    case "form": return "Kiosk/FormScreen.qml"
                    case "materials": return "Kiosk/MaterialsScreen.qml"
                    case "review": return "Kiosk/ReviewScreen.qml"
                    case "submitting":
                    case "printing": return "Kiosk/BusyScreen.qml"
                    case "done": return "Kiosk/DoneScreen.qml"
                    case "progress": return "Kiosk/ProgressScreen.qml"
                    case "certificates": return "Kiosk/CertificatesScreen.qml"
                    }
                    return "Kiosk/AttractScreen.qml"
                }
            }
            NavBar {
                id: navBar
                objectName: "navBar"
                onRepeatRequested: voiceGuide.repeat()
                voiceAvailable: voiceGuide.voice.available
                // Landscape with the keyboard up (larger still in elder mode): the question
                // needs the height; the bar is back as soon as the keyboard closes.
                visible: !(root.landscape && inputPanel.active)
                Layout.fillWidth: true
                snapshot: root.snapshot
            }
        }
    }


    // Voice guidance (issue 7): every screen's prompt, every error shown, the idle warning and
    // the staff confirmation, in the language on screen; VoiceGuide.qml says what and when.
    VoiceGuide {
        id: voiceGuide
        objectName: "voiceGuide"
        snapshot: root.snapshot
        screen: screenLoader.item
        language: kiosk.language
        muted: !!root.snapshot.voice_muted
        idleText: idleOverlay.visible ? idleOverlay.spokenText : ""
        staffText: navBar.staffConfirmation
        cardText: cardReminder.spokenText
    }

    // 长辈版: the session's elder mode switches every size of the theme at once.
    Binding {
        target: Theme
        property: "elder"
        value: !!root.snapshot.elder_mode
    }

    // The on-screen keyboard (Qt Virtual Keyboard: its styles, layouts and key sounds) loads
    // right after the first frame, not before it: the attract screen has nothing to type into,
    // and loading it first took about a seventh of the start-up (bench/startup.py). This item
    // places it (at the bottom while active, below the screen otherwise) and follows its height
    // (taller in elder mode); the InputPanel, its elder-mode sizes and the keyboard's settings are
    // in KeyboardPanel.qml.
    Item {
        id: inputPanel
        objectName: "inputPanel"
        readonly property bool active: !!keyboardLoader.item && keyboardLoader.item.active
        z: 50
        // In landscape a full-width keyboard would be taller than half the screen.
        width: root.landscape ? Math.min(root.width, 1100) : root.width
        height: keyboardLoader.item ? keyboardLoader.item.height : 0
        x: (root.width - width) / 2
        y: active ? root.height - height : root.height
        visible: active
        Loader {
            id: keyboardLoader
            objectName: "keyboardLoader"
            // Read by `kiosk --self-test` (ui/selftest.py): the keyboard's QML did not load.
            readonly property bool failed: status === Loader.Error
            width: parent.width
            active: false
            source: "Kiosk/KeyboardPanel.qml"
        }
    }
    Connections {
        target: root
        enabled: !keyboardLoader.active
        function onFrameSwapped() { keyboardLoader.active = true }
    }

    IdleOverlay {
        id: idleOverlay
        anchors.fill: parent
        z: 100
        // The done screen counts down inline instead: a modal box would hide the receipt
        // number the citizen may need to write down.
        secondsLeft: root.screenName === "done" || root.snapshot.idle_seconds_left === undefined
                     ? null : root.snapshot.idle_seconds_left
    }

    Item {
        // Every touch anywhere restarts the idle countdown. A PointHandler only takes a
        // passive grab, so the touch still reaches the button, field or keyboard beneath.
        objectName: "touchWatcher"
        anchors.fill: parent
        z: 1000
        PointHandler {
            onActiveChanged: if (active) { kiosk.touched(); maintenance.touched() }
        }
    }

    // Staff maintenance (hidden gesture on the attract screen, then a PIN): over everything
    // but the touch watcher; loaded only while open.
    Loader {
        objectName: "maintenanceLoader"
        anchors.fill: parent
        z: 900
        active: (maintenance.view.phase || "closed") !== "closed"
        source: "Kiosk/MaintenanceScreen.qml"
    }

    // The keyboard's input language follows the UI language on every field and every new session.
    // Loaded with the keyboard (KeyboardLanguage.qml sets the keyboard's settings, which must not
    // be touched before the keyboard exists; see KeyboardPanel.qml).
    Loader {
        id: keyboardLanguage
        objectName: "keyboardLanguageLoader"
        anchors.fill: parent
        z: 60
        active: keyboardLoader.status === Loader.Ready
        source: "Kiosk/KeyboardLanguage.qml"
        onLoaded: {
            item.objectName = "keyboardLanguage"
            item.panel = keyboardLoader.item
            item.placement = inputPanel
            item.uiLanguage = Qt.binding(function () { return kiosk.language })
        }
        function followUi() { if (item) item.followUi() }
    }
    onActiveFocusItemChanged: keyboardLanguage.followUi()
    onScreenNameChanged: if (screenName === "attract") keyboardLanguage.followUi()
}
