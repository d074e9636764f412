"""The citizen's progress page (public, no login): ``/progress/<receipt number>?t=<token>``, the
address a receipt's QR code carries, shows the service, the status, the dates and what to do
next -- never personal data.

The token is the case's unguessable progress token (``central.cases_intake``); the database
keeps its hash only, so a receipt number alone leads nowhere and numbers cannot be walked.
Without the token, ``/progress`` asks for the receipt number and the citizen's ID number; the
platform compares the number's keyed hash with the one it kept, counts every failure against
the client's address and the receipt number, and refuses further tries for a while after too
many (``central.cases_store.LookupThrottled``). A match leads to the token's address.

The pages send ``Referrer-Policy: no-referrer`` (the token is in the address), are not cached
and ask search engines not to index them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from egov_protocol.protocol import is_identifier

from ..cases import LABELS, NEXT_STEPS, RESULT_PICKUP
from ..cases_deps import Desk
from ..cases_intake import CaseIntakeDesk
from ..cases_store import LookupThrottled
from ..cases_work import service_titles
from ..dependencies import SubmissionId as Receipt
from ..operators import same_secret
from ..page import render

router = APIRouter(include_in_schema=False)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
           "X-Robots-Tag": "noindex", "X-Frame-Options": "DENY"}
NOT_FOUND = "没有找到匹配的办件 No case matches that receipt number and ID number."
#: A receipt's code that opens nothing: most often an application the terminal has not sent yet
#: (a township office offline). The same words for any miss, so they tell nothing of a case.
NOT_YET = ("暂未查到此回执的办件。自助终端联网后，申请才会送达平台，请稍后再试，或在下方输入受理编号和身份证号查询。 "
           "No case for this receipt yet. An application reaches the platform once the terminal "
           "that took it is online: try again later, or enter the receipt number and ID number below.")


def _page(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(name, **context), status_code=status, headers=HEADERS)


BEIJING = timezone(timedelta(hours=8), "北京时间")


def local_time(iso: str) -> str:
    """An ISO 8601 UTC time as the citizen reads it: Beijing time, to the minute."""
    return datetime.fromisoformat(iso).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def progress_view(desk: CaseIntakeDesk, case: dict, titles: dict[str, str]) -> dict:
    """What the progress page shows of a case: service, status, dates, next step, the note
    for the citizen, and the dated statuses (no actors, no personal data)."""
    full = desk.cases.case(case["receipt_number"]) or {"history": []}
    return {
        "receipt_number": case["receipt_number"],
        "service": titles.get(case["service_id"] or "", case["service_id"] or ""),
        "status": case["status"], "status_label": LABELS.get(case["status"], case["status"]),
        "received_at": local_time(case["received_at"]),
        "updated_at": local_time(case["updated_at"]),
        "next_step": NEXT_STEPS.get(case["status"], ""), "note": case["citizen_note"] or "",
        "pickup": case["result"] == RESULT_PICKUP,
        "steps": [{"at": local_time(e["at"]),
                   "label": LABELS.get(e["status"], e["status"])} for e in full["history"]],
    }


@router.get("/progress", response_class=HTMLResponse)
def lookup_form() -> HTMLResponse:
    """The form: receipt number and ID number."""
    return _page("progress/form.html", message="")


@router.post("/progress", response_class=HTMLResponse)
async def lookup(request: Request, desk: Desk) -> Response:
    """Find the case by receipt number and the typed ID number (throttled); on a match, the
    progress page's address."""
    form = await request.form()
    receipt = str(form.get("receipt_number", "")).strip()[:128]
    receipt = receipt if is_identifier(receipt) else "(malformed)"  # counted, never stored as typed
    number = str(form.get("id_number", ""))[:64]
    address = request.client.host if request.client else "unknown"
    try:
        await run_in_threadpool(desk.cases.check_lookup, address, receipt)
    except LookupThrottled as exc:
        return _page("progress/form.html", 429, message=str(exc))
    case = None
    if receipt != "(malformed)" and number.strip():
        case = await run_in_threadpool(desk.cases.with_person_hash, receipt)
    wanted = desk.keys.person_hash(number) if number.strip() else ""
    if case is None or not case["person_hash"] or not same_secret(wanted, case["person_hash"]):
        await run_in_threadpool(desk.cases.lookup_failed, address, receipt)
        return _page("progress/form.html", 404, message=NOT_FOUND)
    token = desk.keys.token(case["case_id"])
    return RedirectResponse(f"/progress/{quote(case['receipt_number'])}?t={quote(token)}",
                            status_code=303, headers=HEADERS)


@router.get("/progress/{receipt_number}", response_class=HTMLResponse)
def progress(request: Request, receipt_number: Receipt, desk: Desk,
             t: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    """The progress of one case, for whoever holds its token (the receipt's QR code)."""
    case = desk.token_opens(receipt_number, t)
    if case is None:
        return _page("progress/form.html", 404, message=NOT_YET if t else "")
    titles = service_titles(request.app.state.published)
    return _page("progress/page.html", case=progress_view(desk, case, titles))
