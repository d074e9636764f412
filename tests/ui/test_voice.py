"""Spoken prompts (issue 5): Voice.qml speaks the face guidance through Qt TextToSpeech.

The engine is Qt's own ``mock`` text-to-speech plug-in (shipped in PySide6-Addons): a real
engine as far as Qt is concerned, with a state machine and word timing, but no audio device.
What the voice said is read from Voice.qml's own properties and from the engine object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtQml import QQmlComponent, QQmlEngine

from kiosk.face import CHALLENGE_TEXT, GUIDANCE_TEXT
from ui.app import QML_DIR

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


def engine_of(voice: QObject) -> QObject | None:
    """The Qt TextToSpeech object Voice.qml made, if any."""
    for child in voice.findChildren(QObject):
        if child.inherits("QTextToSpeech"):
            return child
    return None


def test_face_guidance_is_spoken_in_the_session_language(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock", "language": "zh-CN"}))
    voice = kiosk.get("voice")
    # Nothing to say on the start screen, so no engine yet (it loads with the first prompt).
    assert voice.property("spokenCount") == 0 and engine_of(voice) is None

    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk) and voice.property("lastSpoken") == current_prompt(kiosk))
    engine = engine_of(voice)
    assert engine is not None and engine.property("engine") == "mock"
    assert voice.property("available")
    assert voice.property("lastSpoken") in PROMPTS["zh-CN"]
    assert voice.property("lastLocale") == "zh_CN"
    assert voice.property("utterances") >= 1  # the engine itself started speaking
    said_in_chinese = voice.property("spokenCount")

    kiosk.tap("languageEn")
    kiosk.wait_until(lambda: kiosk.state.get("language") == "en")
    kiosk.wait_until(lambda: current_prompt(kiosk) and voice.property("lastSpoken") == current_prompt(kiosk))
    assert voice.property("lastSpoken") in PROMPTS["en"]
    assert voice.property("lastLocale") == "en_US"
    assert engine.property("locale").name() == "en_US"  # the mock engine has an en_US voice
    assert voice.property("spokenCount") > said_in_chinese


def test_no_voice_engine_is_silent(make_kiosk: Any, kiosk_config: Any, qt_messages: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "none"}))
    voice = kiosk.get("voice")
    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk))
    kiosk.settle(0.3)
    assert engine_of(voice) is None
    assert not voice.property("available")
    assert voice.property("spokenCount") == 0 and voice.property("lastSpoken") == ""
    # Not even the tolerated "plug-in could not load" message: no engine was tried at all.
    assert not [text for _, text in qt_messages.records if "speech" in text.lower()]


def test_an_unknown_engine_is_reported_and_silent(
    make_kiosk: Any, kiosk_config: Any, qt_messages: Any, caplog: Any
) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "no_such_engine"}))
    assert "ui.voice_engine 'no_such_engine' is not an installed Qt text-to-speech engine" in caplog.text
    voice = kiosk.get("voice")
    assert voice.property("engineName") == "none"
    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk))
    kiosk.settle(0.3)
    assert not voice.property("available")
    assert voice.property("spokenCount") == 0


def test_default_engine_without_speech_dispatcher_is_silent(
    make_kiosk: Any, kiosk_config: Any, qt_messages: Any
) -> None:
    # Qt's default engine here is its speechd plug-in; without speech-dispatcher (setup does not
    # install it) the plug-in does not load and the terminal stays silent, with no failure.
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": ""}))
    voice = kiosk.get("voice")
    walk_to_face(kiosk)
    kiosk.wait_until(lambda: current_prompt(kiosk))
    kiosk.settle(0.3)
    if voice.property("available"):  # a machine with a working engine speaks
        kiosk.wait_until(lambda: voice.property("lastSpoken") == current_prompt(kiosk))
    else:
        assert voice.property("spokenCount") == 0
        assert any("Error loading text-to-speech plug-in" in text for _, text in qt_messages.records)


def make_voice(engine_name: str) -> tuple[QQmlEngine, QQmlComponent, QObject]:
    """One Voice.qml on its own, the way Main.qml makes it (the caller keeps all three alive)."""
    engine = QQmlEngine()
    engine.addImportPath(str(QML_DIR))
    component = QQmlComponent(engine)
    component.setData(f'import Kiosk\nVoice {{ engineName: "{engine_name}" }}'.encode(), Path(__file__).as_uri())
    voice = component.create()
    assert voice is not None, component.errorString()
    return engine, component, voice


def test_a_new_prompt_replaces_the_old_one(qapp: Any, qtbot: Any, qt_messages: Any) -> None:
    qml_engine, component, voice = make_voice("mock")
    try:
        # Several prompts in one turn of the event loop: only the last is said.
        for text in ("请靠近一些", "请稍微后退", "请保持不动"):
            voice.setProperty("text", text)
        qtbot.waitUntil(lambda: voice.property("spokenCount") == 1)
        assert voice.property("lastSpoken") == "请保持不动"
        assert voice.property("lastLocale") == "zh_CN"
        tts = engine_of(voice)
        assert tts is not None and voice.property("available")
        qtbot.waitUntil(lambda: not voice.property("speaking"))
        # A new prompt while the old one is still being said cuts it off: no backlog.
        voice.setProperty("language", "en")
        voice.setProperty("text", "Please move your face to the middle of the oval")
        qtbot.waitUntil(lambda: voice.property("speaking"))
        voice.setProperty("text", "Please hold still")
        qtbot.waitUntil(lambda: voice.property("spokenCount") == 3)
        assert voice.property("lastSpoken") == "Please hold still"
        assert tts.property("locale").name() == "en_US"
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
        voice.deleteLater()
        component.deleteLater()
        qml_engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
