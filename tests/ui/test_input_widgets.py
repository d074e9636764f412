"""The input widgets of the form through the real QML offscreen: address picker, date picker,
signature pad, the numeric pad for ID and phone fields, and the 好差评 rating on the done screen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from .conftest import child_items, has_property


def walk_to_form(kiosk: Any, service: str) -> None:
    kiosk.tap(f"service_{service}")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
    kiosk.wait_until(lambda: kiosk.bridge.frameRevision > 2)
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")


def scan_required_pages(kiosk: Any) -> None:
    """The scanning step after the business registration's form: the simulated document camera's
    sheet is taken once it lies still, then on to the review."""
    kiosk.wait_for_screen("materials")
    kiosk.wait_until(lambda: kiosk.get("materialsDoneButton").isEnabled(), timeout_ms=60_000)
    kiosk.tap("materialsDoneButton")


def field(kiosk: Any, field_id: str) -> dict[str, Any]:
    return next(f for f in kiosk.state["form"]["fields"] if f["id"] == field_id)


def sign(kiosk: Any, pad_name: str, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw with the 'finger' (mouse) inside the pad; points are fractions of its size."""
    # Done typing: the keyboard goes away (a person touches outside the text field).
    kiosk.window.contentItem().forceActiveFocus()
    QGuiApplication.inputMethod().hide()
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.wait_until(lambda: not panel.property("active"))
    kiosk.settle(0.3)
    pad = kiosk.get(pad_name)
    kiosk.scroll_into_view(pad)
    for stroke in strokes:
        points = [pad.mapToScene(QPointF(x * pad.width(), y * pad.height())) for x, y in stroke]
        points = [QPoint(round(p.x()), round(p.y())) for p in points]
        QTest.mousePress(kiosk.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for point in points[1:]:
            QTest.mouseMove(kiosk.window, point)
        QTest.mouseRelease(kiosk.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
    kiosk.settle()


NAME = [[(0.1, 0.6), (0.15, 0.3), (0.2, 0.6), (0.25, 0.3), (0.3, 0.6)],
        [(0.4, 0.3), (0.45, 0.65), (0.55, 0.35), (0.6, 0.62), (0.7, 0.4)]]


@pytest.mark.parametrize(("orientation", "language"), [("portrait", "zh-CN"), ("landscape", "en")])
def test_address_signature_and_rating_through_the_real_ui(make_kiosk, kiosk_config, orientation, language) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"orientation": orientation, "language": language,
                                                       "voice_engine": "mock"}))
    voice = kiosk.get("voice")
    shot = "" if orientation == "portrait" else "_landscape"
    walk_to_form(kiosk, "individual_business")
    # The ID card's address is matched to its divisions; the rest is the detail line.
    home = field(kiosk, "operator_address")
    assert home["value"]["code"] == "330106" and home["prefilled"]
    detail = kiosk.get("field_operator_address_detail")
    assert detail.property("text") == home["value"]["detail"]

    # The rest of the form (the business type decides whether premises are asked).
    kiosk.type_into("field_operator_phone", "13800138000")
    kiosk.tap("field_organization_form_individual")
    kiosk.bridge.setFieldValue("family_members", "无")
    kiosk.tap("field_business_type_repair")
    kiosk.type_into("field_capital", "5")
    kiosk.type_into("field_employees", "2")
    kiosk.tap("field_declaration")

    # Premises: province -> city -> county in the picker, then the street with the keyboard.
    kiosk.tap("addressChoose_premises_address")
    dialog = kiosk.get("addressDialog")
    kiosk.wait_until(lambda: dialog.isVisible())
    kiosk.screenshot("widget_address_provinces" + shot)
    kiosk.tap("division_440000")
    kiosk.tap("division_440300")
    kiosk.screenshot("widget_address_counties" + shot)
    kiosk.tap("division_440305")
    kiosk.wait_until(lambda: kiosk.find("addressDialog") is None)
    kiosk.wait_until(lambda: (field(kiosk, "premises_address")["value"] or {}).get("code") == "440305")
    kiosk.tap("field_premises_address_detail")
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.wait_until(lambda: panel.property("active"))
    kiosk.settle(0.3)
    box = kiosk.get("field_premises_address_detail")
    rect = box.mapRectToScene(box.boundingRect())
    assert rect.bottom() <= panel.y(), (rect, panel.y())  # above the keyboard
    kiosk.screenshot("widget_address_keyboard" + shot)
    for key in "88":
        QTest.keyClick(kiosk.window, key)
    kiosk.wait_until(lambda: field(kiosk, "premises_address")["value"]["detail"] == "88")
    assert field(kiosk, "premises_address")["text"] == "广东省深圳市南山区88"


    # Sign, undo, clear, sign again.
    sign(kiosk, "signaturePad_operator_signature", NAME)
    kiosk.wait_until(lambda: field(kiosk, "operator_signature")["value"] is not None)
    assert len(field(kiosk, "operator_signature")["value"]["strokes"]) == 2
    kiosk.screenshot("widget_signature" + shot)
    kiosk.tap("signatureUndo_operator_signature")
    kiosk.wait_until(lambda: len(field(kiosk, "operator_signature")["value"]["strokes"]) == 1)
    kiosk.tap("signatureClear_operator_signature")
    kiosk.wait_until(lambda: field(kiosk, "operator_signature")["value"] is None)
    sign(kiosk, "signaturePad_operator_signature", NAME)
    kiosk.wait_until(lambda: kiosk.state["form"]["complete"])
    kiosk.tap("completeFormButton")
    scan_required_pages(kiosk)
    kiosk.wait_for_screen("review")
    shown = kiosk.get("reviewSignature")
    kiosk.scroll_into_view(shown)
    assert shown.isVisible() and shown.width() >= 200
    kiosk.screenshot("widget_signature_review" + shot)

    # Back to the form (through the scanning step): the signature is drawn again and can be replaced.
    kiosk.tap("backButton")
    kiosk.wait_for_screen("materials")
    kiosk.tap("backButton")
    kiosk.wait_for_screen("form")
    pad = kiosk.get("signaturePad_operator_signature").parentItem()
    kiosk.wait_until(lambda: len(pad.property("strokes").toVariant() if hasattr(pad.property("strokes"), "toVariant")
                                 else pad.property("strokes")) == 2)
    kiosk.tap("signatureClear_operator_signature")
    sign(kiosk, "signaturePad_operator_signature", NAME[:1])
    kiosk.wait_until(lambda: (field(kiosk, "operator_signature")["value"] or {}).get("strokes", []).__len__() == 1)
    kiosk.tap("completeFormButton")
    scan_required_pages(kiosk)  # the page scanned before is still there
    kiosk.wait_for_screen("review")
    kiosk.tap("consentCheckBox")
    kiosk.tap("submitButton")
    kiosk.wait_for_screen("done", timeout_ms=30_000)

    # 好差评: an aspect chip, then one touch on a level.
    kiosk.get("ratingPanel")
    for name in ("ratingReason_waiting", "ratingLevel_1", "ratingLevel_5"):
        item = kiosk.get(name)
        assert item.width() >= 60 and item.height() >= 60, (name, item.width(), item.height())
    kiosk.screenshot("widget_rating" + shot)
    question = kiosk.get("ratingPrompt").property("text")
    kiosk.wait_until(lambda: question in voice.property("lastSpoken"))  # the question is said
    kiosk.tap("ratingReason_waiting")
    kiosk.tap("ratingLevel_4")
    kiosk.wait_until(lambda: kiosk.state["rating"]["rated"])
    thanks = kiosk.get("ratingPrompt").property("text")
    assert thanks != question
    kiosk.wait_until(lambda: thanks in voice.property("lastSpoken"))
    assert kiosk.state["rating"]["rated_level"] == 4
    kiosk.screenshot("widget_rating_thanks" + shot)
    kiosk.tap("finishButton")
    kiosk.wait_for_screen("attract")
    assert kiosk.find("signaturePad_operator_signature", visible_only=False) is None
    assert kiosk.state["rating"] is None


