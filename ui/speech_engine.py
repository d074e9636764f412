"""The speech engine process: Qt TextToSpeech, driven over stdin/stdout by ui/speech.py.

Run as ``kiosk --speech-engine ENGINE`` (``python -m ui.app --speech-engine ENGINE`` from the
source tree). Qt's speechd engine waits on speech-dispatcher inside its calls, holding Python's
GIL, and for ever when the server hangs; in a process of its own that stalls nothing of the
kiosk, which sees the missing answer and ends the process.

Protocol, one JSON object per line. In: ``{"n": 1, "cmd": "say", "text": ..., "language":
"zh-CN"}``, ``{"n": 2, "cmd": "stop"}``, ``{"cmd": "quit"}``. Out: ``{"started": ENGINE,
"voices": {language: voice name}, "problem": ...}`` once, ``{"answered": n}`` after each
command returned, ``{"state": n}`` (QTextToSpeech.State) and ``{"error": message}`` as they happen.

Voices are chosen once: for ``zh-CN`` a Chinese (Mandarin) voice, for ``en`` an English one.
speech-dispatcher's espeak-ng module lists its Mandarin voice under the ``C`` locale (Qt does
not know its language code ``cmn``), so it is found there by name.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QSocketNotifier

#: What each session language wants: the locale first, else a voice of that language by name.
WANTED_VOICES: dict[str, tuple[str, QLocale.Language, tuple[str, ...]]] = {
    "zh-CN": ("zh_CN", QLocale.Language.Chinese, ("Mandarin", "cmn")),
    "en": ("en_US", QLocale.Language.English, ("English",)),
}


def _plain_voice(voices: list[Any]) -> Any:
    """espeak-ng's own voice before its "+variant" copies (the first listed otherwise)."""
    plain = [voice for voice in voices if "+" not in voice.name()]
    return (plain or voices)[0]


def choose_voices(tts: Any) -> dict[str, tuple[QLocale, Any]]:
    """For each session language, the locale and voice to select on ``tts``."""
    locales = list(tts.availableLocales())
    chosen: dict[str, tuple[QLocale, Any]] = {}
    for language, (name, qt_language, voice_names) in WANTED_VOICES.items():
        candidates = [loc for loc in locales if loc.name() == name]
        candidates += [loc for loc in locales if loc.language() == qt_language and loc.name() != name]
        for locale in candidates:
            tts.setLocale(locale)
            voices = list(tts.availableVoices())
            if voices:
                chosen[language] = (locale, _plain_voice(voices))
                break
        else:
            for locale in (loc for loc in locales if loc.language() == QLocale.Language.C):
                tts.setLocale(locale)
                named = [v for v in tts.availableVoices() if any(n in v.name() for n in voice_names)]
                if named:
                    chosen[language] = (locale, _plain_voice(named))
                    break
    return chosen


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class _Engine:
    def __init__(self, engine_name: str) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        self.tts: Any = None
        self.voices: dict[str, tuple[QLocale, Any]] = {}
        self.current = ""
        installed = [name for name in QTextToSpeech.availableEngines() if name != "mock"]
        name = engine_name or (installed[0] if installed else "")
        if not name:
            _send({"started": "", "voices": {}, "problem": "no text-to-speech engine plug-in is installed"})
            return
        tts = QTextToSpeech(name)
        # An engine whose only trouble is the process's locale (no voice for it) works once a
        # voice is chosen below; any other error means no engine.
        if tts.state() == QTextToSpeech.State.Error and (
                tts.errorReason() != QTextToSpeech.ErrorReason.Configuration or not tts.availableLocales()):
            _send({"started": "", "voices": {}, "problem": tts.errorString() or f"the {name} engine did not start"})
            return
        self.voices = choose_voices(tts)
        if name == "mock":   # Qt's test engine has no Chinese: it says everything in its own voice
            for language in WANTED_VOICES:
                self.voices.setdefault(language, (tts.locale(), tts.voice()))
        tts.stateChanged.connect(lambda state: _send({"state": state.value}))
        tts.errorOccurred.connect(lambda _reason, message: _send({"error": message}))
        self.tts = tts
        missing = [language for language in WANTED_VOICES if language not in self.voices]
        _send({"started": name, "voices": {lang: voice.name() for lang, (_, voice) in self.voices.items()},
               "problem": f"no voice for {', '.join(missing)}" if missing else ""})

    def handle(self, command: dict[str, Any]) -> None:
        try:
            if command.get("cmd") == "say" and self.tts is not None:
                language = command.get("language", "")
                if language in self.voices:
                    if self.current != language:
                        locale, voice = self.voices[language]
                        self.tts.setLocale(locale)
                        self.tts.setVoice(voice)
                        self.current = language
                    self.tts.stop()   # a new prompt cuts the old one off, for every engine
                    self.tts.say(str(command.get("text", "")))
            elif command.get("cmd") == "stop" and self.tts is not None:
                self.tts.stop()
        finally:
            if "n" in command:
                _send({"answered": command["n"]})


def run(engine_name: str) -> int:
    """The engine process's main loop; returns when told to quit or stdin closes."""
    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    engine = _Engine(engine_name)
    pending = b""

    def readable() -> None:
        nonlocal pending
        chunk = os.read(0, 65536)
        if not chunk:
            app.quit()
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            command = json.loads(line)
            if command.get("cmd") == "quit":
                app.quit()
                return
            engine.handle(command)

    notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)
    notifier.activated.connect(readable)
    code = app.exec()
    notifier.setEnabled(False)
    if engine.tts is not None:
        engine.tts.stop()
    return code
