"""The scanning step through the real QML on the simulated document camera: the notice says which
materials are scanned here, guidance over the live picture, pages taken by themselves, retake and
delete, the required material holding the citizen, thumbnails on the review, and the pages in the
sealed submission."""

from __future__ import annotations

import sqlite3
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from .test_input_widgets import walk_to_form

#: The individual business registration's answers (the form itself is tested elsewhere).
ANSWERS = {"operator_phone": "13800138000", "organization_form": "individual", "business_type": "online",
           "business_scope": "网上销售日用百货", "shop_url": "https://shop.example.cn/a", "capital": 5,
           "employees": 1, "declaration": True,
           "operator_signature": {"w": 400, "h": 200, "strokes": [[10, 10, 60, 80, 120, 40, 200, 120, 300, 60]]}}


@pytest.fixture
def scanning_config(kiosk_config: Any) -> Any:
    # 1600×1200 frames see the sheet at about 95 dpi: the resolution check is lowered to match.
    return kiosk_config.with_overrides(
        devices={**kiosk_config.to_dict()["devices"], "document_camera": {"backend": "simulated", "options": {
            "fps": 12, "width": 1600, "height": 1200, "move_frames": 4, "hold_frames": 30}}},
        materials={"steady_frames": 3, "min_dpi": 60})


def scan(kiosk: Any) -> dict[str, Any]:
    return kiosk.state["materials"] or {}


def pages(kiosk: Any) -> list[int]:
    return [len(item["pages"]) for item in scan(kiosk).get("items", [])]


def to_materials(kiosk: Any) -> None:
    walk_to_form(kiosk, "individual_business")
    for field_id, value in ANSWERS.items():
        kiosk.core.set_field_value(field_id, value)
    kiosk.wait_until(lambda: kiosk.state["form"]["complete"])
    kiosk.tap("completeFormButton")
    kiosk.wait_for_screen("materials")


def test_the_notice_says_what_is_scanned_here(make_kiosk: Any, scanning_config: Any) -> None:
    kiosk = make_kiosk(scanning_config)
    kiosk.tap("service_individual_business")
    kiosk.wait_for_screen("notice")
    intakes = [m["intake"] for m in kiosk.state["service"]["notice"]["material_intakes"]]
    assert intakes == ["terminal", "scan", "scan", "platform"]
    assert kiosk.get("materialIntake_1", timeout_ms=5000).property("text") == "在本机高拍仪扫描，共2页"
    assert kiosk.find("materialIntake_3", visible_only=False).property("text") == "平台已有，无需提交"


