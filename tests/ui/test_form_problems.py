"""Errors point to the problem (issue 12): "Next" with problems goes to the first one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF

from tests.ui.audit_support import visible_rect
from tests.ui.test_audit_typing import open_form


def wholly_on_screen(kiosk: Any, item: Any) -> bool:
    window = kiosk.window
    whole = item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))
    shown = visible_rect(item, QRectF(0, 0, window.width(), window.height()))
    return shown.height() >= whole.height() - 1 and shown.width() >= whole.width() - 1


def first_problem(kiosk: Any) -> dict[str, Any]:
    return next(f for f in kiosk.state["form"]["fields"] if f["error"])


def test_next_with_problems_goes_to_the_first_and_marks_every_one(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock"}))
    open_form(kiosk, "residence_permit")
    voice = kiosk.get("voice")
    panel = kiosk.find("inputPanel", visible_only=False)

    kiosk.tap("completeFormButton")
    kiosk.wait_until(lambda: kiosk.state["message"] and any(f["error"] for f in kiosk.state["form"]["fields"]))
    first = first_problem(kiosk)
    assert first["type"] == "text", first  # the current address: typed
    field = kiosk.get(f"field_{first['id']}")
    kiosk.wait_until(lambda: field.hasActiveFocus() and panel.property("active"))
    block = kiosk.get(f"fieldBlock_{first['id']}")
    kiosk.wait_until(lambda: wholly_on_screen(kiosk, block))
    kiosk.wait_until(lambda: first["error"] in voice.property("lastSpoken"))
    problems = [f for f in kiosk.state["form"]["fields"] if f["error"]]
    assert len(problems) > 3
    # Only the first problem is said (with the banner), not the whole list at once.
    assert problems[1]["error"] not in voice.property("lastSpoken").split(first["error"], 1)[1]
    for problem in problems:  # each marked beneath its question, in words and in red
        mark = kiosk.get(f"fieldError_{problem['id']}")
        assert problem["error"] in mark.property("text") and mark.property("text").startswith("⚠")
    kiosk.screenshot("form_problems_first_typed")

    # Typed answers given: the first problem is now a choice; no keyboard for it.
    kiosk.bridge.setFieldValue("residence_address", "北京市朝阳区建国路88号")
    kiosk.bridge.setFieldValue("residence_since", "2023-05-01")
    kiosk.wait_until(lambda: first_problem(kiosk)["id"] == "basis")
    kiosk.tap("completeFormButton")  # with the keyboard still up from the address
    block = kiosk.get("fieldBlock_basis")
    kiosk.wait_until(lambda: wholly_on_screen(kiosk, block))
    kiosk.wait_until(lambda: not panel.property("active"))
    assert kiosk.get("fieldError_basis").isVisible()
    kiosk.screenshot("form_problems_first_choice")
