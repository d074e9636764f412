"""Spoken prompts: Voice.qml speaks through ``speech`` (ui/speech.py), Qt TextToSpeech on a
thread of its own.

Most tests use Qt's own ``mock`` text-to-speech plug-in (shipped in PySide6-Addons): a real
engine as far as Qt is concerned, with a state machine and word timing, but no audio device.
The tests at the end use the engine a terminal uses, speech-dispatcher with espeak-ng, started
privately with a null audio output (``speech_dispatcher`` in conftest.py).
What the voice said is read from Voice.qml's own properties and from ``speech``.
"""

from __future__ import annotations

import array
import os
import shutil
import signal
import subprocess
import wave
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtQml import QQmlComponent, QQmlEngine

from kiosk.face import CHALLENGE_TEXT, GUIDANCE_TEXT
from ui.app import QML_DIR
from ui.speech import SpeechOutput

from .speech_server import start_speech_dispatcher, stop_speech_dispatcher

PROMPTS = {
    language: {texts[language] for texts in (*GUIDANCE_TEXT.values(), *CHALLENGE_TEXT.values())}
    for language in ("zh-CN", "en")
}


def walk_to_face(kiosk: Any) -> None:
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")


def current_prompt(kiosk: Any) -> str:
    """What the face screen shows over the preview right now (the voice must say the same)."""
    if kiosk.state.get("has_photo"):
        return ""
    face = kiosk.state.get("face") or {}
    return face.get("challenge_text") or face.get("guidance_text") or ""


def speech_of(kiosk: Any) -> QObject:
    """The voice's engine side (ui/speech.py SpeechOutput), as QML sees it."""
    return kiosk.engine.rootContext().contextProperty("speech")


def test_face_guidance_is_spoken_in_the_session_language(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock", "language": "zh-CN"}))
    voice = kiosk.get("voice")
    speech = speech_of(kiosk)
    # The engine is made on its own thread after the first frame; nothing is said on the start screen.
    kiosk.wait_until(lambda: speech.property("status") == "ready")
    assert voice.property("spokenCount") == 0
    assert speech.property("engine") == "mock" and set(speech.property("voices")) == {"zh-CN", "en"}

    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk) and voice.property("lastSpoken") == current_prompt(kiosk))
    assert voice.property("available")
    assert voice.property("lastSpoken") in PROMPTS["zh-CN"]
    assert voice.property("lastLocale") == "zh_CN"
    kiosk.wait_until(lambda: voice.property("utterances") >= 1)  # the engine itself started speaking
    said_in_chinese = voice.property("spokenCount")

    kiosk.tap("languageEn")
    kiosk.wait_until(lambda: kiosk.state.get("language") == "en")
    kiosk.wait_until(lambda: current_prompt(kiosk) and voice.property("lastSpoken") == current_prompt(kiosk))
    assert voice.property("lastSpoken") in PROMPTS["en"]
    assert voice.property("lastLocale") == "en_US"
    assert voice.property("spokenCount") > said_in_chinese
    assert speech.property("lastError") == ""


def test_no_voice_engine_is_silent_and_offers_no_voice_buttons(
    make_kiosk: Any, kiosk_config: Any, qt_messages: Any
) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "none"}))
    voice = kiosk.get("voice")
    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk))
    kiosk.settle(0.3)
    assert speech_of(kiosk).property("status") == "off"
    assert not voice.property("available")
    assert voice.property("spokenCount") == 0 and voice.property("lastSpoken") == ""
    # No button that would do nothing: neither "repeat" nor the voice switch is shown.
    assert kiosk.find("backButton") is not None
    assert kiosk.find("repeatButton") is None and kiosk.find("voiceButton") is None
    # Not even the tolerated "plug-in could not load" message: no engine was tried at all.
    assert not [text for _, text in qt_messages.records if "speech" in text.lower()]


def test_an_unknown_engine_is_reported_and_silent(
    make_kiosk: Any, kiosk_config: Any, qt_messages: Any, caplog: Any
) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "no_such_engine"}))
    assert "ui.voice_engine 'no_such_engine' is not an installed Qt text-to-speech engine" in caplog.text
    voice = kiosk.get("voice")
    assert speech_of(kiosk).property("status") == "off"
    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk))
    kiosk.settle(0.3)
    assert not voice.property("available")
    assert voice.property("spokenCount") == 0
    assert kiosk.find("voiceButton") is None


