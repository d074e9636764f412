"""The platform's web application (FastAPI + uvicorn; SQLite or PostgreSQL), run by ``kiosk-central serve``.

Every response carries ``X-Egov-Central: 1`` so terminals can tell the platform from a captive
portal. Terminal endpoints need a signed request (``egov_protocol.auth``); a terminal gets its identity by
enrolling with a one-time token that an operator issued (``kiosk-central issue-token``). The
operator endpoints (fleet, submission metadata, ``/``) return no personal data; on a real
deployment they sit behind the operators' network. OpenAPI at ``/openapi.json``; protocol in
``docs/sync-protocol.md``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import MutableHeaders

from egov_protocol.acks import sign_ack
from egov_protocol.auth import WINDOW_S, SignatureRejected, SignedRequest
from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from egov_protocol.batch_wire import BatchFormatError, decode_batch, signed_portion
from egov_protocol.documents import KINDS, sign_document
from egov_protocol.keys import key_id_for
from egov_protocol.protocol import (CENTRAL_HEADER, CENTRAL_HEADER_VALUE, IDENTIFIER_PATTERN, REPLAYED,
                                    REPLAYED_HEADER, REPLAYED_STATUS)

from .accept import Refusal, accept, accept_many
from .files import private_dir
from .fleet import fleet_view
from .limits import MAX_REQUEST_BYTES, BodyLimitMiddleware
from .page import render_index
from .ratings import add_rating_routes, rating_counts
from .store import (
    BlobMismatch,
    CentralStore,
    NonceReplayed,
    TerminalKeyConflict,
    TokenRejected,
)
from .keyring import DEFAULT_GRACE_DAYS, PlatformKeyring, grace_days
from .rekey import add_key_routes, platform_description
from .worker_life import end_with_parent

MAX_BATCH = 100
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
Sha256 = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]
SubmissionId = Annotated[str, PathParam(pattern=IDENTIFIER_PATTERN)]


class EnrollIn(BaseModel):
    """Body of ``POST /v1/enroll``."""

    token: str = Field(min_length=4, max_length=64)
    terminal_id: Identifier
    public_key: str = Field(description="raw Ed25519 public key, standard base64", max_length=64)
    site: str | None = Field(None, max_length=64)


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


class HeartbeatsIn(BaseModel):
    """Body of ``POST /v1/heartbeats``: heartbeats queued by the terminal, oldest first."""

    items: list[dict] = Field(max_length=500)


class CentralHeaderMiddleware:
    """ASGI middleware: stamps the platform header on every response (body limits:
    ``central.limits``)."""

    def __init__(self, app) -> None:
        """Wrap the ASGI ``app``."""
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(CENTRAL_HEADER, CENTRAL_HEADER_VALUE)
            await send(message)

        await self.app(scope, receive, send_with_header)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, f"{what} is not base64") from None


def _refused(exc: Refusal) -> JSONResponse:
    body = {"detail": exc.detail}
    if exc.missing:
        body["missing"] = exc.missing
    return JSONResponse(body, status_code=exc.status)


BATCH_OPENAPI = {"requestBody": {"required": True, "content": {
    BATCH_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}


def _json_batch(body: BatchIn) -> list:
    """Decode the base64 of the JSON batch form; an item that is not base64 becomes ``None``."""
    items = []
    for item in body.items:
        try:
            items.append((item.id, item.receipt_number, item.digest,
                          base64.b64decode(item.envelope_b64, validate=True),
                          {r: base64.b64decode(d, validate=True) for r, d in item.blobs.items()}))
        except (binascii.Error, ValueError):
            items.append((item.id, None))
    return items


def _batch_results(store: CentralStore, keys: PlatformKeyring, terminal: dict,
                   items: list, nonce: str) -> dict:
    """Accept the decoded items and record the request's nonce in one transaction; answer one
    result per item, in order. Raises ``NonceReplayed``."""
    outcomes = iter(accept_many(store, keys, terminal, [i for i in items if len(i) == 5],
                                nonce=(nonce, WINDOW_S)))
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
            results.append({"id": item[0], "status": outcome[0],
                            "receipt": sign_ack(outcome[1], keys.signing_key)})
    return {"results": results}


async def _verified_terminal(request: Request, *, batch: bool = False) -> tuple[dict, SignedRequest]:
    """The terminal of a request whose signature, date and digest verify (401/403 otherwise);
    its nonce is not recorded yet. ``batch``: the digest covers a binary batch's signed
    portion (``egov_protocol.batch_wire.signed_portion``)."""
    store: CentralStore = request.app.state.store
    body = await request.body()
    if batch:
        body = signed_portion(body)
    try:
        signed = SignedRequest.from_headers(request.headers)
    except SignatureRejected as exc:
        raise HTTPException(401, str(exc)) from None
    terminal = await run_in_threadpool(store.terminal, signed.terminal_id)
    if terminal is None:
        raise HTTPException(401, "unknown terminal: enroll it with a token")
    if terminal["status"] != "active":
        raise HTTPException(403, "terminal is revoked: call the platform operators")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        signed.verify(bytes(terminal["public_key"]), request.method, path, body)
    except SignatureRejected as exc:
        raise HTTPException(401, str(exc)) from None
    return terminal, signed


async def signed_terminal(request: Request) -> dict:
    """Dependency: the verified terminal of a signed request, its nonce recorded (401/403
    otherwise)."""
    terminal, signed = await _verified_terminal(request)
    fresh = await run_in_threadpool(request.app.state.store.remember_nonce, signed.terminal_id,
                                    signed.nonce, WINDOW_S)
    if not fresh:
        raise HTTPException(REPLAYED_STATUS, REPLAYED, REPLAYED_HEADER)
    return terminal


async def signed_batch(request: Request) -> tuple[dict, str]:
    """Dependency of the batch endpoint: ``(terminal, nonce)``. The nonce is recorded in the
    batch's own transaction (one transaction, one fsync per batch); a replay rolls it back."""
    terminal, signed = await _verified_terminal(
        request, batch=request.headers.get("content-type", "").startswith(BATCH_CONTENT_TYPE))
    return terminal, signed.nonce


