"""Submissions: one sealed submission per ``PUT /v1/submissions/{id}``, or up to 100 small ones
per ``POST /v1/batches`` (binary framing or the JSON form of earlier terminals). Signed."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from egov_protocol.acks import add_progress_token, sign_ack
from egov_protocol.auth import WINDOW_S
from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from egov_protocol.batch_wire import BatchFormatError, decode_batch
from egov_protocol.protocol import REPLAYED, REPLAYED_HEADER, REPLAYED_STATUS

from ..accept import Refusal, accept, accept_many
from ..cases_deps import Desk
from ..cases_intake import CaseIntakeDesk
from ..dependencies import BatchSender, Identifier, Keys, Store, SubmissionId, Terminal, b64
from ..errors import NonceReplayed, TerminalChanged
from ..keyring import PlatformKeyring
from ..store import CentralStore

MAX_BATCH = 100
BATCH_OPENAPI = {"requestBody": {"required": True, "content": {
    BATCH_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}

router = APIRouter(tags=["submissions"])


class SubmissionIn(BaseModel):
    """Body of ``PUT /v1/submissions/{id}``."""

    receipt_number: Identifier
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex of the envelope")
    envelope_b64: str = Field(description="the sealed envelope, standard base64")
    blobs: dict[str, str] = Field(default_factory=dict,
                                  description="detached attachment ciphertexts by SHA-256, base64")


class BatchItem(SubmissionIn):
    """One submission of ``POST /v1/batches``."""

    id: Identifier


class BatchIn(BaseModel):
    """Body of ``POST /v1/batches``: up to 100 small submissions."""

    items: list[BatchItem] = Field(max_length=MAX_BATCH)


def _refused(exc: Refusal) -> JSONResponse:
    body: dict[str, object] = {"detail": exc.detail}
    if exc.missing:
        body["missing"] = exc.missing
    return JSONResponse(body, status_code=exc.status)


def _json_batch(body: BatchIn) -> list[tuple[Any, ...]]:
    """Decode the base64 of the JSON batch form; an item that is not base64 becomes ``(id, None)``."""
    items: list[tuple[Any, ...]] = []
    for item in body.items:
        try:
            items.append((item.id, item.receipt_number, item.digest,
                          base64.b64decode(item.envelope_b64, validate=True),
                          {r: base64.b64decode(d, validate=True) for r, d in item.blobs.items()}))
        except (binascii.Error, ValueError):
            items.append((item.id, None))
    return items


def _signed_ack(receipt: dict, keys: PlatformKeyring, cases: CaseIntakeDesk,
                case_id: str | None = None) -> dict:
    """The signed acknowledgement with the case's progress token (``egov_protocol.acks``);
    ``case_id``: the case the submission was filed under just now, if known (else looked up)."""
    ack = sign_ack(receipt, keys.signing_key)
    token = cases.keys.token(case_id) if case_id else cases.progress_token(receipt["id"])
    return ack if token is None else add_progress_token(ack, token, keys.signing_key)


def _batch_results(store: CentralStore, keys: PlatformKeyring, terminal: dict,
                   items: list, nonce: str, cases: CaseIntakeDesk) -> dict:
    """Accept the decoded items and record the request's nonce in one transaction; answer one
    result per item, in order. Raises ``NonceReplayed``. Runs on a pool thread."""
    filed: dict[str, str] = {}
    outcomes = iter(accept_many(store, keys, terminal, [i for i in items if len(i) == 5],
                                nonce=(nonce, WINDOW_S), cases=cases, filed=filed))
    results = []
    for item in items:
        if len(item) != 5:
            results.append({"id": item[0], "status": 422, "detail": "not base64"})
            continue
        outcome = next(outcomes)
        if isinstance(outcome, Refusal):
            results.append({"id": item[0], "status": outcome.status,
                            "detail": outcome.detail, "missing": outcome.missing})
        else:
            stored_now = outcome[0] == 201  # else stored before: its case is looked up
            results.append({"id": item[0], "status": outcome[0], "receipt": _signed_ack(
                outcome[1], keys, cases, filed.get(item[0]) if stored_now else None)})
    return {"results": results}


@router.put("/v1/submissions/{submission_id}", status_code=201)
def put_submission(submission_id: SubmissionId, body: SubmissionIn, terminal: Terminal,
                   store: Store, keys: Keys, cases: Desk) -> JSONResponse:
    """Receive one sealed submission, idempotently by id and digest (signed)."""
    envelope = b64(body.envelope_b64, "envelope_b64")
    blobs = {ref: b64(data, "blob") for ref, data in body.blobs.items()}
    try:
        status, receipt = accept(store, keys, terminal, submission_id, body.receipt_number,
                                 body.digest, envelope, blobs, cases=cases)
    except Refusal as exc:
        return _refused(exc)
    return JSONResponse(_signed_ack(receipt, keys, cases), status_code=status)


@router.post("/v1/batches", openapi_extra=BATCH_OPENAPI)
async def post_batch(request: Request, sender: BatchSender, store: Store, keys: Keys,
                     cases: Desk) -> dict:
    """Receive several small submissions; one result per item, each independent (signed).
    Body: the binary framing ``application/vnd.egov.batch`` (``egov_protocol.batch_wire``), or
    the JSON form ``BatchIn`` of earlier terminals."""
    body = await request.body()  # already read (and verified) by ``signed_batch``
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(BATCH_CONTENT_TYPE):
        try:
            items = [(p.id, p.receipt_number, p.digest, p.envelope, p.blobs)
                     for p in decode_batch(body)]
        except BatchFormatError as exc:
            raise HTTPException(422, str(exc)) from None
    elif content_type.startswith("application/json"):
        try:
            items = _json_batch(BatchIn.model_validate_json(body))
        except ValidationError as exc:
            raise HTTPException(422, f"batch body is invalid: {exc.error_count()} errors") from None
    else:
        raise HTTPException(415, f"send {BATCH_CONTENT_TYPE} or application/json")
    terminal, nonce = sender
    try:
        return await run_in_threadpool(_batch_results, store, keys, terminal, items, nonce,
                                       cases)
    except NonceReplayed:
        raise HTTPException(REPLAYED_STATUS, REPLAYED, REPLAYED_HEADER) from None
    except TerminalChanged as exc:
        raise HTTPException(exc.status, exc.detail) from None