def test_an_engine_without_a_server_is_reported_and_offers_no_voice_buttons(
    make_kiosk: Any, kiosk_config: Any, qt_messages: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    # Nothing answers at speech-dispatcher's address, and starting one on demand is turned off
    # (DisableAutoSpawn): the engine does not start, which the kiosk says and shows.
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'nobody.sock'}")
    (tmp_path / "speech-dispatcher").mkdir()
    (tmp_path / "speech-dispatcher" / "speechd.conf").write_text("DisableAutoSpawn\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": ""}))
    speech = speech_of(kiosk)
    kiosk.wait_until(lambda: speech.property("status") == "unavailable", timeout_ms=30_000)
    assert speech.property("problem")
    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk))
    assert kiosk.get("voice").property("spokenCount") == 0
    assert kiosk.find("backButton") is not None
    assert kiosk.find("repeatButton") is None and kiosk.find("voiceButton") is None


def make_voice(engine_name: str) -> tuple[QQmlEngine, QQmlComponent, QObject, SpeechOutput]:
    """One Voice.qml on its own, the way Main.qml makes it (the caller keeps all four alive)."""
    engine = QQmlEngine()
    engine.addImportPath(str(QML_DIR))
    speech = SpeechOutput(engine_name, parent=engine)
    engine.rootContext().setContextProperty("speech", speech)
    speech.start()
    component = QQmlComponent(engine)
    component.setData(b"import Kiosk\nVoice {}", Path(__file__).as_uri())
    voice = component.create()
    assert voice is not None, component.errorString()
    return engine, component, voice, speech


def test_a_new_prompt_replaces_the_old_one(qapp: Any, qtbot: Any, qt_messages: Any) -> None:
    qml_engine, component, voice, speech = make_voice("mock")
    try:
        qtbot.waitUntil(lambda: voice.property("available"))
        # Several prompts in one turn of the event loop: only the last is said.
        for text in ("请靠近一些", "请稍微后退", "请保持不动"):
            voice.setProperty("text", text)
        qtbot.waitUntil(lambda: voice.property("spokenCount") == 1)
        assert voice.property("lastSpoken") == "请保持不动"
        assert voice.property("lastLocale") == "zh_CN"
        qtbot.waitUntil(lambda: not voice.property("speaking"))
        # A new prompt while the old one is still being said cuts it off: no backlog.
        voice.setProperty("language", "en")
        voice.setProperty("text", "Please move your face to the middle of the oval")
        qtbot.waitUntil(lambda: voice.property("speaking"))
        voice.setProperty("text", "Please hold still")
        qtbot.waitUntil(lambda: voice.property("spokenCount") == 3)
        assert voice.property("lastSpoken") == "Please hold still"
        assert voice.property("utterances") == 3
        qtbot.waitUntil(lambda: not voice.property("speaking"))
        # Nothing left over: the cut-off prompt does not resume after the new one.
        qtbot.wait(300)
        assert not voice.property("speaking") and voice.property("utterances") == 3
        # An empty prompt stops the voice at once.
        voice.setProperty("text", "Please come a little closer")
        qtbot.waitUntil(lambda: voice.property("speaking"))
        voice.setProperty("text", "")
        qtbot.waitUntil(lambda: not voice.property("speaking"))
        assert voice.property("spokenCount") == 4
    finally:
        speech.close()
        voice.deleteLater()
        component.deleteLater()
        qml_engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# ---- the real engine: speech-dispatcher with espeak-ng ------------------------------------------

SAMPLES = {"zh-CN": "请把身份证放在读卡区", "en": "Please place your ID card on the reader"}


def wait_spoken(kiosk: Any, speech: QObject, text: str, language: str) -> None:
    """Hand ``text`` to the engine the way Voice.qml does, and wait until it is being spoken."""
    before = kiosk.get("voice").property("utterances")
    speech.say(text, language)
    kiosk.wait_until(lambda: kiosk.get("voice").property("utterances") > before, timeout_ms=20_000)


