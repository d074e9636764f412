"""The accessibility audit of typing (issue 12): the question being answered stays in view.

For every field a citizen types into, of every bundled form, in both orientations, both modes
(normal and 长辈版) and both languages: with the errors of an early "Next" shown (so each
question is as tall as it gets), the field is tapped as a person would, the on-screen keyboard
opens, and the whole question (label, input, hint, error) must lie inside the part of the window
that is on screen and not under the keyboard.

One window per form and orientation; the variants are switched through the citizen's own
commands and every field is visited in each, so the whole matrix stays within about a minute.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRectF
from pytestqt.exceptions import TimeoutError as WaitTimedOut

from tests.ui.audit_support import visible_rect
from tests.ui.test_accessibility_audit import VARIANTS

FORMS_DIR = Path(__file__).resolve().parents[2] / "kiosk" / "catalog" / "bundled" / "forms"
TYPED = {"text", "phone", "id_number", "number", "date", "address"}
#: Answers that make a conditional field relevant, so it can be visited too.
REVEAL: dict[str, dict[str, Any]] = {
    "employer": {"basis": "employment"},
    "school": {"basis": "study"},
    "postal_address": {"collection_method": "post"},
    "platform_name": {"employment_type": "platform"},
    "trade_name": {"has_trade_name": True},
    "family_members": {"organization_form": "family"},
    "business_scope": {"business_type": "retail"},
    "premises_address": {"business_type": "retail"},
    "shop_url": {"business_type": "online"},
}
#: Relevant only for a foreign document: the simulated resident ID card never shows it.
OTHER_DOCUMENT_ONLY = {"nationality"}
SERVICES = {
    "residence_permit": "residence_permit_application",
    "flexible_employment_insurance": "flexible_employment_enrollment",
    "individual_business": "individual_business_registration",
}


def typed_fields(form_id: str) -> list[dict[str, Any]]:
    fields = json.loads((FORMS_DIR / f"{form_id}.json").read_text(encoding="utf-8"))["fields"]
    return [f for f in fields if f.get("type", "text") in TYPED and not f.get("readonly")]


def open_form(kiosk: Any, service: str) -> None:
    kiosk.tap(f"service_{service}")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")


def steady(kiosk: Any) -> None:
    """Wait until the form has stopped moving: the keyboard (and its candidate bar in Pinyin)
    takes its room a few frames after the focus, and the form then scrolls the question back
    into view. A tap in between would land on whatever passed under the finger."""
    flick = kiosk.get("formFlickable")
    panel = kiosk.find("inputPanel", visible_only=False)
    last = None
    while True:
        now = (flick.height(), flick.property("contentY"), flick.property("contentHeight"), panel.height(), panel.y())
        if now == last:
            return
        last = now
        kiosk.settle(0.06)


def locked(kiosk: Any, field_id: str) -> bool:
    """Shown from the identity document, not typed: no keyboard comes up for it."""
    return any(f["id"] == field_id and f.get("readonly") for f in kiosk.state["form"]["fields"])


def problem_with(kiosk: Any, where: str, field_id: str) -> str | None:
    """Tap the field's input; None if its whole question is then on screen above the keyboard."""
    field = kiosk.state["form"]["fields"]
    kind = next(f for f in field if f["id"] == field_id).get("type", "text")
    name = f"field_{field_id}_detail" if kind == "address" else f"field_{field_id}"
    steady(kiosk)
    kiosk.tap(name)
    item = kiosk.get(name)
    panel = kiosk.find("inputPanel", visible_only=False)
    try:
        kiosk.wait_until(lambda: item.hasActiveFocus() and panel.property("active"), 5000)
    except WaitTimedOut:
        return f"{where}/{field_id}: a tap on it did not bring the keyboard up for it"
    steady(kiosk)
    block = kiosk.get(f"fieldBlock_{field_id}")
    window = kiosk.window
    window_rect = QRectF(0, 0, window.width(), window.height())
    whole = block.mapRectToScene(QRectF(0, 0, block.width(), block.height()))
    shown = visible_rect(block, window_rect)
    keyboard = panel.mapRectToScene(QRectF(0, 0, panel.width(), panel.height()))
    if shown.height() < whole.height() - 1 or shown.width() < whole.width() - 1:
        return f"{where}/{field_id}: only {shown.height():.0f} of {whole.height():.0f} px of the question on screen"
    if whole.intersects(keyboard):
        return f"{where}/{field_id}: under the keyboard ({whole.bottom():.0f} > {keyboard.top():.0f})"
    return None


@pytest.mark.parametrize("service", list(SERVICES))
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_field_typed_into_is_in_view_above_the_keyboard(make_kiosk: Any, kiosk_config: Any,
                                                            orientation: str, service: str) -> None:
    # One window per form and orientation: each form in a session of its own, as citizens do.
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"orientation": orientation, "voice_engine": "mock"}))
    form_id = SERVICES[service]
    findings: list[str] = []
    visited: set[tuple[str, bool, str]] = set()
    open_form(kiosk, service)
    kiosk.tap("completeFormButton")  # every error shown: each question at its tallest
    kiosk.wait_until(lambda: kiosk.state["message"])
    for language, elder in VARIANTS:
        kiosk.window.contentItem().forceActiveFocus()  # the keyboard closes between variants
        kiosk.bridge.setLanguage(language)
        kiosk.bridge.setElderMode(elder)
        kiosk.wait_until(lambda language=language, elder=elder:
                         kiosk.state["language"] == language and kiosk.state["elder_mode"] == elder)
        kiosk.settle(0.1)
        for field in typed_fields(form_id):
            if field["id"] in OTHER_DOCUMENT_ONLY:
                continue
            if locked(kiosk, field["id"]):
                visited.add((language, elder, field["id"]))
                continue
            for other, value in REVEAL.get(field["id"], {}).items():
                kiosk.bridge.setFieldValue(other, value)
                kiosk.wait_until(lambda other=other, value=value: any(
                    f["id"] == other and f["value"] == value for f in kiosk.state["form"]["fields"]))
                kiosk.settle(0.1)  # the list of questions is built anew
            kiosk.get(f"fieldBlock_{field['id']}")
            where = f"{orientation}/{language}/{'elder' if elder else 'normal'}/{form_id}"
            problem = problem_with(kiosk, where, field["id"])
            if problem:
                findings.append(problem)
                kiosk.screenshot(f"typing_{where.replace('/', '_')}_{field['id']}")
            visited.add((language, elder, field["id"]))
    if findings:
        pytest.fail(f"{len(findings)} questions out of view while typing:\n  " + "\n  ".join(findings), pytrace=False)
    # Every typed field of the form was visited (or found locked to the document) in every variant.
    ids = {f["id"] for f in typed_fields(form_id)} - OTHER_DOCUMENT_ONLY
    for language, elder in VARIANTS:
        assert {v[2] for v in visited if v[:2] == (language, elder)} == ids, (language, elder)
