"""A document left on the reader never reaches the next citizen, as seen on the real QML.

The simulated reader leaves the card lying after the read, like a citizen who forgets it. The
done screen and the start screen after "Finish" ask for it in both languages and by voice; the
next citizen's identify step does not read it until it was taken off and placed again; "Back"
from the face step waits for a new presentation instead of reading the card still lying there.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.test_privacy_wipe import walk_to_review

TAKE_BACK_ZH = "请取回您的证件"
TAKE_BACK_EN = "Please take your ID card"


@pytest.fixture
def demo_kiosk(make_kiosk: Any, kiosk_config: Any) -> Any:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock"}))
    kiosk.wait_until(lambda: kiosk.core.devices is not None)
    kiosk.core._runtime.left_document._interval_s = 0.05  # poll quickly; the logic is the same
    return kiosk


def reminder_text(kiosk: Any) -> str:
    lines = [kiosk.find(name) for name in ("cardReminderZh", "cardReminderEn")]
    return "\n".join(item.property("text") for item in lines if item is not None)


def finish_the_form(kiosk: Any) -> None:
    for field_id, value in (("residence_since", "2023-05-01"), ("basis", "residence"),
                            ("housing_type", "rented"), ("collection_method", "pickup"),
                            ("declaration", True)):
        kiosk.bridge.setFieldValue(field_id, value)
    kiosk.wait_until(lambda: kiosk.state["form"] and kiosk.state["form"]["complete"])
    kiosk.tap("completeFormButton")
    kiosk.wait_for_screen("review")
    kiosk.tap("consentCheckBox")
    kiosk.tap("submitButton")
    kiosk.wait_for_screen("done", timeout_ms=30_000)


def test_the_card_left_on_the_reader_is_asked_for_and_never_read_into_the_next_session(demo_kiosk: Any) -> None:
    kiosk = demo_kiosk
    walk_to_review(kiosk)
    finish_the_form(kiosk)
    kiosk.wait_until(lambda: kiosk.find("cardReminder") is not None)
    assert reminder_text(kiosk) == TAKE_BACK_ZH + "\n" + TAKE_BACK_EN
    voice = kiosk.find("voice", visible_only=False)
    kiosk.wait_until(lambda: TAKE_BACK_ZH in voice.property("lastSpoken"))
    kiosk.screenshot("card_left_done")

    kiosk.tap("finishButton")
    kiosk.wait_for_screen("attract")
    kiosk.wait_until(lambda: kiosk.find("cardReminder") is not None)  # still lying there
    spoken = voice.property("spokenCount")
    kiosk.wait_until(lambda: voice.property("spokenCount") > spoken, timeout_ms=20_000)  # asked again
    assert TAKE_BACK_ZH in voice.property("lastSpoken")

    # The next citizen: the identify step does not read the card lying there.
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.wait_until(lambda: kiosk.state["card_left"] == "present_again")
    assert "再重新放置" in reminder_text(kiosk) and "place it again" in reminder_text(kiosk)
    asked = kiosk.core._runtime.left_document.answers
    kiosk.wait_until(lambda: kiosk.core._runtime.left_document.answers >= asked + 4)
    assert kiosk.state["screen"] == "identify" and not kiosk.state["identity"]
    kiosk.screenshot("card_left_identify")

    kiosk.tap("demoTakeBackDocument")
    kiosk.wait_until(lambda: kiosk.find("cardReminder") is None)
    kiosk.tap("demoDocument_passport")  # presented during this step: read
    kiosk.wait_for_screen("face")
    assert kiosk.state["identity"]["document_type"] == "护照"


def test_back_from_the_face_step_waits_for_a_new_presentation(demo_kiosk: Any) -> None:
    kiosk = demo_kiosk
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
    kiosk.tap("backButton")
    kiosk.wait_for_screen("identify")
    kiosk.wait_until(lambda: kiosk.find("cardReminder") is not None)
    asked = kiosk.core._runtime.left_document.answers
    kiosk.wait_until(lambda: kiosk.core._runtime.left_document.answers >= asked + 4)
    assert kiosk.state["screen"] == "identify" and not kiosk.state["identity"]  # no loop to face
    kiosk.tap("demoTakeBackDocument")
    kiosk.wait_until(lambda: kiosk.find("cardReminder") is None)
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
