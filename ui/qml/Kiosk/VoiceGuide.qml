import QtQuick

// Voice guidance (issue 7): decides WHAT is said; Voice.qml says it.
//
// Spoken, as each appears: the prompt of every screen (its `spokenPrompt`: title and guidance,
// or the live face guidance), every message and error the screen shows (the terminal's banner,
// the form's first problem, the screen's own `spokenAlerts`), the idle warning and the confirmation
// that staff were called, and (every few seconds until it is taken) a reminder to take a document
// left on the reader. Things that appear in the same turn are said together, in that order.
// An error is said once when it appears, not again at every keystroke while it stays.
//
// The attract screen's prompt is not said on arrival (a terminal talking to an empty hall is a
// nuisance) but is as soon as someone uses it: a language tap, the elder switch, "repeat".
// repeat() says the current prompt and every message still shown, even while muted it does
// nothing (muted means silent; the switch is next to the repeat button).
Item {
    id: guide

    property var snapshot: ({})
    property Item screen: null
    property string idleText: ""        // non-empty while the idle warning shows
    property string staffText: ""       // non-empty while the staff-called confirmation shows
    property string cardText: ""        // non-empty while a document left on the reader is to be taken
    property alias language: voice.language
    property alias muted: voice.muted
    readonly property alias voice: voice

    readonly property string screenName: snapshot.screen || "attract"
    readonly property string prompt: screen && screen.spokenPrompt !== undefined ? screen.spokenPrompt : ""
    // Everything shown as an error or notice right now, each one sentence.
    readonly property var alerts: {
        const shown = []
        if (snapshot.message)
            shown.push(snapshot.message)
        // Of the form's problems, the first: the one the form has just gone to. Once it is
        // put right, the next one is first and is said in turn.
        const fields = (snapshot.form && snapshot.form.fields) || []
        for (let i = 0; i < fields.length; ++i)
            if (fields[i].error) {
                shown.push((fields[i].label ? fields[i].label + ": " : "") + fields[i].error)
                break
            }
        const own = screen && screen.spokenAlerts ? screen.spokenAlerts : []
        for (let j = 0; j < own.length; ++j)
            if (own[j] && shown.indexOf(own[j]) < 0)
                shown.push(own[j])
        return shown
    }

    function repeat() {
        const parts = idleText ? [idleText] : [prompt].concat(alerts)
        if (staffText)
            parts.push(staffText)
        if (cardText)
            parts.push(cardText)
        voice.say(parts.filter(function (p) { return !!p }).join(" "))
    }

    onPromptChanged: {
        const arrived = d.lastScreen !== screenName
        d.lastScreen = screenName
        if (prompt && !(arrived && screenName === "attract"))
            d.queue(prompt)
    }
    onAlertsChanged: {
        const fresh = alerts.filter(function (a) { return d.saidAlerts.indexOf(a) < 0 })
        d.saidAlerts = alerts.slice()
        for (let i = 0; i < fresh.length; ++i)
            d.queue(fresh[i])
    }
    onIdleTextChanged: if (idleText) d.queue(idleText)
    onStaffTextChanged: if (staffText) d.queue(staffText)
    onCardTextChanged: if (cardText) d.queue(cardText)

    // A document left on the reader is asked for again and again until it is taken.
    Timer {
        objectName: "cardReminderRepeat"
        interval: 8000
        repeat: true
        running: guide.cardText !== ""
        onTriggered: voice.say(guide.cardText)
    }

    QtObject {
        id: d
        property string lastScreen: ""
        property var saidAlerts: []
        property var pending: []

        function queue(text) {
            if (pending.indexOf(text) < 0)
                pending = pending.concat([text])
            Qt.callLater(flush)
        }
        function flush() {
            if (pending.length === 0)
                return
            const text = pending.join(" ")
            pending = []
            voice.say(text)
        }
    }

    Voice {
        id: voice
        objectName: "voice"
    }
}
