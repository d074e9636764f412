import QtTextToSpeech

// The Qt TextToSpeech engine behind Voice.qml. It is a file of its own so that Qt TextToSpeech
// (and the multimedia libraries under it) load when the first prompt is spoken, not while the
// terminal starts: importing it in Voice.qml cost about a tenth of the start-up budget.
TextToSpeech {
    readonly property bool working: state !== TextToSpeech.Error
    readonly property bool speaking: state === TextToSpeech.Speaking
    signal startedSpeaking()
    onStateChanged: function (newState) { if (newState === TextToSpeech.Speaking) startedSpeaking() }
}
