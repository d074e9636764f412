"""End to end with the demo platform (a kiosk-central subprocess): pages scanned on the simulated
document camera are sealed with the submission, stored only sealed, synced, and shown page by page
under their material on the case page a case worker opens."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from tests.conftest import operator_client

#: The individual business registration's answers (its form is tested elsewhere).
ANSWERS = {"operator_phone": "13800138000", "organization_form": "individual", "business_type": "online",
           "business_scope": "网上销售日用百货", "shop_url": "https://shop.example.cn/a", "capital": 5,
           "employees": 1, "declaration": True,
           "operator_signature": {"w": 400, "h": 200, "strokes": [[10, 10, 60, 80, 120, 40, 200, 120, 300, 60]]}}


@pytest.mark.timeout(300)
def test_scanned_pages_arrive_sealed_and_show_on_the_case_page(start_core: Any, demo: Any) -> None:
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.2},
        devices={**demo.config.to_dict()["devices"], "document_camera": {"backend": "simulated", "options": {
            "fps": 15, "width": 1600, "height": 1200, "move_frames": 3, "hold_frames": 20}}},
        materials={"steady_frames": 3, "min_dpi": 60})
    driver = start_core(config)
    core = driver.core
    driver.walk_to_form(service="individual_business")
    for field, value in ANSWERS.items():
        core.set_field_value(field, value)
    core.complete_form()
    driver.wait_screen("materials")
    snapshot = driver.wait_for(lambda s: (s.get("materials") or {}).get("page_count", 0) >= 2, timeout=60)
    assert snapshot["materials"]["can_continue"]
    core.materials.done()
    driver.wait_screen("review")
    core.confirm_submission(True)
    number = driver.wait_screen("done")["receipt_number"]

    with sqlite3.connect(core.data_dir / "kiosk.db") as conn:
        (sealed,) = conn.execute("select sealed from submissions where receipt_number = ?", (number,)).fetchone()
        blobs = [row[0] for row in conn.execute(
            "select b.data from blobs b join submission_blobs s on s.sha256 = b.sha256 "
            "join submissions m on m.id = s.submission_id where m.receipt_number = ?", (number,))]
    assert b"material-1-page-2.jpg" in sealed and "经营场所".encode() not in sealed  # names generic, payload sealed
    assert len(blobs) == 4 and not any(blob.startswith(b"\xff\xd8") for blob in blobs)  # 2 photos + 2 pages

    driver.wait_for(lambda s: core.outbox_counts().get("acked", 0) >= 1, timeout=60)
    client = operator_client(demo.central, "case-worker")  # an httpx.Client, logged in
    try:
        page = client.get(f"/cases/{number}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        opened = client.post(f"/cases/{number}/open", data={"csrf": csrf, "reason": "审核申报材料"}).text
    finally:
        client.close()
    section = opened[opened.index("Materials 材料"):]
    assert "经营场所使用证明" in section and "2 page(s)" in section
    assert section.count('class="material-page" src="data:image/jpeg;base64,') == 2
    driver.finish()
