"""Each citizen starts from the defaults, and the keyboard speaks the screen's language.

Through the real QML and Qt's real virtual keyboard (keys tapped on the keyboard itself):
the wipe resets UI language, keyboard language, elder mode and voice; the keyboard's input
language follows the UI language whenever a field gets the focus; the globe key's pop-up
switches without committing a pending Pinyin candidate and has elder-mode sizes.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import descendants as all_descendants
from tests.ui.test_privacy_wipe import walk_to_review


def keyboard(kiosk: Any) -> Any:
    panel = kiosk.find("inputPanel", visible_only=False)
    return next(i for i in descendants(panel) if i.objectName() == "keyboard")


def descendants(item: Any) -> list[Any]:
    return list(all_descendants(item))


def tap_item(kiosk: Any, item: Any) -> None:
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    QTest.mouseClick(kiosk.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(centre.x()), round(centre.y())))
    kiosk.settle(0.1)


def virtual_key(kiosk: Any, text: str) -> Any:
    panel = kiosk.find("inputPanel", visible_only=False)
    for item in descendants(panel):
        if item.isVisible() and item.width() > 0 and item.property("keyType") is not None \
                and (item.property("text") or "").lower() == text:
            return item
    raise AssertionError(f"no key {text!r} on the keyboard")


def type_on_keyboard(kiosk: Any, letters: str) -> None:
    for letter in letters:
        tap_item(kiosk, virtual_key(kiosk, letter))


def focus_text_field(kiosk: Any, name: str) -> Any:
    kiosk.tap(name)
    field = kiosk.get(name)
    kiosk.wait_until(lambda: field.hasActiveFocus())
    kiosk.wait_until(lambda: kiosk.find("inputPanel") is not None)
    kiosk.settle(0.3)
    return field


def to_employer_field(kiosk: Any) -> Any:
    walk_to_review(kiosk)
    kiosk.bridge.setFieldValue("basis", "employment")
    kiosk.wait_until(lambda: kiosk.find("field_employer") is not None)
    return focus_text_field(kiosk, "field_employer")


@pytest.fixture
def quiet_kiosk(make_kiosk: Any, kiosk_config: Any) -> Any:
    return make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock"}))


def test_the_keyboard_follows_the_english_ui_and_a_switch_commits_no_candidate(quiet_kiosk: Any) -> None:
    kiosk = quiet_kiosk
    kiosk.tap("languageEn")
    kiosk.wait_until(lambda: kiosk.state["language"] == "en")
    field = to_employer_field(kiosk)
    assert keyboard(kiosk).property("locale") == "en_US"  # English UI: English layout

    # The citizen switches to Pinyin with the globe key, starts a word, and switches back.
    tap_item(kiosk, kiosk.get("changeLanguageKey"))
    kiosk.get("keyboardLanguagePopup")
    kiosk.tap("keyboardLanguage_zh_CN")
    kiosk.wait_until(lambda: keyboard(kiosk).property("locale") == "zh_CN")
    field.setProperty("text", "")
    type_on_keyboard(kiosk, "flat")
    kiosk.wait_until(lambda: field.property("preeditText"))  # a Pinyin composition is pending
    tap_item(kiosk, kiosk.get("changeLanguageKey"))
    kiosk.tap("keyboardLanguage_en_US")
    kiosk.wait_until(lambda: keyboard(kiosk).property("locale") == "en_US")
    assert field.property("text") == "" and field.property("preeditText") == ""  # no 法拉他
    type_on_keyboard(kiosk, "ok")
    assert field.property("text").lower() == "ok"
    assert kiosk.find("changeLanguageKey") is not None  # the globe key is still there

    # Pinyin chosen on one field lasts until the next field: it follows the UI again.
    tap_item(kiosk, kiosk.get("changeLanguageKey"))
    kiosk.tap("keyboardLanguage_zh_CN")
    kiosk.wait_until(lambda: keyboard(kiosk).property("locale") == "zh_CN")
    focus_text_field(kiosk, "field_phone")
    focus_text_field(kiosk, "field_employer")
    kiosk.wait_until(lambda: keyboard(kiosk).property("locale") == "en_US")


def test_the_chinese_ui_types_pinyin(quiet_kiosk: Any) -> None:
    kiosk = quiet_kiosk
    field = to_employer_field(kiosk)
    assert keyboard(kiosk).property("locale") == "zh_CN"
    field.setProperty("text", "")
    type_on_keyboard(kiosk, "ni")
    kiosk.wait_until(lambda: field.property("preeditText"))


def test_the_language_pop_up_has_elder_sizes(quiet_kiosk: Any) -> None:
    kiosk = quiet_kiosk
    kiosk.bridge.setElderMode(True)
    kiosk.wait_until(lambda: kiosk.state["elder_mode"])
    to_employer_field(kiosk)
    tap_item(kiosk, kiosk.get("changeLanguageKey"))
    popup = kiosk.get("keyboardLanguagePopup")
    panel = kiosk.find("inputPanel")
    assert popup.mapToScene(QPointF(0, popup.height())).y() <= panel.y()  # above the keyboard
    for name in ("keyboardLanguage_zh_CN", "keyboardLanguage_en_US"):
        button = kiosk.get(name)
        assert button.height() >= 60 and button.width() >= 60
        assert button.property("fontSize") >= 18
    kiosk.screenshot("keyboard_language_popup_elder")


def test_the_wipe_resets_language_keyboard_elder_mode_and_voice(quiet_kiosk: Any) -> None:
    kiosk = quiet_kiosk
    kiosk.tap("languageEn")
    kiosk.bridge.setElderMode(True)
    kiosk.bridge.setVoiceMuted(True)
    kiosk.wait_until(lambda: kiosk.state["language"] == "en" and kiosk.state["elder_mode"]
                     and kiosk.state["voice_muted"])
    to_employer_field(kiosk)
    tap_item(kiosk, kiosk.get("changeLanguageKey"))
    kiosk.tap("keyboardLanguage_zh_CN")
    kiosk.wait_until(lambda: keyboard(kiosk).property("locale") == "zh_CN")
    while kiosk.state["screen"] != "attract":  # the citizen cancels and leaves
        screen = kiosk.state["screen"]
        kiosk.tap("backButton")
        kiosk.wait_until(lambda screen=screen: kiosk.state["screen"] != screen)
    kiosk.wait_for_screen("attract")
    kiosk.wait_until(lambda: kiosk.state["language"] == "zh-CN" and kiosk.bridge.language == "zh-CN")
    assert not kiosk.state["elder_mode"] and not kiosk.state["voice_muted"]
    kiosk.wait_until(lambda: keyboard(kiosk).property("locale") == "zh_CN")
    kiosk.core.take_back_demo_document()
    # The next citizen's first field: Pinyin, as the Chinese UI.
    kiosk.wait_until(lambda: kiosk.state["card_left"] == "")
    field = to_employer_field(kiosk)
    assert keyboard(kiosk).property("locale") == "zh_CN" and field.hasActiveFocus()
