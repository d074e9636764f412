"""The identify step with the real reader backends: SAM over a pty, and a passport over PC/SC
(private pcscd + vsmartcard-vpcd + our emulator) with its access key typed on the screen."""

from __future__ import annotations

import json

import pytest

from kiosk.applicant import applicant_record


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


def identify_step_has_looked(driver) -> None:
    """Wait until the identify step knows no document lay there from before: a passport laid down
    earlier would rightly be taken for one left by someone else (kiosk/core/left_document.py)."""
    driver.wait_for(lambda s: not driver.core._runtime.left_document.checking and not s["card_left"])


def pcsc_config(demo, rig):
    return demo.config.with_overrides(
        journey={"document_wait_s": 0.2},
        devices={"id_reader": {"backend": "pcsc", "options": {
            "reader_name": rig.reader_name, "allow_virtual_readers": True, "poll_interval_s": 0.05,
            "supervise_interval_s": 0.3}}})


def test_resident_card_through_the_sam_backend_prefills_the_form(demo, start_core) -> None:
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.2},
        devices={"id_reader": {"backend": "sam_simulated", "options": {"poll_interval_s": 0.02}}})
    driver = start_core(config)
    driver.walk_to_form("resident_id")
    form = driver.core.snapshot()["form"]
    assert next(f for f in form["fields"] if f["id"] == "name")["value"] == "陈静怡"
    driver.finish()




def test_passport_access_key_is_asked_checked_and_forgotten(demo, start_core, rig) -> None:
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.2},
        devices={"id_reader": {"backend": "pcsc", "options": {
            "reader_name": rig.reader_name, "allow_virtual_readers": True, "poll_interval_s": 0.05,
            "supervise_interval_s": 0.5}}})
    driver = start_core(config)
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    identify_step_has_looked(driver)
    rig.insert()
    driver.wait_for(lambda s: s["access_key"]["needed"])
    core.enter_access_key("EH6183524", "9008", "310614")  # too short: refused before the chip
    driver.wait_for(lambda s: s["access_key"]["error"] == "invalid")
    core.enter_access_key("EH6183524", "900803", "310614")  # wrong birth date: the chip refuses
    driver.wait_for(lambda s: s["access_key"]["error"] == "rejected", timeout=30)
    key = rig.passport.key
    core.enter_access_key(key.document_number, key.birth_date, key.expiry_date)
    snapshot = driver.wait_screen("face", timeout=30)
    assert snapshot["identity"] and not snapshot["access_key"]["needed"]
    # No CSCA configured: staff read "not authenticated"; the citizen's screens say nothing of it.
    assert applicant_record(core._runtime.journey.session.identity)["document_check"] == "not authenticated"
    assert "authenticat" not in json.dumps(snapshot, default=str)
    assert "card_read" in driver.event_names()
    reader = core.devices["id_reader"].driver
    assert reader.needs_access_key()  # used once, then forgotten
    driver.finish()
    rig.remove()


def test_card_pulled_mid_read_emits_card_removed_and_read_failed(demo, start_core) -> None:
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.2},
        devices={"id_reader": {"backend": "sam_simulated", "options": {"poll_interval_s": 0.02}}})
    driver = start_core(config)
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    reader = core.devices["id_reader"].driver
    reader.script_fault("card_removed")
    core.present_demo_document("resident_id")
    driver.wait_for(lambda s: "read_failed" in driver.event_names())
    failed = next(e for e in driver.events if e.name == "read_failed")
    assert failed.data["reason"] == "document_removed" and "card_removed" in driver.event_names()
    core.present_demo_document("resident_id")  # placed again: read afresh
    driver.wait_screen("face")
    driver.finish()


def test_one_identify_step_for_both_reader_stacks(demo, start_core, rig) -> None:
    """A terminal with a SAM reader and a PC/SC reader: whichever document is presented is read."""
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.3},
        devices={"id_reader": {"backend": "multi", "options": {"readers": [
            {"backend": "sam_simulated", "options": {"poll_interval_s": 0.02}},
            {"backend": "pcsc", "options": {
                "reader_name": rig.reader_name, "allow_virtual_readers": True, "poll_interval_s": 0.05}},
        ]}}})
    driver = start_core(config)
    driver.walk_to_form("resident_id")
    driver.finish()
    core = driver.core
    core.devices["id_reader"].driver.readers[0].remove()  # the citizen takes the card back
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    identify_step_has_looked(driver)
    rig.insert()
    driver.wait_for(lambda s: s["access_key"]["needed"], timeout=30)
    key = rig.passport.key
    core.enter_access_key(key.document_number, key.birth_date, key.expiry_date)
    assert driver.wait_screen("face", timeout=30)["identity"]
    driver.finish()
    rig.remove()


def test_pcscd_stopped_and_restarted_under_a_live_kiosk(demo, start_core, rig, pcsc_watchers) -> None:
    """pcscd goes away while the identify screen waits: the reader reports OFFLINE, the watcher
    thread lives on (a thread dying of an exception fails the test), and when the daemon is back
    the passport is read as if nothing happened."""
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.2},
        devices={"id_reader": {"backend": "pcsc", "options": {
            "reader_name": rig.reader_name, "allow_virtual_readers": True, "poll_interval_s": 0.05,
            "supervise_interval_s": 0.3}}})
    driver = start_core(config)
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    driver.wait_for(lambda s: s["devices"]["id_reader"]["state"] == "online")
    rig.pcscd.stop()
    offline = driver.wait_for(lambda s: s["devices"]["id_reader"]["state"] == "offline")
    assert offline["devices"]["id_reader"]["detail"] == "PC/SC service unavailable"
    assert offline["screen"] == "identify" and [t.name for t in pcsc_watchers()] == ["pcsc-watch"]
    rig.pcscd.start()
    driver.wait_for(lambda s: s["devices"]["id_reader"]["state"] == "online")
    identify_step_has_looked(driver)  # nothing was seen while the reader could not tell
    # No "card removed" assertion here: a read under way when pcscd goes can end as "document
    # removed" (1 run in 20), which the step survives as a failed read; what matters is below,
    # the passport presented next is read.
    rig.insert()
    driver.wait_for(lambda s: s["access_key"]["needed"], timeout=30)
    key = rig.passport.key
    core.enter_access_key(key.document_number, key.birth_date, key.expiry_date)
    assert driver.wait_screen("face", timeout=30)["identity"]
    driver.finish()
    core.stop()
    rig.remove()
    assert pcsc_watchers() == []  # stopping the kiosk stopped what watched pcscd


def test_a_passport_presented_in_the_step_is_still_read_after_pcscd_restarts(demo, start_core, rig) -> None:
    """The citizen's passport lies on the reader, presented during the step, when pcscd restarts:
    it is the same presentation, read once the access key is typed (no "place it again")."""
    driver = start_core(pcsc_config(demo, rig))
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    identify_step_has_looked(driver)
    rig.insert()
    driver.wait_for(lambda s: s["access_key"]["needed"], timeout=30)
    rig.pcscd.stop()
    driver.wait_for(lambda s: s["devices"]["id_reader"]["state"] == "offline")
    rig.pcscd.start()
    rig.insert()  # vpcd's card connection died with pcscd; a real passport never left the field
    driver.wait_for(lambda s: s["devices"]["id_reader"]["state"] == "online")
    key = rig.passport.key
    core.enter_access_key(key.document_number, key.birth_date, key.expiry_date)
    snapshot = driver.wait_screen("face", timeout=30)
    assert snapshot["identity"] and snapshot["card_left"] == ""
    driver.finish()
    core.stop()
    rig.remove()
