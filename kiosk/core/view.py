"""The screen model: one plain dict describing everything the current screen shows.

Built on the journey thread after every change and handed to the UI whole, so the UI never reads
the journey's live objects from another thread. Strings are already in the session's language.
"""

from __future__ import annotations

import zlib
from typing import Any

from drivers.common import DeviceStatus

from ..applicant import identity_summary
from ..config import KioskConfig
from ..messages import message_text
from .journey import BUSY_STATES, Journey

_MATERIAL_WORDS = {
    "zh-CN": {"original": "原件", "copies": "复印件{n}份", "optional": "如有",
              "sep": "，", "open": "（", "close": "）", "note": "：", "and": "、"},
    "en": {"original": "original", "copies": "{n} copies", "copy": "1 copy", "optional": "if applicable",
           "sep": ", ", "open": " (", "close": ")", "note": ": ", "and": " and "},
}


def material_line(material: dict[str, Any], language: str) -> str:
    """One line of 'what to bring': ``居民身份证（原件、复印件1份）：note``."""
    words = _MATERIAL_WORDS[language]
    kinds = []
    if material["original"]:
        kinds.append(words["original"])
    if material["copies"]:
        one = material["copies"] == 1 and "copy" in words
        kinds.append(words["copy"] if one else words["copies"].format(n=material["copies"]))
    what = words["and"].join(kinds)
    if not material["required"]:   # "original and 1 copy, if applicable", not "... and if applicable"
        what = words["sep"].join(part for part in (what, words["optional"]) if part)
    line = str(material["name"])
    if what:
        line += words["open"] + what + words["close"]
    if material.get("note"):
        line += words["note"] + material["note"]
    return line


#: How the terminal takes a material (the catalog's ``intake``), as the notice says it.
_INTAKE_WORDS = {
    "zh-CN": {"scan": "在本机高拍仪扫描，共{n}页", "platform": "平台已有，无需提交", "terminal": "由本机读取",
              "counter": "请交窗口"},
    "en": {"scan": "scanned at this terminal, {n} page(s)", "platform": "already held by the platform: not needed",
           "terminal": "taken by this terminal", "counter": "hand in at the counter"},
}


def material_intake(material: dict[str, Any], language: str) -> str:
    """How the terminal takes one material: ``在本机高拍仪扫描，共2页`` / ``平台已有，无需提交``."""
    words = _INTAKE_WORDS[language]
    return words.get(material.get("intake") or "counter", words["counter"]).format(n=material.get("pages") or 1)


def catalog_view(catalog: Any, language: str) -> dict[str, Any]:
    """Categories and services for the attract screen."""
    return {
        "categories": [{"id": c.id, "title": c.title.text(language)} for c in catalog.categories],
        "services": [
            {"id": s.id, "title": s.title.text(language), "summary": s.summary.text(language), "category": s.category}
            for s in catalog.services
        ],
    }


def service_view(service: Any, language: str) -> dict[str, Any] | None:
    """The chosen service with its notice (申报须知) laid out for the notice screen."""
    if service is None:
        return None
    view = service.view(language)
    notice = view["notice"]
    return {
        "id": view["id"],
        "title": view["title"],
        "summary": view["summary"],
        "department": view["department"],
        "notice": {
            "eligibility": notice["eligibility"],
            "paragraphs": notice["paragraphs"],
            "materials": [material_line(m, language) for m in notice["materials"]],
            "material_intakes": [{"intake": m["intake"], "text": material_intake(m, language)}
                                 for m in notice["materials"]],
            "fee": notice["fees"],
            "processing_time": notice["processing_time"],
            "collect": notice["collection"],
            "legal_basis": notice["legal_basis"],
        },
    }


def review_view(form: Any, language: str) -> list[dict[str, Any]]:
    """Label and shown text of every relevant answered field, in form order."""
    return [
        # A signature is drawn small from its strokes; every other answer is its text.
        {"label": field["label"], "value": field["text"],
         "signature": field["value"] if field["type"] == "signature" else None}
        for field in form.view(language)
        if field["text"] not in (None, "")
    ]


def build_snapshot(
    *,
    journey: Journey,
    catalog: Any,
    language: str,
    config: KioskConfig,
    idle_seconds_left: int | None,
    staff_called: bool,
    devices: dict[str, DeviceStatus],
    demo_documents: list[dict[str, str]],
    face: dict[str, Any] | None = None,
    sync_paused: bool = False,
) -> dict[str, Any]:
    """The whole screen model for the journey's current state (journey thread).
    ``sync_paused``: the platform refused this terminal and the queue waits for staff (a
    staff-only notice; no personal data)."""
    session = journey.session
    form = session.form
    show_form = form is not None and journey.state.value in ("form", "review")
    return {
        "screen": journey.state.value,
        "step": journey.step,
        "step_count": journey.step_count,
        "errand": str(journey.session.errand),
        "language": language,
        "demo_controls": config.ui.demo_controls,
        "busy": journey.state in BUSY_STATES,
        "catalog": catalog_view(catalog, language),
        "service": service_view(session.service, language),
        "identity": identity_summary(session.identity, language),
        "demo_documents": demo_documents,
        "photo_revision": zlib.crc32(session.photo_jpeg) if session.photo_jpeg is not None else 0,
        "has_photo": session.photo_jpeg is not None,
        "face": face or {},
        "form": {
            "title": session.form_definition.title.text(language),
            "fields": form.view(language),
            "complete": form.is_complete(),
        }
        if show_form
        else None,
        "review": review_view(form, language) if show_form else [],
        "receipt_number": session.receipt_number,
        "printed": session.printed,
        "receipt_fallback": session.extras.get("receipt_fallback") if session.printed is False else None,
        "message": message_text(session.message, language),
        "idle_seconds_left": idle_seconds_left,
        "staff_called": staff_called,
        "devices": {role: {"state": s.state.value, "detail": s.detail} for role, s in devices.items()},
        "sync_paused": sync_paused,
        "rating": _rating(language, session) if journey.state.value == "done" and session.receipt_number
        else None,
    }


def _rating(language: str, session: Any) -> dict[str, Any]:
    # Imported on first use: the rating module brings the forms engine and the sync protocol,
    # which the attract screen (the first frame) does not need.
    from ..rating import rating_view

    return rating_view(language, session.extras.get("rating"))