def test_pages_are_scanned_with_guidance_reviewed_and_sealed(make_kiosk: Any, scanning_config: Any,
                                                             tmp_path: Path) -> None:
    kiosk = make_kiosk(scanning_config)
    to_materials(kiosk)
    assert kiosk.get("materialsDoneButton").isEnabled() is False  # the required material has no page
    seen: set[str] = set()
    kiosk.wait_until(lambda: kiosk.engine.rootContext().contextProperty("materials").property("frameRevision") > 2)
    kiosk.wait_until(lambda: (seen.add(scan(kiosk).get("guidance", "")), scan(kiosk).get("guidance") in (
        "move_into_frame", "hold_still"))[1], timeout_ms=20_000)
    kiosk.screenshot("materials_guidance")
    assert {"move_into_frame", "hold_still"} & seen  # the sheet was guided in before it was taken
    guidance = kiosk.get("pageGuidanceText")  # the screen shows the core's words, whichever they are now
    kiosk.wait_until(lambda: guidance.property("text") == scan(kiosk).get("guidance_text"))
    kiosk.wait_until(lambda: sum(pages(kiosk)) >= 1, timeout_ms=30_000)
    kiosk.get("pageThumbnail_0_0")
    kiosk.wait_until(lambda: sum(pages(kiosk)) >= 2, timeout_ms=30_000)
    assert pages(kiosk)[0] == 2  # the first material is full: the next one is current
    kiosk.screenshot("materials_two_pages")

    kiosk.tap("deletePage_0_1")
    kiosk.wait_until(lambda: pages(kiosk)[0] == 1)
    kiosk.tap("retakePage_0_0")
    kiosk.wait_until(lambda: pages(kiosk)[0] == 0)
    kiosk.wait_until(lambda: not kiosk.get("materialsDoneButton").isEnabled())
    kiosk.tap("demoPage_clean")  # lay the next sheet at once
    kiosk.wait_until(lambda: pages(kiosk)[0] >= 1, timeout_ms=30_000)
    kiosk.wait_until(lambda: kiosk.get("materialsDoneButton").isEnabled())
    kiosk.tap("materialsDoneButton")
    kiosk.wait_for_screen("review")
    thumbnail = kiosk.get("reviewThumbnail_0_0")
    kiosk.scroll_into_view(thumbnail)
    kiosk.wait_until(lambda: thumbnail.property("implicitWidth") > 4)  # the page's thumbnail has loaded
    kiosk.screenshot("materials_review")

    kiosk.tap("consentCheckBox")
    kiosk.tap("submitButton")
    kiosk.wait_for_screen("done", timeout_ms=20_000)
    # The A4 form printed for the citizen lists what was attached.
    kiosk.wait_until(lambda: list((kiosk.config.storage.resolved_data_dir() / "printed" / "documents").glob("*.pdf")))
    (form,) = (kiosk.config.storage.resolved_data_dir() / "printed" / "documents").glob("*.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(form), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "经营场所使用证明" in unicodedata.normalize("NFKC", text)
    db = kiosk.config.storage.resolved_data_dir() / "kiosk.db"
    with sqlite3.connect(db) as conn:
        sealed = [row[0] for row in conn.execute("select sealed from submissions")]
        blobs = [row[0] for row in conn.execute("select data from blobs")]
    assert len(sealed) == 1 and b"material-1-page-1.jpg" in sealed[0]  # a generic name, in clear
    assert len(blobs) >= 3 and not any(blob.startswith(b"\xff\xd8") for blob in blobs)  # sealed, not JPEG
    assert all(len(blob) <= 300_000 + 16 for blob in blobs)  # a page and its GCM tag


def test_elder_mode_and_english(make_kiosk: Any, scanning_config: Any) -> None:
    kiosk = make_kiosk(scanning_config)
    kiosk.core.set_language("en")
    kiosk.core.set_preference("elder_mode", True)
    kiosk.wait_until(lambda: kiosk.state.get("language") == "en" and kiosk.state.get("elder_mode"))
    kiosk.settle(0.3)
    to_materials(kiosk)
    kiosk.wait_until(lambda: sum(pages(kiosk)) >= 1, timeout_ms=30_000)
    assert kiosk.get("screenTitle").property("text") == "Scan your documents"
    assert "Required" in kiosk.get("materialStatus_0").property("text")
    kiosk.screenshot("materials_elder_en")


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_scanning_screen_passes_the_accessibility_audit(make_kiosk: Any, scanning_config: Any,
                                                            orientation: str) -> None:
    from .test_accessibility_audit import Audit

    # One sheet that stays on the desk once taken, so the screen holds still while it is audited.
    config = scanning_config.with_overrides(
        ui={"orientation": orientation, "voice_engine": "mock"},
        devices={**scanning_config.to_dict()["devices"], "document_camera": {"backend": "simulated", "options": {
            "fps": 12, "width": 1600, "height": 1200, "move_frames": 4, "hold_frames": 100_000}}})
    kiosk = make_kiosk(config)
    audit = Audit(kiosk, orientation)
    to_materials(kiosk)
    kiosk.wait_until(lambda: sum(pages(kiosk)) >= 1 and scan(kiosk).get("guidance") == "captured", timeout_ms=30_000)
    kiosk.wait_until(lambda: kiosk.get("pageThumbnail_0_0").property("implicitWidth") > 0)
    audit.screen("materials")
    kiosk.screenshot(f"materials_audit_{orientation}")
    kiosk.tap("retakePage_0_0")
    kiosk.wait_until(lambda: sum(pages(kiosk)) == 0)
    kiosk.core.materials.done()  # as a double tap would: refused, and said why
    kiosk.wait_until(lambda: kiosk.state.get("message"))
    audit.screen("materials_missing")
    if audit.findings:
        pytest.fail(f"{len(audit.findings)} accessibility findings:\n  " + "\n  ".join(audit.findings), pytrace=False)