@pytest.mark.parametrize(("orientation", "elder"), [("portrait", False), ("landscape", True)])
def test_date_picker_sets_a_date_without_typing(make_kiosk, kiosk_config, orientation, elder) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"orientation": orientation}))
    kiosk.bridge.setElderMode(elder)
    # The switch goes through the core; the start screen is laid out anew (larger) when it is
    # back, and a tap before that lands where the tile was.
    kiosk.wait_until(lambda: bool(kiosk.state.get("elder_mode")) == elder)
    walk_to_form(kiosk, "residence_permit")
    kiosk.type_into("field_residence_since", "20230131")
    kiosk.wait_until(lambda: field(kiosk, "residence_since")["value"] == "2023-01-31")
    kiosk.tap("datePickerButton_residence_since")  # opens at the date in the field
    picker = kiosk.get("datePicker")
    kiosk.wait_until(lambda: picker.isVisible())
    year = kiosk.get("dateYearTumbler")
    month = kiosk.get("dateMonthTumbler")
    day = kiosk.get("dateDayTumbler")
    assert (year.property("currentIndex"), month.property("currentIndex"), day.property("currentIndex")) == (123, 0, 30)
    month.setProperty("currentIndex", 1)   # February has 28 days in 2023: the 31st becomes the 28th
    kiosk.settle()
    assert day.property("count") == 28 and day.property("currentIndex") == 27
    kiosk.settle(1.5)
    kiosk.screenshot("widget_date_picker" + ("" if orientation == "portrait" else "_landscape_elder"))
    ok = kiosk.get("datePickerOk")
    assert ok.mapRectToScene(ok.boundingRect()).bottom() <= kiosk.window.height()
    kiosk.tap("datePickerOk")
    kiosk.wait_until(lambda: field(kiosk, "residence_since")["value"] == "2023-02-28")
    assert kiosk.get("field_residence_since").property("text") == "2023-02-28"