Terminal = Annotated[dict, Depends(signed_terminal)]
BatchSender = Annotated[tuple[dict, str], Depends(signed_batch)]


def create_app(data_dir: str | Path, database_url: str | None = None,
               key_grace_days: float = DEFAULT_GRACE_DAYS) -> FastAPI:
    """Build the platform app: keys in ``data_dir/keys`` (made at first start; retired keys
    accepted for ``key_grace_days``), published documents in ``data_dir/published``, the
    database at ``database_url`` (a PostgreSQL URL) or ``data_dir/central.sqlite3``."""
    data_dir = Path(data_dir)
    private_dir(data_dir)
    keys = PlatformKeyring(data_dir / "keys", key_grace_days)
    store = CentralStore(database_url or data_dir / "central.sqlite3")
    store.open()
    published = data_dir / "published"

    app = FastAPI(title="egov-kiosk central platform (reference)", version="2",
                  description=__doc__)
    app.state.store = store
    app.state.keys = keys
    app.add_middleware(BodyLimitMiddleware, store=store)  # inside: its refusals get the header
    app.add_middleware(CentralHeaderMiddleware)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Raised past the middleware stack, so the header must be set here.
        return JSONResponse({"detail": "internal error"}, status_code=500,
                            headers={CENTRAL_HEADER: CENTRAL_HEADER_VALUE})


    @app.get("/v1/health", tags=["platform"])
    def health() -> dict:
        """Liveness probe (unsigned)."""
        return {"status": "ok"}

    @app.post("/v1/enroll", tags=["terminals"], status_code=201)
    def enroll(body: EnrollIn) -> JSONResponse:
        """Enroll a terminal with a one-time token; returns the platform's public keys."""
        public_key = _b64(body.public_key, "public_key")
        try:
            Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            raise HTTPException(422, "public_key is not a raw 32-byte Ed25519 key") from None
        key_id = key_id_for(public_key)
        try:
            created = store.enroll(body.token, body.terminal_id, public_key, key_id, body.site)
        except TokenRejected as exc:
            raise HTTPException(403, str(exc)) from None
        except TerminalKeyConflict:
            raise HTTPException(409, "this key is registered to another terminal") from None
        return JSONResponse({"terminal_id": body.terminal_id, "key_id": key_id,
                             **platform_description(keys)},
                            status_code=201 if created else 200)

    @app.get("/v1/terminals", tags=["operators"])
    def list_terminals() -> dict:
        """The fleet: terminals, counts, last heartbeat, devices, alerts, audit head, staleness,
        sequence gaps (``central.fleet``; no personal data)."""
        return {"items": fleet_view(store)}

    @app.put("/v1/submissions/{submission_id}", tags=["submissions"], status_code=201)
    def put_submission(submission_id: SubmissionId, body: SubmissionIn,
                       terminal: Terminal) -> JSONResponse:
        """Receive one sealed submission, idempotently by id and digest (signed)."""
        envelope = _b64(body.envelope_b64, "envelope_b64")
        blobs = {ref: _b64(data, "blob") for ref, data in body.blobs.items()}
        try:
            status, receipt = accept(store, keys, terminal, submission_id, body.receipt_number,
                                     body.digest, envelope, blobs)
        except Refusal as exc:
            return _refused(exc)
        return JSONResponse(sign_ack(receipt, keys.signing_key), status_code=status)

    @app.post("/v1/batches", tags=["submissions"], openapi_extra=BATCH_OPENAPI)
    async def post_batch(request: Request, sender: BatchSender) -> dict:
        """Receive several small submissions; one result per item, each independent (signed).
        Body: the binary framing ``application/vnd.egov.batch`` (``egov_protocol.batch_wire``), or the
        JSON form ``BatchIn`` of earlier terminals."""
        body = await request.body()  # already read (and verified) by ``signed_terminal``
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
            return await run_in_threadpool(_batch_results, store, keys, terminal, items, nonce)
        except NonceReplayed:
            raise HTTPException(REPLAYED_STATUS, REPLAYED, REPLAYED_HEADER) from None

    @app.get("/v1/blobs/{sha256}", tags=["blobs"])
    def blob_status(sha256: Sha256, terminal: Terminal) -> dict:
        """How much of a blob the platform holds: where a resumed upload continues (signed)."""
        complete, offset = store.blob_offset(sha256)
        return {"sha256": sha256, "complete": complete, "offset": offset}

    @app.patch("/v1/blobs/{sha256}", tags=["blobs"])
    async def blob_append(sha256: Sha256, request: Request, terminal: Terminal,
                          upload_offset: Annotated[int, Header(ge=0)],
                          upload_length: Annotated[int, Header(ge=1, le=MAX_REQUEST_BYTES)]
                          ) -> JSONResponse:
        """Append raw bytes at ``Upload-Offset`` of a blob of ``Upload-Length`` bytes (signed)."""
        data = await request.body()
        try:
            complete, offset = await run_in_threadpool(
                store.append_blob, sha256, upload_offset, upload_length, data)
        except BlobMismatch as exc:
            _, held = await run_in_threadpool(store.blob_offset, sha256)
            return JSONResponse({"detail": str(exc), "offset": held}, status_code=409)
        return JSONResponse({"sha256": sha256, "complete": complete, "offset": offset})

    add_key_routes(app, store, keys, signed_terminal)  # before /v1/documents/{kind}, which it refines

    @app.get("/v1/documents/{kind}", tags=["documents"])
    def document(kind: Annotated[str, PathParam(pattern="^(" + "|".join(KINDS) + ")$")],
                 terminal: Terminal,
                 if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The platform-signed catalog, forms or settings, with an ETag (signed)."""
        path = published / f"{kind}.json"
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            body = {}
        signed = sign_document(kind, body, keys.signing_key)
        etag = f'"{signed["etag"]}"'
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return JSONResponse(signed, headers={"ETag": etag})

    @app.post("/v1/heartbeats", tags=["terminals"])
    def heartbeats(body: HeartbeatsIn, terminal: Terminal) -> dict:
        """Store queued heartbeats (idempotent by their id); returns the ids acknowledged."""
        items = [item for item in body.items
                 if isinstance(item.get("id"), str) and isinstance(item.get("sent_at"), str)]
        return {"acked": store.add_heartbeats(terminal["terminal_id"], items)}

    @app.get("/v1/submissions", tags=["operators"])
    def list_submissions(limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> dict:
        """Submission metadata, newest first (no payloads)."""
        total, items = store.submissions(limit, offset)
        return {"total": total, "items": items}

    @app.get("/v1/submissions/{submission_id}", tags=["operators"])
    def get_submission(submission_id: SubmissionId) -> dict:
        """One submission's metadata and attachment names/sizes (no payload)."""
        row = store.submission(submission_id)
        if row is None:
            raise HTTPException(404, "no such submission")
        return row

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        """Operators' page: the fleet and what arrived."""
        total, items = store.submissions(200, 0)
        return HTMLResponse(render_index(total, items, fleet_view(store), rating_counts(store)))

    add_rating_routes(app, store)
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn workers: ``KIOSK_CENTRAL_DATA_DIR``, ``KIOSK_CENTRAL_DATABASE_URL``
    and ``KIOSK_CENTRAL_KEY_GRACE_DAYS``. A worker ends with its supervisor (``central.worker_life``)."""
    end_with_parent()
    return create_app(os.environ["KIOSK_CENTRAL_DATA_DIR"],
                      os.environ.get("KIOSK_CENTRAL_DATABASE_URL") or None, grace_days())
