"""The back office (case workers, in the browser): the queue of received applications, a case's
summary and history, opening it with a reason (decrypted on the platform; the view lands in
the platform trail with the worker's name and the reason), and the actions 受理 accept, 补正
request corrections, 不予受理 reject and 办结 complete.

Pages need a logged-in ``case-worker`` (TOTP at every login); forms carry the session's CSRF
token. The queue and the summary show receipt numbers, services, terminals, statuses and notes
only; personal data appears on the page answering "open", which is never cached.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..cases import LABELS, RESULTS, STATUSES, TransitionRefused
from ..cases_deps import Work
from ..cases_hooks import NoCertificateIssuer
from ..cases_view import DOCUMENT_PHOTO, LIVE_PHOTO, CaseUnreadable
from ..cases_work import CaseNotFound, ReasonRequired, queue_filter
from ..dependencies import SubmissionId as Receipt
from ..operator_auth import CheckedForm, require
from ..operators import OperatorSession
from ..page import render

#: A logged-in case worker (403 for other roles).
CaseWorker = Annotated[OperatorSession, require("cases")]

router = APIRouter(include_in_schema=False)
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
Text = Annotated[str, Query(max_length=128)]


def _page(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(name, statuses=STATUSES, labels=LABELS, results=RESULTS,
                               **context), status_code=status, headers=PRIVATE)


@router.get("/cases", response_class=HTMLResponse)
def queue_page(work: Work, operator: CaseWorker, service: Text = "", site: Text = "",
               terminal: Text = "", status: Text = "", min_age_days: Text = "",
               receipt: Text = "") -> HTMLResponse:
    """The queue, oldest first, filtered by service, site, terminal, status and age, or one
    receipt number."""
    where = queue_filter(service, site, terminal, status, min_age_days, receipt)
    total, cases = work.queue(where, operator.operator)
    return _page("cases/queue.html", operator=operator, cases=cases, total=total, where=where,
                 facets=work.desk.cases.facets())


def _summary(work, operator: OperatorSession, receipt_number: str, *, message: str = "",
             status: int = 200) -> HTMLResponse:
    try:
        case = work.summary(receipt_number, operator.operator)
    except CaseNotFound:
        return _page("cases/missing.html", 404, operator=operator, receipt=receipt_number)
    return _page("cases/case.html", status, operator=operator, case=case, opened=None,
                 message=message)


@router.get("/cases/{receipt_number}", response_class=HTMLResponse)
def case_page(receipt_number: Receipt, work: Work, operator: CaseWorker,
              done: Text = "") -> HTMLResponse:
    """A case's summary, history and actions, and the form to open it (no personal data)."""
    message = f"Done: {LABELS[done]}" if done in LABELS else ""  # a status, never free text
    return _summary(work, operator, receipt_number, message=message)


@router.post("/cases/{receipt_number}/open", response_class=HTMLResponse)
def open_case(receipt_number: Receipt, work: Work, form: CheckedForm,
              operator: CaseWorker) -> HTMLResponse:
    """Decrypt the case for this worker, with the reason given; recorded in the trail."""
    try:
        case, opened = work.open(receipt_number, operator.operator, form.get("reason", ""),
                                 form.get("submission") or None)
    except ReasonRequired as exc:
        return _summary(work, operator, receipt_number, message=str(exc), status=422)
    except CaseNotFound:
        return _summary(work, operator, receipt_number)
    except CaseUnreadable as exc:
        return _summary(work, operator, receipt_number, message=str(exc), status=409)
    return _page("cases/case.html", operator=operator, case=case, opened=opened,
                 live_photo=opened.photo(LIVE_PHOTO), document_photo=opened.photo(DOCUMENT_PHOTO),
                 message="")


@router.post("/cases/{receipt_number}/actions", response_class=HTMLResponse)
def act(receipt_number: Receipt, work: Work, form: CheckedForm,
        operator: CaseWorker) -> Response:
    """Accept, request corrections, reject or complete; back to the case's summary."""
    action = form.get("action", "")
    result = form.get("result") or None
    try:
        step = work.act(receipt_number, operator.operator, action, form.get("note", ""),
                        result, form.get("expected_status") or None)
    except CaseNotFound:
        return _summary(work, operator, receipt_number)
    except (TransitionRefused, NoCertificateIssuer, CaseUnreadable) as exc:
        return _summary(work, operator, receipt_number, message=str(exc), status=409)
    return RedirectResponse(f"/cases/{receipt_number}?done={step.after}",
                            status_code=303)