def test_numeric_pads_for_phone_and_id_fields(kiosk) -> None:
    walk_to_form(kiosk, "residence_permit")
    phone = kiosk.get("field_phone")
    assert phone.property("inputMethodHints") & Qt.InputMethodHint.ImhDialableCharactersOnly
    id_field = kiosk.find("field_id_number", visible_only=False)
    assert id_field.property("inputMethodHints") & Qt.InputMethodHint.ImhDigitsOnly
    kiosk.tap("field_phone")
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.wait_until(lambda: panel.property("active"))
    kiosk.settle(0.3)
    rect = phone.mapRectToScene(phone.boundingRect())
    assert rect.bottom() <= panel.y()
    kiosk.screenshot("widget_phone_keypad")


def test_the_idle_warning_is_not_hidden_behind_a_picker(kiosk) -> None:
    walk_to_form(kiosk, "residence_permit")
    kiosk.tap("datePickerButton_residence_since")
    picker = kiosk.get("datePicker")
    kiosk.wait_until(lambda: picker.isVisible())
    # The citizen stops touching: bring the warning forward (on the journey thread, as the
    # clock would) instead of waiting two minutes.
    journey = kiosk.core._runtime.journey
    kiosk.core._post(lambda: setattr(journey, "last_activity", journey.last_activity - journey.idle_timeout_s + 15))
    overlay = kiosk.find("idleOverlay", visible_only=False)
    kiosk.wait_until(lambda: overlay.isVisible())
    kiosk.wait_until(lambda: kiosk.find("datePicker") is None)  # the wheels stepped aside
    kiosk.tap("idleContinueButton")
    kiosk.wait_until(lambda: not overlay.isVisible())
    assert kiosk.state["screen"] == "form"


def keys_on(panel: Any) -> set[str]:
    """The labels of the keys the keyboard shows now."""
    labels = set()
    stack = [panel]
    while stack:
        item = stack.pop()
        stack.extend(child_items(item))
        if item.isVisible() and has_property(item, "displayText"):
            labels.add(str(item.property("displayText") or item.property("text") or ""))
    return labels - {""}


