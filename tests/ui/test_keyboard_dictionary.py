"""The virtual keyboard learns nothing a citizen types, and its dictionary goes at every wipe.

Qt Virtual Keyboard's Pinyin learns composed phrases into ``qtvirtualkeyboard/pinyin/usr_dict.dat``
and suggests them next time (in a field without ``ImhSensitiveData``, typing "yuxi" and choosing
雨 then 係 makes 雨係 the third candidate for "yuxi" from then on). Here a citizen types that name
into the form through the real keyboard, taps the candidates on the real candidate bar, the
session is wiped, and the next citizen types "yuxi" again: 雨係 is not suggested, and no
dictionary file holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QStandardPaths

from tests.ui.conftest import class_name
from tests.ui.test_keyboard_language import (
    descendants,
    focus_text_field,
    tap_item,
    to_employer_field,
    type_on_keyboard,
)
from ui.keyboard_dictionary import PINYIN_USER_DICTIONARY, pinyin_user_dictionary

NAME = "雨係"


def candidate_bar(kiosk: Any) -> Any:
    panel = kiosk.find("inputPanel", visible_only=False)
    return next(i for i in descendants(panel) if i.objectName() == "wordCandidateView")


def candidates(kiosk: Any) -> list[str]:
    """The texts on the candidate bar (the whole list, scrolled or not)."""
    view = candidate_bar(kiosk)
    content = view.property("contentItem")
    labels = [item for item in descendants(content)
              if item.isVisible() and class_name(item).startswith("QQuickText") and item.property("text")]
    labels.sort(key=lambda item: item.mapToItem(content, QPointF(0, 0)).x())
    return [item.property("text") for item in labels]


def tap_candidate(kiosk: Any, text: str) -> None:
    view = candidate_bar(kiosk)
    kiosk.wait_until(lambda: text in candidates(kiosk))
    label = next(item for item in descendants(view)
                 if class_name(item).startswith("QQuickText") and item.property("text") == text)
    tap_item(kiosk, label)


def dictionary_files() -> list[Path]:
    base = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.ConfigLocation))
    return [path for path in base.rglob("*") if path.is_file() and "qtvirtualkeyboard" in path.parts]


def type_yuxi(kiosk: Any, field: Any) -> list[str]:
    field.setProperty("text", "")
    type_on_keyboard(kiosk, "yuxi")
    kiosk.wait_until(lambda: "玉溪" in candidates(kiosk))  # the system dictionary's first answer
    return candidates(kiosk)


def test_a_typed_name_is_not_learned_and_the_dictionary_goes_at_the_wipe(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock"}))
    assert pinyin_user_dictionary().parts[-3:] == PINYIN_USER_DICTIONARY.parts
    field = to_employer_field(kiosk)
    assert type_yuxi(kiosk, field)[:2] == ["玉溪", "预习"]
    tap_candidate(kiosk, "雨")
    tap_candidate(kiosk, "係")
    kiosk.wait_until(lambda: field.property("text") == NAME)
    kiosk.wait_until(lambda: any(f["value"] == NAME for f in kiosk.state["form"]["fields"]))
    assert NAME not in type_yuxi(kiosk, field)  # not learned, not even within the session
    field.setProperty("text", "")
    focus_text_field(kiosk, "field_phone")  # the Pinyin decoder writes its dictionary back

    kiosk.tap("backButton")  # the citizen cancels: the session is wiped
    kiosk.wait_for_screen("face")
    while kiosk.state["screen"] != "attract":
        screen = kiosk.state["screen"]
        kiosk.tap("backButton")
        kiosk.wait_until(lambda screen=screen: kiosk.state["screen"] != screen)
    kiosk.core.take_back_demo_document()
    kiosk.wait_until(lambda: kiosk.state["card_left"] == "")
    for path in dictionary_files():
        assert NAME.encode("utf-16-le") not in path.read_bytes(), path

    field = to_employer_field(kiosk)  # the next citizen
    assert NAME not in type_yuxi(kiosk, field)
    field.setProperty("text", "")
    focus_text_field(kiosk, "field_phone")
    for path in dictionary_files():
        assert NAME.encode("utf-16-le") not in path.read_bytes(), path
