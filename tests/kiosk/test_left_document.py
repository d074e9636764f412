"""A document left on the reader never reaches the next citizen (kiosk/core/left_document.py)."""

from __future__ import annotations

import pytest

from drivers.idcard.simulated.samples import sample_identity


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


def start(demo, start_core, **journey):
    config = demo.config.with_overrides(journey={"document_wait_s": 0.2, **journey})
    driver = start_core(config)
    driver.core._runtime.left_document._interval_s = 0.05  # poll quickly; the logic is the same
    return driver


def reader_of(driver):
    return driver.core.devices["id_reader"].driver


def to_identify(driver) -> None:
    driver.core.choose_service("residence_permit")
    driver.wait_screen("notice")
    driver.core.accept_notice()
    driver.wait_screen("identify")


def to_done(driver, residence_answers) -> None:
    driver.walk_to_form()
    driver.submit(residence_answers)


def answers_after(driver, count: int) -> None:
    guard = driver.core._runtime.left_document
    seen = guard.answers
    driver.wait_for(lambda s: guard.answers >= seen + count)


def test_a_card_left_after_a_journey_is_not_read_into_the_next_session(demo, start_core, residence_answers) -> None:
    driver = start(demo, start_core)
    core = driver.core
    to_done(driver, residence_answers)
    snapshot = driver.wait_for(lambda s: s["card_left"] == "take_back")
    assert snapshot["screen"] == "done"
    driver.finish()  # the citizen walks away, the card stays on the reader
    snapshot = driver.wait_for(lambda s: s["card_left"] == "take_back")
    assert snapshot["screen"] == "attract" and not snapshot["identity"]

    to_identify(driver)  # the next citizen
    driver.wait_for(lambda s: s["card_left"] == "present_again")
    answers_after(driver, 4)
    snapshot = core.snapshot()
    assert snapshot["screen"] == "identify" and not snapshot["identity"]  # nothing read

    reader_of(driver).remove()
    driver.wait_for(lambda s: s["card_left"] == "")
    answers_after(driver, 0)
    assert core.snapshot()["screen"] == "identify"
    core.present_demo_document("passport")  # presented during this identify step: read
    snapshot = driver.wait_screen("face")
    assert snapshot["identity"] and snapshot["card_left"] == ""
    assert core._runtime.journey.session.identity.name == sample_identity("passport").name


def test_back_from_face_waits_for_a_new_presentation(demo, start_core) -> None:
    driver = start(demo, start_core)
    core = driver.core
    to_identify(driver)
    core.present_demo_document("resident_id")
    driver.wait_screen("face")
    core.back()
    snapshot = driver.wait_for(lambda s: s["card_left"] == "present_again")
    assert snapshot["screen"] == "identify" and not snapshot["identity"]
    answers_after(driver, 4)
    assert core.snapshot()["screen"] == "identify"  # no loop back to face on the card lying there
    reader_of(driver).remove()
    driver.wait_for(lambda s: s["card_left"] == "")
    core.present_demo_document("resident_id")
    driver.wait_screen("face")


def test_staff_are_alerted_when_the_card_stays_and_the_reminder_ends_when_it_is_taken(
        demo, start_core, residence_answers) -> None:
    driver = start(demo, start_core, card_left_alert_s=5)
    core = driver.core
    to_done(driver, residence_answers)
    driver.wait_for(lambda s: s["card_left"] == "take_back")
    assert not [e for e in driver.events if e.data.get("reason") == "card_left"]
    guard = core._runtime.left_document
    # Move the moment the card was first seen into the past rather than waiting 5 s.
    core._post(lambda: setattr(guard, "_since", guard._since - 10), changed=False).result()
    answers_after(driver, 2)
    alerts = [e for e in driver.events if e.name == "staff_called" and e.data.get("reason") == "card_left"]
    assert len(alerts) == 1 and alerts[0].data["screen"] == "done"
    answers_after(driver, 2)
    assert len([e for e in driver.events if e.data.get("reason") == "card_left"]) == 1  # once
    core.take_back_demo_document()
    snapshot = driver.wait_for(lambda s: s["card_left"] == "")
    assert snapshot["screen"] == "done"


def test_a_card_taken_back_after_the_read_leaves_no_reminder(demo, start_core, residence_answers) -> None:
    driver = start(demo, start_core)
    guard = driver.core._runtime.left_document
    reader_of(driver).script_take_back(0.0)  # the simulated citizen takes the card at once
    to_done(driver, residence_answers)
    driver.wait_for(lambda s: guard.answers >= 2)  # asked at identify and at the done screen
    driver.finish()
    to_identify(driver)
    driver.wait_for(lambda s: not guard.checking)  # the identify step has looked
    shown = {e.data["snapshot"]["card_left"] for e in driver.events if e.name == "journey_changed"}
    assert shown == {""} and driver.core.snapshot()["screen"] == "identify"


def test_a_reader_that_cannot_report_presence(demo, start_core, residence_answers) -> None:
    """Documented fallback: the done screen always reminds, identify reads at once."""
    driver = start(demo, start_core)
    reader_of(driver).reports_presence = False
    to_done(driver, residence_answers)
    assert driver.wait_for(lambda s: s["card_left"] == "take_back")["screen"] == "done"
    driver.finish()
    assert driver.core.snapshot()["card_left"] == ""  # nothing tells whether a card is there
    to_identify(driver)
    driver.wait_screen("face")  # such a SAM module would not find the card lying there