def test_date_picker_takes_a_touch_on_a_value_and_ok_moves_on(kiosk) -> None:
    walk_to_form(kiosk, "residence_permit")
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.tap("field_residence_address")  # typing elsewhere when the citizen turns to the date
    kiosk.wait_until(lambda: panel.property("active"))
    kiosk.tap("datePickerButton_residence_since")
    picker = kiosk.get("datePicker")
    kiosk.wait_until(lambda: picker.isVisible() and not panel.property("active"))
    year = kiosk.get("dateYearTumbler")
    now = year.property("currentIndex")
    kiosk.settle(0.5)  # the wheels have come to rest
    kiosk.tap(f"dateYearTumbler_{now - 1}")  # the year above the chosen one, in sight: touched
    kiosk.wait_until(lambda: year.property("currentIndex") == now - 1)
    chosen = kiosk.get("datePickerValue").property("text")
    kiosk.tap("datePickerOk")
    kiosk.wait_until(lambda: field(kiosk, "residence_since")["value"] == chosen)
    # On to the next question (a choice): no keyboard, and none on the address typed before.
    basis = kiosk.get("fieldBlock_basis")
    kiosk.wait_until(lambda: basis.hasActiveFocus())
    kiosk.settle(0.3)
    assert not panel.property("active")
    assert not kiosk.get("field_residence_address").hasActiveFocus()


@pytest.mark.parametrize(("service", "field_id"), [("residence_permit", "residence_since"),
                                                  ("individual_business", "capital")])
def test_dates_and_numbers_get_a_digits_pad_without_calculator_keys(kiosk, service, field_id) -> None:
    walk_to_form(kiosk, service)
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.tap(f"field_{field_id}")
    kiosk.wait_until(lambda: panel.property("active"))
    kiosk.settle(0.3)
    keys = keys_on(panel)
    assert {"1", "5", "0"} <= keys, keys
    assert not keys & {"÷", "×", "√", "%", "^", "(", ")"}, keys
    kiosk.screenshot(f"widget_digits_pad_{field_id}")


def keyboard_keys(panel: Any) -> dict[str, Any]:
    """The visible character keys of the keyboard, by label."""
    found = {}
    stack = [panel]
    while stack:
        item = stack.pop()
        stack.extend(child_items(item))
        if item.isVisible() and has_property(item, "displayText"):
            label = str(item.property("displayText") or "")
            if len(label) == 1:
                found[label] = item
    return found


def candidate_bar(panel: Any) -> Any:
    stack = [panel]
    while stack:
        item = stack.pop()
        stack.extend(child_items(item))
        if item.inherits("QQuickListView") and item.isVisible() and item.property("count") > 0:
            return item
    return None


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_elder_mode_enlarges_the_keyboard_and_its_candidates(make_kiosk, kiosk_config, orientation) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"orientation": orientation}))
    walk_to_form(kiosk, "residence_permit")
    panel = kiosk.find("inputPanel", visible_only=False)
    sizes = {}
    for elder in (False, True):
        kiosk.bridge.setElderMode(elder)
        kiosk.wait_until(lambda elder=elder: kiosk.state["elder_mode"] == elder)
        kiosk.tap("field_residence_address")  # Pinyin
        kiosk.wait_until(lambda: panel.property("active"))
        kiosk.settle(0.3)
        keys = keyboard_keys(panel)
        key = keys["n"]
        centre = key.mapToScene(QPointF(key.width() / 2, key.height() / 2))
        QTest.mouseClick(kiosk.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(centre.x()), round(centre.y())))
        kiosk.wait_until(lambda: candidate_bar(panel) is not None)
        kiosk.settle(0.3)
        bar = candidate_bar(panel)
        sizes[elder] = (key.width(), key.height(), bar.height(), panel.height())
        if elder:
            kiosk.screenshot(f"widget_keyboard_elder_{orientation}")
        QGuiApplication.inputMethod().reset()  # the pending syllable is dropped, not committed
        kiosk.get("field_residence_address").setProperty("text", "")
        QGuiApplication.inputMethod().hide()
        kiosk.wait_until(lambda: not panel.property("active"))
    normal, elder = sizes[False], sizes[True]
    # Taller keys (the width is the screen's, shared by ten keys a row), a taller candidate bar.
    assert elder[0] >= normal[0] and elder[1] > normal[1] * 1.2 and elder[2] > normal[2] * 1.5, sizes
    assert elder[0] >= 60 and elder[1] >= 60 and elder[2] >= 60, sizes
