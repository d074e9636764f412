"""A whole citizen journey through the real QML, the real core and the simulated devices.

The test taps and types the way a person would: it finds items by objectName, taps their centre
with mouse clicks and types with key presses. Only Chinese text is set through the bridge: typing
it would mean driving the virtual keyboard's Pinyin candidate list, which this test does not do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SERVICE_ID = "residence_permit"


def outbox_rows(data_dir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{data_dir / 'kiosk.db'}?mode=ro", uri=True) as db:
        return db.execute("SELECT receipt_number, state FROM submissions").fetchall()


def test_residence_permit_journey_end_to_end(kiosk) -> None:
    kiosk.screenshot("e2e_01_attract")

    # Attract: choose 居住证申领 on the catalogue.
    kiosk.tap(f"service_{SERVICE_ID}")
    kiosk.wait_for_screen("notice")
    assert kiosk.state["service"]["title"] == "居住证申领"
    assert kiosk.get("headerTitle").property("text") == "居住证申领"
    kiosk.screenshot("e2e_02_notice")

    # Notice: 'I have read it'.
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.screenshot("e2e_03_identify")

    # Identify: the demo control places the sample resident ID card on the simulated reader.
    resident_id = next(d for d in kiosk.state["demo_documents"] if d["key"] == "resident_id")
    assert resident_id
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
    assert kiosk.state["identity"]["has_photo"] in (True, False)

    # Face: the live preview shows camera frames; take the photo, then use it.
    kiosk.wait_until(lambda: kiosk.bridge.frameRevision > 2)
    preview = kiosk.get("cameraPreview")
    kiosk.wait_until(lambda: preview.property("implicitWidth") > 0)  # a frame is shown
    kiosk.screenshot("e2e_04_face_preview")
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    photo = kiosk.get("capturedPhoto")
    kiosk.wait_until(lambda: photo.property("implicitWidth") > 0)
    kiosk.screenshot("e2e_05_face_photo")
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")

    # Form: most answers come from the card.
    fields = {f["id"]: f for f in kiosk.state["form"]["fields"]}
    assert fields["name"]["value"]
    assert fields["id_number"]["value"]
    assert kiosk.get("field_name").property("text") == fields["name"]["value"]
    kiosk.screenshot("e2e_06_form_prefilled")

    # Chinese text: set through the bridge (see the module docstring).
    kiosk.bridge.setFieldValue("residence_address", "北京市朝阳区建国路88号3号楼2单元501室")
    kiosk.wait_until(lambda: kiosk.get("field_residence_address").property("text").startswith("北京市"))

    kiosk.type_into("field_residence_since", "20230501")
    kiosk.tap("field_basis_residence")
    kiosk.tap("field_housing_type_rented")  # appears once 'legal, stable residence' is chosen
    kiosk.type_into("field_phone", "13800138000")
    kiosk.tap("field_collection_method_pickup")
    kiosk.tap("field_declaration")
    kiosk.wait_until(lambda: kiosk.state["form"]["complete"])
    values = {f["id"]: f["value"] for f in kiosk.state["form"]["fields"]}
    assert values["residence_since"] == "2023-05-01"
    assert values["phone"] == "13800138000"
    kiosk.screenshot("e2e_07_form_filled")

    kiosk.tap("completeFormButton")
    kiosk.wait_for_screen("review")
    review = {row["label"]: row["value"] for row in kiosk.state["review"]}
    assert "13800138000" in review.values()
    kiosk.screenshot("e2e_08_review")

    # Review: submitting without consent is refused with a message; then consent and submit.
    kiosk.tap("submitButton")
    kiosk.wait_until(lambda: kiosk.state["message"])
    assert kiosk.state["screen"] == "review"
    kiosk.tap("consentCheckBox")
    assert kiosk.get("consentCheckBox").property("checked") is True
    kiosk.tap("submitButton")

    # Submitting → printing → done.
    kiosk.wait_for_screen("done", timeout_ms=30_000)
    receipt_number = kiosk.state["receipt_number"]
    assert receipt_number
    assert kiosk.state["printed"] is True
    assert kiosk.get("receiptNumberText").property("text") == receipt_number
    assert kiosk.get("printedText").isVisible()
    kiosk.screenshot("e2e_09_done")

    # The submission is stored (sealed) in the outbox with the number shown on screen.
    data_dir = kiosk.config.storage.resolved_data_dir()
    rows = outbox_rows(data_dir)
    assert len(rows) == 1
    assert rows[0][0] == receipt_number
    assert rows[0][1] in ("queued", "acked")

    # The simulated receipt printer wrote the receipt, with the same number on it.
    receipts = data_dir / "printed" / "receipts"
    texts = [p.read_text(encoding="utf-8") for p in receipts.glob("*.txt")]
    assert len(texts) == 1
    assert receipt_number in texts[0]
    assert list(receipts.glob("*.png"))

    # Finish: everything of the citizen is gone, back to the start.
    kiosk.tap("finishButton")
    kiosk.wait_for_screen("attract")
    assert kiosk.state["identity"] is None
    assert kiosk.state["receipt_number"] is None
