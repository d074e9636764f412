"""The case-worker API (JSON; the session cookie of ``/login``, a ``case-worker`` account, and
``X-CSRF-Token`` on every POST, as the rest of the operator API): the queue, a case's summary
and history, opening it with a reason (decrypted on the platform, recorded in the platform
trail) and the actions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from ..cases import MAX_NOTE, RESULTS, STATUSES, WORKER_ACTIONS, TransitionRefused
from ..cases_deps import Work
from ..cases_hooks import NoCertificateIssuer
from ..cases_view import CaseUnreadable
from ..cases_work import MAX_REASON, CaseNotFound, ReasonRequired, queue_filter
from ..dependencies import Identifier
from ..dependencies import SubmissionId as Receipt
from ..operator_auth import CsrfChecked, require
from ..operators import OperatorSession

#: A logged-in case worker (403 for other roles).
CaseWorker = Annotated[OperatorSession, require("cases")]

router = APIRouter(tags=["cases"])
Text = Annotated[str, Query(max_length=128)]


def _public(case: dict) -> dict:
    """A case as the API answers it: no internal columns, actions as their names."""
    shown = {key: value for key, value in case.items() if key != "actions"}
    shown["actions"] = [action for action, _ in case["actions"]]
    return shown


@router.get("/v1/cases")
def list_cases(work: Work, operator: CaseWorker, service: Text = "", site: Text = "", terminal: Text = "",
               status: Annotated[str, Query(pattern="^(" + "|".join(STATUSES) + ")?$")] = "",
               min_age_days: Annotated[float, Query(ge=0, le=36500)] = 0, receipt: Text = "",
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> dict:
    """The queue, oldest first: receipt numbers, services, sites, terminals, statuses, ages."""
    total, cases = work.queue(queue_filter(service, site, terminal, status, min_age_days,
                                           receipt), operator.operator, limit, offset)
    return {"total": total, "items": [_public(case) for case in cases]}


@router.get("/v1/cases/{receipt_number}")
def get_case(receipt_number: Receipt, work: Work,
             operator: CaseWorker) -> dict:
    """A case's summary, its submissions and its status history (no personal data)."""
    try:
        return _public(work.summary(receipt_number, operator.operator))
    except CaseNotFound:
        raise HTTPException(404, "no case holds that receipt number") from None


class OpenIn(BaseModel):
    """Body of ``POST /v1/cases/{receipt_number}/open``."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="why the case is opened")
    submission_id: Identifier | None = Field(None, description="one of the case's submissions "
                                             "(default: the latest)")


@router.post("/v1/cases/{receipt_number}/open")
def open_case(receipt_number: Receipt, body: OpenIn, work: Work, checked: CsrfChecked,
              operator: CaseWorker) -> dict:
    """Decrypt a submission of the case: answers, identity data, the identity check and the
    attachments in base64. Recorded in the platform trail with the reason."""
    try:
        case, opened = work.open(receipt_number, operator.operator, body.reason,
                                 body.submission_id)
    except ReasonRequired as exc:
        raise HTTPException(422, str(exc)) from None
    except CaseNotFound:
        raise HTTPException(404, "no case holds that receipt number") from None
    except CaseUnreadable as exc:
        raise HTTPException(409, str(exc)) from None
    return {"case": _public(case), "submission": opened.as_json()}


class ActionIn(BaseModel):
    """Body of ``POST /v1/cases/{receipt_number}/actions``."""

    action: Literal[WORKER_ACTIONS]  # type: ignore[valid-type]
    note: str = Field("", max_length=MAX_NOTE, description="for the citizen; required to "
                      "request corrections, reject and complete")
    result: Literal[RESULTS] | None = Field(  # type: ignore[valid-type]
        None, description="for complete: pickup (a notice) or certificate (issued)")
    expected_status: Literal[STATUSES] | None = Field(  # type: ignore[valid-type]
        None, description="refuse if the case is no longer in this status")


@router.post("/v1/cases/{receipt_number}/actions")
def act(receipt_number: Receipt, body: ActionIn, work: Work, checked: CsrfChecked,
        operator: CaseWorker) -> dict:
    """Accept, request corrections, reject or complete; the case as it is now (409 when the
    action is not possible from its status or a required note is missing)."""
    try:
        work.act(receipt_number, operator.operator, body.action, body.note, body.result,
                 body.expected_status)
        return _public(work.case(receipt_number))
    except CaseNotFound:
        raise HTTPException(404, "no case holds that receipt number") from None
    except (TransitionRefused, NoCertificateIssuer, CaseUnreadable) as exc:
        raise HTTPException(409, str(exc)) from None
