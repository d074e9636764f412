"""The progress errand on the real core against the demo's real platform (a subprocess on
loopback): an application submitted at the terminal, corrections asked for by a case worker,
the citizen coming back with the card, seeing 待补正 and what to fix, re-submitting from the
progress screen, and the platform filing the re-submission under the same case."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import operator_client

from .conftest import CoreDriver


def synced(core: Any, timeout: float = 30.0) -> None:
    """Wait until the outbox has sent everything (a bound on waiting, not a timing assertion)."""
    end = time.monotonic() + timeout
    while (counts := core.outbox_counts()).get("queued", 0) + counts.get("sending", 0) > 0:
        assert time.monotonic() < end, counts
        time.sleep(0.1)


def check_progress(driver: CoreDriver) -> dict[str, Any]:
    """Check progress with the sample resident ID card; the screen once the answer is in."""
    core = driver.core
    core.take_back_demo_document()  # the last citizen's visit ended with the card taken
    driver.wait_for(lambda s: s.get("card_left", "") == "")
    core.choose_errand("progress")
    driver.wait_screen("identify")
    core.present_demo_document("resident_id")
    driver.wait_screen("progress")
    return driver.wait_for(lambda s: s["progress"] and s["progress"]["phase"] == "ready")


def test_a_correction_asked_for_is_seen_and_resubmitted_from_the_progress_screen(demo, core_driver, residence_answers):
    core = core_driver.core
    core_driver.walk_to_form()
    first = core_driver.submit(residence_answers)["receipt_number"]
    core_driver.finish()
    synced(core)

    worker = operator_client(demo.central, "case-worker")
    try:
        csrf = {"X-CSRF-Token": worker.get("/v1/session").json()["csrf"]}
        asked = worker.post(f"/v1/cases/{first}/actions", headers=csrf, json={
            "action": "request_corrections", "note": "请补充租赁合同首页"})
        assert asked.status_code == 200, asked.text

        cases = check_progress(core_driver)["progress"]["cases"]
        mine = next(c for c in cases if c["receipt_number"] == first)
        assert mine["status"] == "corrections_requested" and mine["can_correct"]
        assert mine["note"] == "请补充租赁合同首页" and mine["service"] == "居住证申领"

        core.progress.submit_corrections(first)
        snapshot = core_driver.wait_screen("face")
        assert snapshot["errand"] == "apply" and snapshot["service"]["id"] == "residence_permit"
        core_driver.wait_for(lambda s: core.latest_frame() is not None)
        core.capture_photo()
        core_driver.wait_for(lambda s: s["has_photo"])
        core.accept_photo()
        core_driver.wait_screen("form")
        second = core_driver.submit(residence_answers)["receipt_number"]
        assert second != first
        core_driver.finish()
        synced(core)

        case = worker.get(f"/v1/cases/{second}").json()
        assert case["receipt_number"] == first and case["status"] == "resubmitted"
        assert [s["receipt_number"] for s in case["submissions"]] == [first, second]
    finally:
        worker.close()

    again = next(c for c in check_progress(core_driver)["progress"]["cases"] if c["receipt_number"] == first)
    assert again["status"] == "resubmitted" and not again["can_correct"]
    core.finish()
    core_driver.wait_screen("attract")