def test_speech_dispatcher_speaks_mandarin_and_english(
    make_kiosk: Any, kiosk_config: Any, speech_dispatcher: Any
) -> None:
    # ui.voice_engine "" as on a terminal: Qt's speechd engine, found on its own.
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": ""}))
    speech = speech_of(kiosk)
    kiosk.wait_until(lambda: speech.property("status") != "starting", timeout_ms=60_000)
    assert speech.property("status") == "ready", speech.property("problem")
    assert speech.property("engine") == "speechd"
    voices = speech.property("voices")
    # espeak-ng's Mandarin voice is listed under the C locale: it is found by name.
    assert "Mandarin" in voices["zh-CN"] and "English" in voices["en"], voices
    assert kiosk.find("voiceButton") is not None and kiosk.find("repeatButton") is not None

    # A real prompt of the journey, in Chinese: the engine reaches Speaking with no error.
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    voice = kiosk.get("voice")
    kiosk.wait_until(lambda: voice.property("utterances") >= 1, timeout_ms=20_000)
    assert voice.property("lastLocale") == "zh_CN"
    wait_spoken(kiosk, speech, SAMPLES["zh-CN"], "zh-CN")
    wait_spoken(kiosk, speech, SAMPLES["en"], "en")
    kiosk.tap("languageEn")
    kiosk.wait_until(lambda: voice.property("lastLocale") == "en_US")
    kiosk.wait_until(lambda: not speech.property("speaking"), timeout_ms=20_000)
    assert speech.property("lastError") == ""
    assert speech.property("status") == "ready"


def rms_of_wav(path: Path) -> tuple[float, float]:
    """(seconds, RMS of the 16-bit samples) of a mono WAV file."""
    with wave.open(str(path)) as wav:
        assert wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        samples = array.array("h", frames)
        seconds = wav.getnframes() / wav.getframerate()
    mean_square = sum(sample * sample for sample in samples) / max(1, len(samples))
    return seconds, mean_square ** 0.5


def test_the_engine_s_own_output_is_audible_speech(tmp_path: Path) -> None:
    # The same texts through espeak-ng itself (what speech-dispatcher's module calls), written
    # to a WAV file instead of a loudspeaker: each is non-silent audio of a plausible length.
    binary = shutil.which("espeak-ng")
    assert binary is not None, "espeak-ng is not installed: run tools/setup-system.sh as root"
    for language, espeak_voice in (("zh-CN", "cmn"), ("en", "en-us")):
        out = tmp_path / f"{language}.wav"
        subprocess.run([binary, "-v", espeak_voice, "-w", str(out), SAMPLES[language]], check=True, timeout=60)
        seconds, rms = rms_of_wav(out)
        assert seconds > 0.8, (language, seconds)
        assert rms > 300, (language, rms)   # silence is 0; espeak-ng speech is in the thousands


def test_a_stuck_engine_is_switched_off_and_the_journey_goes_on(
    make_kiosk: Any, kiosk_config: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # A server that stops answering (as speech-dispatcher does on a machine without audio):
    # the kiosk notices, turns the voice off, says so, and the citizen's journey carries on.
    server = start_speech_dispatcher(tmp_path / "speechd")
    try:
        monkeypatch.setenv("SPEECHD_ADDRESS", server.address)
        kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "speechd", "voice_stuck_s": 1.0}))
        speech = speech_of(kiosk)
        kiosk.wait_until(lambda: speech.property("status") == "ready", timeout_ms=60_000)
        assert kiosk.find("voiceButton") is not None

        os.kill(server.process.pid, signal.SIGSTOP)
        kiosk.tap("service_residence_permit")   # its notice is spoken: the engine hangs on it
        kiosk.wait_for_screen("notice")
        kiosk.wait_until(lambda: speech.property("status") == "stuck", timeout_ms=20_000)
        assert "stopped answering" in speech.property("problem")
        assert kiosk.find("voiceButton") is None and kiosk.find("repeatButton") is None
        # The screen never waited: the journey goes on while the engine is still stuck.
        kiosk.tap("acceptNoticeButton")
        kiosk.wait_for_screen("identify")
        kiosk.tap("demoDocument_resident_id")
        kiosk.wait_for_screen("face")
    finally:
        os.kill(server.process.pid, signal.SIGCONT)   # the stuck call returns; the thread can stop
        stop_speech_dispatcher(server)
