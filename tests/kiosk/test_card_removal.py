"""``journey.card_removal``: taking the document off the reader after a successful read."""

from __future__ import annotations

import pytest

from drivers.idcard.simulated.samples import sample_identity


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


def start(demo, start_core, policy: str, **devices):
    config = demo.config.with_overrides(journey={"document_wait_s": 0.2, "card_removal": policy}, **devices)
    return start_core(config)


def read_card(driver, document: str = "resident_id") -> None:
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    core.present_demo_document(document)
    driver.wait_screen("face")


def reader_of(driver):
    return driver.core.devices["id_reader"].driver


def wiped_reasons(driver) -> list[str]:
    return [event.data["reason"] for event in driver.events if event.name == "session_wiped"]


@pytest.mark.parametrize("screen", ["face", "form"])
def test_wipe_policy_ends_the_session_when_the_card_leaves(demo, start_core, screen) -> None:
    driver = start(demo, start_core, "wipe")
    core = driver.core
    if screen == "face":
        read_card(driver)
    else:
        driver.walk_to_form()
    # The card lies on the reader for several presence polls without anything happening.
    watch = core._runtime.identify.card_watch
    asked = watch.answers
    driver.wait_for(lambda s: watch.answers >= asked + 3)
    assert core.snapshot()["screen"] == screen and core.snapshot()["identity"]
    reader_of(driver).remove()
    snapshot = driver.wait_screen("attract")
    assert wiped_reasons(driver) == ["card_removed"]
    assert "card_removed" in driver.event_names()
    assert not snapshot["identity"] and not snapshot.get("form")
    assert core.current_photo() is None and not watch.active
    identity = sample_identity("resident_id")
    # The demo buttons name the sample cards by design; nothing else may.
    rest = repr({key: value for key, value in snapshot.items() if key != "demo_documents"})
    assert identity.name not in rest and identity.document_number not in rest
    core.audit.flush()
    wiped = [e for e in core.audit.events() if e.kind == "session.wiped"][-1]
    assert wiped.details["reason"] == "card_removed" and wiped.details["last_screen"] == screen


def test_keep_policy_lets_the_citizen_take_the_card_back(demo, start_core, residence_answers) -> None:
    driver = start(demo, start_core, "keep")
    core = driver.core
    read_card(driver)
    assert not core._runtime.identify.card_watch.active
    reader_of(driver).remove()
    driver.wait_for(lambda s: core.latest_frame() is not None)
    core.capture_photo()
    driver.wait_for(lambda s: s["has_photo"])
    core.accept_photo()
    driver.wait_screen("form")
    driver.submit(residence_answers)
    driver.finish()
    assert wiped_reasons(driver) == ["finished"]


def test_wipe_policy_stops_watching_after_back_to_identify_and_at_done(
        demo, start_core, residence_answers) -> None:
    driver = start(demo, start_core, "wipe")
    core = driver.core
    watch = core._runtime.identify.card_watch
    read_card(driver)
    assert watch.active
    core.back()  # another document may be presented: the old one is no longer watched
    driver.wait_screen("identify")
    assert not watch.active
    driver.wait_for(lambda s: s["card_left"] == "present_again")  # not read again as it lies
    reader_of(driver).remove()
    driver.wait_for(lambda s: s["card_left"] == "")
    core.present_demo_document("resident_id")  # presented again: read, watched again
    driver.wait_screen("face")
    driver.wait_for(lambda s: watch.active)
    driver.wait_for(lambda s: core.latest_frame() is not None)
    core.capture_photo()
    driver.wait_for(lambda s: s["has_photo"])
    core.accept_photo()
    driver.wait_screen("form")
    driver.submit(residence_answers)
    driver.wait_for(lambda s: not watch.active)  # the done screen ends the watch
    reader_of(driver).remove()
    assert core.snapshot()["screen"] == "done"
    driver.finish()
    assert wiped_reasons(driver) == ["finished"]


def test_wipe_policy_through_the_sam_backend(demo, start_core) -> None:
    """The real ``sam`` backend over a pty: presence is asked with "find card"."""
    driver = start(demo, start_core, "wipe", devices={
        "id_reader": {"backend": "sam_simulated", "options": {"poll_interval_s": 0.02}}})
    read_card(driver)
    watch = driver.core._runtime.identify.card_watch
    driver.wait_for(lambda s: watch.active)
    reader_of(driver).remove()
    snapshot = driver.wait_screen("attract")
    assert wiped_reasons(driver) == ["card_removed"] and not snapshot["identity"]
