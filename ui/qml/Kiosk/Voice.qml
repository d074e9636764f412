import QtQuick

// Speaks one prompt at a time in the session's language, through `speech` (ui/speech.py: Qt
// TextToSpeech on a thread of its own, so a slow or stuck engine never holds up the screen).
//
// Set `text` to the prompt that should be heard now: every change is spoken at once and cuts
// off whatever was still being said, so a citizen never hears a backlog of stale prompts. An
// empty text stops the voice. Without a working engine (none installed, ui.voice_engine "none",
// or one found stuck) the terminal is silent and `available` is false: the same prompts are on
// screen, so speech is an aid, never a condition.
//
// `muted` (the citizen's "turn voice off") stops the voice at once and says nothing until it is
// cleared; say() speaks a text again even if it is unchanged (the "repeat" button).
Item {
    id: voice

    property string language: "zh-CN"   // "zh-CN" or "en", as in the core's snapshot
    property string text: ""
    property bool muted: false

    function say(newText) {
        if (text === newText)
            Qt.callLater(d.speak)
        text = newText
    }

    readonly property string localeName: language === "en" ? "en_US" : "zh_CN"
    readonly property bool available: speech.available
    readonly property bool speaking: speech.speaking
    // What was last handed to the engine, in which locale, how many prompts were, and how many
    // times the engine actually started speaking: the tests (and diagnostics) read these.
    readonly property string lastSpoken: d.lastSpoken
    readonly property string lastLocale: d.lastLocale
    readonly property int spokenCount: d.spokenCount
    readonly property int utterances: d.utterances

    // Language and text arrive in the same snapshot but their bindings update one after the
    // other; deferring to the end of the event-loop turn speaks once, with the new locale.
    onTextChanged: Qt.callLater(d.speak)
    onLanguageChanged: Qt.callLater(d.speak)
    onMutedChanged: if (muted && available) speech.stop()
    // The engine starts in a process of its own after the first frame; a prompt set while it
    // was still starting (a citizen quick to the first screens) is said once it is ready.
    onAvailableChanged: if (available && text) Qt.callLater(d.speak)

    Connections {
        target: speech
        function onStartedSpeaking() { d.utterances += 1 }
    }

    QtObject {
        id: d
        property string lastSpoken: ""
        property string lastLocale: ""
        property int spokenCount: 0
        property int utterances: 0

        function speak() {
            if (voice.muted || !voice.available)
                return
            if (!voice.text) {
                speech.stop()
                return
            }
            speech.say(voice.text, voice.language)
            lastSpoken = voice.text
            lastLocale = voice.localeName
            spokenCount += 1
        }
    }
}
