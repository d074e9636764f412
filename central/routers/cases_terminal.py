"""Cases for terminals (signed requests, ``egov_protocol.cases``): the person key, a person's
cases by the keyed hash of their document number, the one case a receipt's code opens (receipt
number and progress token), and the status changes of the cases a terminal took. No personal
data in any answer; a lookup lands in the platform trail under the terminal's name (how many
cases, never the hash, the receipt number or the token).

A receipt lookup that opens nothing (unknown receipt, wrong token: one and the same 404) is
counted like a failed public lookup (``central.cases_store``), against the terminal and the
receipt number; past the limit the terminal gets 429 for a while, so numbers cannot be walked
through a terminal either."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from egov_protocol.cases import (
    CASE_BY_RECEIPT_PATH,
    MAX_UPDATES,
    PERSON_CASES_PATH,
    PERSON_KEY_PATH,
    UPDATES_PATH,
    CaseStatus,
    StatusUpdate,
)

from ..cases import CORRECTIONS_REQUESTED, NEXT_STEPS
from ..cases_deps import Desk
from ..cases_store import LookupThrottled
from ..dependencies import Identifier, Terminal

router = APIRouter(tags=["cases (terminals)"])


@router.get(PERSON_KEY_PATH)
def person_key(terminal: Terminal, desk: Desk) -> dict:
    """The key of the person hash (``egov_protocol.cases.person_hash``), for enrolled
    terminals only."""
    return {"key_id": desk.keys.person_key_id,
            "key_b64": base64.b64encode(desk.keys.person).decode()}


class PersonCasesIn(BaseModel):
    """Body of ``POST /v1/person-cases``."""

    person_hash: str = Field(pattern=r"^[0-9a-f]{64}$",
                             description="person_hash(person key, document number), hex")


@router.post(PERSON_CASES_PATH)
def person_cases(request: Request, body: PersonCasesIn, terminal: Terminal, desk: Desk) -> dict:
    """The cases of one person, newest first: statuses, next steps, notes for the citizen."""
    rows = desk.cases.of_person(body.person_hash)
    request.app.state.trail.record(f"terminal:{terminal['terminal_id']}",
                                   "looked up a person's cases", f"{len(rows)} found")
    return {"cases": [_status_of(row).to_json() for row in rows]}


class CaseByReceiptIn(BaseModel):
    """Body of ``POST /v1/case-by-receipt``."""

    receipt_number: Identifier
    token: str = Field(min_length=1, max_length=128, description="the progress token of the receipt's QR code")


#: The one answer to a receipt and token that open no case, whichever of the two is wrong.
NO_CASE = "no case for that receipt number and token"


@router.post(CASE_BY_RECEIPT_PATH, responses={404: {"description": NO_CASE}, 429: {"description": "throttled"}})
def case_by_receipt(request: Request, body: CaseByReceiptIn, terminal: Terminal, desk: Desk) -> dict:
    """The case a receipt's QR code opens (its receipt number and progress token), for a citizen
    who scanned it at the terminal without presenting an identity."""
    asker = f"terminal:{terminal['terminal_id']}"
    try:
        desk.cases.check_lookup(asker, body.receipt_number)
    except LookupThrottled as exc:
        raise HTTPException(429, str(exc)) from None
    case = desk.token_opens(body.receipt_number, body.token)
    request.app.state.trail.record(asker, "looked up a case by its receipt",
                                   "found" if case is not None else "none found")
    if case is None:
        desk.cases.lookup_failed(asker, body.receipt_number)
        raise HTTPException(404, NO_CASE)
    return {"case": _status_of(case).to_json()}


def _status_of(row: dict) -> CaseStatus:
    """A case row as terminals read it: statuses, next step, the note for the citizen."""
    return CaseStatus(
        receipt_number=row["receipt_number"], service_id=row["service_id"] or "",
        status=row["status"], received_at=datetime.fromisoformat(row["received_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        next_step=NEXT_STEPS.get(row["status"], ""), note=row["citizen_note"] or "",
        correction_requested=row["status"] == CORRECTIONS_REQUESTED)


@router.get(UPDATES_PATH)
def case_updates(terminal: Terminal, desk: Desk,
                 since: Annotated[int, Query(ge=0, lt=2**63)] = 0,
                 limit: Annotated[int, Query(ge=1, le=MAX_UPDATES)] = 100) -> dict:
    """Status changes after ``since`` of the cases this terminal took, oldest first."""
    rows = desk.cases.updates(terminal["terminal_id"], since, limit)
    updates = [StatusUpdate(
        cursor=row["id"], receipt_number=row["receipt_number"], status=row["status"],
        at=datetime.fromisoformat(row["at"]), next_step=NEXT_STEPS.get(row["status"], ""),
        note=row["note"] or "", correction_requested=row["status"] == CORRECTIONS_REQUESTED)
        for row in rows]
    return {"updates": [u.to_json() for u in updates],
            "next": updates[-1].cursor if updates else since}
