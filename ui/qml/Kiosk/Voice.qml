import QtQuick

// Speaks one prompt at a time through Qt TextToSpeech, in the session's language.
//
// Set `text` to the prompt that should be heard now: every change is spoken at once and cuts
// off whatever was still being said, so a citizen never hears a backlog of stale prompts. An
// empty text stops the voice. `engineName` is the config key ui.voice_engine: "" lets Qt pick
// its default engine, "none" creates no engine at all. An engine that does not work (no
// speech-dispatcher on the machine, say) leaves the terminal silent: the same prompts are on
// screen, so speech is an aid, never a condition.
//
// The engine is made with the first prompt (VoiceEngine.qml says why) and never switched:
// ui.voice_engine is read at start-up. `muted` (the citizen's "voice off") stops the voice at
// once and says nothing until it is cleared; say() speaks a text again even if it is unchanged
// (the "repeat" button).
Item {
    id: voice

    property string engineName: ""
    property string language: "zh-CN"   // "zh-CN" or "en", as in the core's snapshot
    property string text: ""
    property bool muted: false

    function say(newText) {
        if (text === newText)
            Qt.callLater(d.speak)
        text = newText
    }

    readonly property string localeName: language === "en" ? "en_US" : "zh_CN"
    readonly property bool available: d.engine !== null && d.engine.working
    readonly property bool speaking: d.engine !== null && d.engine.speaking
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
    onMutedChanged: if (muted && available) d.engine.stop()

    QtObject {
        id: d
        property var engine: null
        property bool engineTried: false
        property string lastSpoken: ""
        property string lastLocale: ""
        property int spokenCount: 0
        property int utterances: 0

        function makeEngine() {
            engineTried = true
            if (voice.engineName === "none")
                return
            const component = Qt.createComponent("VoiceEngine.qml")
            // The engine is chosen and loaded when the object completes, so it is an initial
            // property: assigned afterwards, Qt would first load its default engine.
            const made = component.createObject(voice, { engine: voice.engineName })
            if (made === null) {
                console.error("Voice: the text-to-speech engine could not be made:", component.errorString())
                return
            }
            made.startedSpeaking.connect(function () { d.utterances += 1 })
            engine = made
        }

        function speak() {
            if (voice.muted)
                return
            if (!voice.text) {
                if (voice.available)
                    engine.stop()
                return
            }
            if (!engineTried)
                makeEngine()
            if (!voice.available)
                return
            engine.locale = Qt.locale(voice.localeName)
            engine.stop()   // say() replaces too; stopping first makes that explicit for every engine
            engine.say(voice.text)
            lastSpoken = voice.text
            lastLocale = voice.localeName
            spokenCount += 1
        }
    }
}
