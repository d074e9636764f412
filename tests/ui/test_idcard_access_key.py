"""The passport access key typed on the real identify screen, read through pcscd + vpcd."""

from __future__ import annotations

from typing import Any


def test_passport_key_typed_on_the_identify_screen(make_kiosk, kiosk_config: Any, rig) -> None:
    config = kiosk_config.with_overrides(devices={"id_reader": {"backend": "pcsc", "options": {
        "reader_name": rig.reader_name, "allow_virtual_readers": True, "poll_interval_s": 0.05}}})
    kiosk = make_kiosk(config)
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    assert kiosk.find("accessKeyPanel") is None  # nothing to type before a passport is there
    rig.insert()
    kiosk.get("accessKeyPanel", timeout_ms=20_000)
    kiosk.screenshot("identify_access_key")
    key = rig.passport.key
    kiosk.type_into("accessKey_keyNumber", key.document_number)
    kiosk.type_into("accessKey_keyBirth", key.birth_date)
    kiosk.type_into("accessKey_keyExpiry", key.expiry_date)
    kiosk.tap("accessKeySubmit")
    kiosk.wait_for_screen("face", timeout_ms=30_000)
    assert kiosk.state["identity"] and not kiosk.state["access_key"]["needed"]
