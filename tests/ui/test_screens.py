"""Every screen loads without a QML warning and renders; screenshots go to tests/_screenshots/.

`make screens` runs the tests named *screenshot*. The screenshots are for people to look at;
the assertions here check what can be checked mechanically (items present, texts translated,
touch targets big enough, every character in the CJK font).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QGuiApplication

from ui.app import CJK_FONT_FAMILY
from ui.i18n.build import ts_path

BUTTONS = ("backButton", "callStaffButton", "languageZh", "languageEn")


def check_chrome(kiosk: Any) -> None:
    """Back, call staff and the language switch on every screen, each a big touch target."""
    for name in BUTTONS:
        item = kiosk.find(name, visible_only=False)
        assert item is not None and item.isVisible(), name
        assert item.width() >= 60 and item.height() >= 60, (name, item.width(), item.height())
    assert kiosk.get("stepIndicator").isVisible()


def walk_to_review(kiosk: Any, shot: str) -> None:
    kiosk.screenshot(f"{shot}_1_attract")
    check_chrome(kiosk)
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.screenshot(f"{shot}_2_notice")
    check_chrome(kiosk)
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.screenshot(f"{shot}_3_identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
    preview = kiosk.get("cameraPreview")
    kiosk.wait_until(lambda: preview.property("implicitWidth") > 0)
    kiosk.screenshot(f"{shot}_4_face_preview")
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    photo = kiosk.get("capturedPhoto")
    kiosk.wait_until(lambda: photo.property("implicitWidth") > 0)
    kiosk.screenshot(f"{shot}_4_face_photo")
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")
    kiosk.tap("completeFormButton")  # incomplete: the errors show inline
    kiosk.wait_until(lambda: kiosk.state["message"])
    # The form went to the first problem, a typed answer: the keyboard is up for it and the
    # chrome has stepped aside. The citizen closes the keyboard to look around.
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.wait_until(lambda: panel.property("active"))
    QGuiApplication.inputMethod().hide()
    kiosk.wait_until(lambda: not panel.property("active"))
    kiosk.settle(0.2)
    kiosk.screenshot(f"{shot}_5_form_errors")
    check_chrome(kiosk)
    kiosk.tap("field_residence_address")
    kiosk.wait_until(lambda: panel.property("active"))
    kiosk.settle(0.3)
    field = kiosk.get("field_residence_address")
    flick = kiosk.get("formFlickable")
    # The field being typed into is scrolled into view, above the keyboard.
    field_rect = field.mapRectToScene(field.boundingRect())
    view_rect = flick.mapRectToScene(flick.boundingRect())
    assert view_rect.contains(field_rect), (field_rect, view_rect)
    assert field_rect.bottom() <= panel.y()
    kiosk.screenshot(f"{shot}_5_form_keyboard")
    kiosk.bridge.setFieldValue("residence_address", "北京市朝阳区建国路88号")
    kiosk.type_into("field_residence_since", "20230501")
    kiosk.tap("field_basis_study")
    kiosk.bridge.setFieldValue("school", "北京市第八十中学")
    kiosk.type_into("field_phone", "13800138000")
    kiosk.tap("field_collection_method_pickup")
    kiosk.tap("field_declaration")
    kiosk.wait_until(lambda: kiosk.state["form"]["complete"])
    kiosk.tap("completeFormButton")
    kiosk.wait_for_screen("review")
    kiosk.screenshot(f"{shot}_6_review")
    check_chrome(kiosk)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_screen_screenshot(make_kiosk: Any, kiosk_config: Any, language: str) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"language": language}))
    assert kiosk.get("callStaffButton").property("text") == ("呼叫工作人员" if language == "zh-CN" else "Call staff")
    walk_to_review(kiosk, language)

    # Submitting and printing last only a moment on simulated devices: to look at them, the
    # bridge is shown a copy of the real review snapshot with the screen changed.
    review = dict(kiosk.state)
    for screen in ("submitting", "printing"):
        kiosk.bridge._apply_snapshot(dict(review, screen=screen, busy=True, receipt_number="110105-T01-20260101-0001"))
        kiosk.wait_until(lambda screen=screen: kiosk.find(f"screen_{screen}"))
        kiosk.screenshot(f"{language}_7_{screen}")
        assert not kiosk.get("backButton").isEnabled()
    kiosk.bridge._apply_snapshot(review)

    kiosk.tap("consentCheckBox")
    kiosk.tap("submitButton")
    kiosk.wait_for_screen("done", timeout_ms=30_000)
    kiosk.screenshot(f"{language}_8_done")
    check_chrome(kiosk)
    done = dict(kiosk.state)
    kiosk.bridge._apply_snapshot(dict(done, printed=False, message=""))
    kiosk.wait_until(lambda: kiosk.find("printerUnavailableBanner"))
    kiosk.screenshot(f"{language}_8_done_printer_unavailable")
    kiosk.bridge._apply_snapshot(done)


def test_landscape_screenshot(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"orientation": "landscape"}))
    assert (kiosk.window.width(), kiosk.window.height()) == (1920, 1080)
    walk_to_review(kiosk, "landscape")


def test_idle_countdown_overlay_screenshot(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(journey={"idle_timeout_s": 60, "idle_warning_s": 59.5}))
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    overlay = kiosk.find("idleOverlay", visible_only=False)
    kiosk.wait_until(lambda: overlay.isVisible())
    kiosk.screenshot("idle_countdown")
    kiosk.tap("idleContinueButton")  # any touch keeps the session
    kiosk.wait_until(lambda: not overlay.isVisible())
    assert kiosk.state["screen"] == "notice"


def test_portrait_is_the_default_and_the_window_is_big(kiosk: Any) -> None:
    assert (kiosk.window.width(), kiosk.window.height()) == (1080, 1920)
    assert kiosk.app.font().family() == CJK_FONT_FAMILY


def test_no_character_of_the_chrome_or_the_catalogue_is_missing_from_the_font(kiosk: Any) -> None:
    assert CJK_FONT_FAMILY in QFontDatabase.families()
    metrics = QFontMetrics(QFont(CJK_FONT_FAMILY))
    texts = [m.text or "" for m in ET.parse(ts_path("zh_CN")).getroot().iter("translation")]
    texts += [m.text or "" for m in ET.parse(ts_path("zh_CN")).getroot().iter("source")]
    catalog = kiosk.state["catalog"]
    texts += [c["title"] for c in catalog["categories"]]
    texts += [s["title"] + s["summary"] for s in catalog["services"]]
    missing = {ch for text in texts for ch in text if not ch.isspace() and not metrics.inFontUcs4(ord(ch))}
    assert missing == set()
