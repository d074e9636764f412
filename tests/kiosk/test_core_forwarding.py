"""The application core end to end with a real central server: a journey stored, printed and
forwarded (the sync worker's side of the core; the rest is in ``test_core.py``, offline)."""

from __future__ import annotations


def test_a_whole_journey_is_stored_printed_and_forwarded(core_driver) -> None:
    core = core_driver.core
    snapshot = core_driver.core.snapshot()
    assert {s["id"] for s in snapshot["catalog"]["services"]} >= {
        "residence_permit", "flexible_employment_insurance", "individual_business"}
    core_driver.walk_to_form()
    form = core.snapshot()["form"]
    name_field = next(f for f in form["fields"] if f["id"] == "name")
    assert name_field["value"] == "陈静怡"  # prefilled from the card
    done = core_driver.submit()
    receipt_number = done["receipt_number"]
    assert receipt_number.startswith("110105-T01-")
    assert done["printed"] is True
    printed = list((core.data_dir / "printed" / "receipts").glob(f"{receipt_number}*.txt"))
    assert printed and receipt_number in printed[0].read_text(encoding="utf-8")
    core_driver.wait_for(lambda s: core.outbox_counts().get("acked", 0) >= 1)
    assert "receipt_printed" in core_driver.event_names()
    core.finish()
    after = core_driver.wait_screen("attract")
    assert after["identity"] is None and after["form"] is None and after["receipt_number"] is None
    assert core.current_photo() is None and core.latest_frame() is None
