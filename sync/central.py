"""``kiosk-central``: the reference central platform (FastAPI + uvicorn, SQLite).

Demo-grade in one respect, on purpose: terminals register themselves with ``POST /v1/terminals``
(terminal id + Ed25519 public key) without any proof that they may. Enrollment with one-time
tokens, signed requests with a nonce window, the batch endpoint, resumable attachments, signed
catalogs, heartbeats and PostgreSQL are the next protocol issue. Operator endpoints are not
authenticated yet either, so none of them returns personal data: payloads stay in the database.

Endpoints (OpenAPI at ``/openapi.json``, docs at ``/docs``); every response carries
``X-Egov-Central: 1`` so terminals can tell the platform from a captive portal:

- ``GET  /v1/health``              liveness
- ``GET  /v1/platform``            public keys (base64): X25519 to seal to, Ed25519 signing key
- ``POST /v1/terminals``           register a terminal: 201 new / 200 same key / 409 other key
- ``GET  /v1/terminals``           the fleet: terminals, submission counts, last submission
- ``PUT  /v1/submissions/{id}``    deliver a sealed submission: 201 first time, 200 same digest
                                   (the original receipt), 409 other digest, 403 unknown terminal,
                                   422 bad digest/signature/envelope/payload
- ``GET  /v1/submissions``         newest first, metadata only
- ``GET  /v1/submissions/{id}``    metadata and attachment names/sizes
- ``GET  /``                       an HTML list for operators (no personal data)
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders

from .central_page import render_index
from .central_store import (
    CentralStore,
    NewSubmission,
    ReceiptNumberTaken,
    TerminalKeyConflict,
)
from .envelope import EnvelopeError, envelope_key_id, open_sealed
from .keys import PlatformKeys, key_id_for
from .protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE, IDENTIFIER_PATTERN

MAX_REQUEST_BYTES = 96 * 1024 * 1024  # a 64 MiB envelope, base64-encoded, plus JSON

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]


class TerminalIn(BaseModel):
    """Body of ``POST /v1/terminals``."""

    terminal_id: Identifier
    public_key: str = Field(description="raw Ed25519 public key, standard base64", max_length=64)
    site: str | None = Field(None, max_length=64)


class SubmissionIn(BaseModel):
    """Body of ``PUT /v1/submissions/{id}``."""

    receipt_number: Identifier
    terminal_id: Identifier
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex of the envelope")
    envelope_b64: str = Field(description="the sealed envelope, standard base64")


class CentralHeaderMiddleware:
    """ASGI middleware: stamps the platform header on every response and refuses oversized
    bodies before they are read."""

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

        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            response = JSONResponse({"detail": "request body too large"}, status_code=413)
            await response(scope, receive, send_with_header)
            return
        await self.app(scope, receive, send_with_header)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, f"{what} is not base64") from None


def _payload_fields(payload: bytes, submission_id: str, receipt_number: str) -> tuple[dict, str]:
    try:
        text = payload.decode("utf-8")  # json.loads(bytes) would also take UTF-16/32
        document = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise HTTPException(422, "payload is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise HTTPException(422, "payload is not a JSON object")
    # The envelope is signed, the request fields are not: make sure they agree.
    if document.get("submission_id", submission_id) != submission_id:
        raise HTTPException(422, "payload submission_id does not match the URL")
    if document.get("receipt_number", receipt_number) != receipt_number:
        raise HTTPException(422, "payload receipt_number does not match the request")
    return document, text


def _text_field(document: dict, name: str) -> str | None:
    value = document.get(name)
    return value if isinstance(value, str) else None


def _receipt_body(row: dict) -> dict:
    keys = ("id", "receipt_number", "central_receipt", "digest", "received_at", "terminal_id")
    return {key: row[key] for key in keys}


def create_app(data_dir: str | Path) -> FastAPI:
    """Build the platform app over ``data_dir`` (created if absent): keys in ``keys/`` (made at
    first start), database ``central.sqlite3``."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = PlatformKeys.load_or_create(data_dir / "keys")
    store = CentralStore(data_dir / "central.sqlite3")
    store.open()

    app = FastAPI(
        title="egov-kiosk central platform (reference)",
        version="1",
        description=__doc__,
    )
    app.state.store = store
    app.state.keys = keys
    app.add_middleware(CentralHeaderMiddleware)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Raised past the middleware stack, so the header must be set here.
        return JSONResponse(
            {"detail": "internal error"},
            status_code=500,
            headers={CENTRAL_HEADER: CENTRAL_HEADER_VALUE},
        )

    @app.get("/v1/health", tags=["platform"])
    def health() -> dict:
        """Liveness probe."""
        return {"status": "ok"}

    @app.get("/v1/platform", tags=["platform"])
    def platform() -> dict:
        """The platform's public keys, raw and base64-encoded."""
        return {
            "x25519_public": base64.b64encode(keys.x25519_public).decode(),
            "ed25519_public": base64.b64encode(keys.ed25519_public).decode(),
            "key_id": keys.key_id,
        }

    @app.post("/v1/terminals", tags=["terminals"], status_code=201)
    def register_terminal(body: TerminalIn) -> JSONResponse:
        """Demo-grade registration of a terminal's Ed25519 key (no enrollment token yet)."""
        public_key = _b64(body.public_key, "public_key")
        try:
            Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            raise HTTPException(422, "public_key is not a raw 32-byte Ed25519 key") from None
        key_id = key_id_for(public_key)
        try:
            created = store.register_terminal(body.terminal_id, public_key, key_id, body.site, _now())
        except TerminalKeyConflict:
            raise HTTPException(409, "terminal id or key already registered differently") from None
        return JSONResponse(
            {"terminal_id": body.terminal_id, "key_id": key_id},
            status_code=201 if created else 200,
        )

    @app.get("/v1/terminals", tags=["terminals"])
    def list_terminals() -> dict:
        """The fleet: every registered terminal with its submission count."""
        return {"items": store.terminals()}

    @app.put("/v1/submissions/{submission_id}", tags=["submissions"], status_code=201)
    def put_submission(
        submission_id: Annotated[str, PathParam(pattern=IDENTIFIER_PATTERN)],
        body: SubmissionIn,
    ) -> JSONResponse:
        """Receive one sealed submission, idempotently by id and digest."""
        envelope = _b64(body.envelope_b64, "envelope_b64")
        if hashlib.sha256(envelope).hexdigest() != body.digest:
            raise HTTPException(422, "digest does not match the envelope")
        terminal = store.terminal(body.terminal_id)
        if terminal is None:
            raise HTTPException(403, "terminal not registered")
        try:
            if envelope_key_id(envelope) != terminal["key_id"]:
                raise HTTPException(422, "envelope is signed with another terminal's key")
            verify_key = Ed25519PublicKey.from_public_bytes(bytes(terminal["public_key"]))
            payload, attachments = open_sealed(envelope, keys.encryption_key, verify_key)
        except EnvelopeError as exc:
            raise HTTPException(422, f"envelope rejected: {exc}") from None
        document, payload_text = _payload_fields(payload, submission_id, body.receipt_number)
        received_at = datetime.now(timezone.utc)
        new = NewSubmission(
            id=submission_id,
            receipt_number=body.receipt_number,
            terminal_id=body.terminal_id,
            digest=body.digest,
            central_receipt=f"GOV-{received_at:%Y%m%d}-{secrets.token_hex(8).upper()}",
            service_id=_text_field(document, "service_id"),
            form_id=_text_field(document, "form_id"),
            form_version=_text_field(document, "form_version"),
            envelope=envelope,
            payload_json=payload_text,
            attachments={
                name: (hashlib.sha256(data).hexdigest(), data)
                for name, data in attachments.items()
            },
            received_at=received_at.isoformat(timespec="microseconds"),
        )
        try:
            created, row = store.insert_submission(new)
        except ReceiptNumberTaken:
            raise HTTPException(409, "receipt number already used by another submission") from None
        if not created and row["digest"] != body.digest:
            raise HTTPException(409, f"submission {submission_id} exists with a different digest")
        return JSONResponse(_receipt_body(row), status_code=201 if created else 200)

    @app.get("/v1/submissions", tags=["submissions"])
    def list_submissions(
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict:
        """Submission metadata, newest first (no payloads)."""
        total, items = store.submissions(limit, offset)
        return {"total": total, "items": items}

    @app.get("/v1/submissions/{submission_id}", tags=["submissions"])
    def get_submission(
        submission_id: Annotated[str, PathParam(pattern=IDENTIFIER_PATTERN)],
    ) -> dict:
        """One submission's metadata and attachment names/sizes (no payload)."""
        row = store.submission(submission_id)
        if row is None:
            raise HTTPException(404, "no such submission")
        return row

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        """Operators' page: received submissions and terminals."""
        total, items = store.submissions(200, 0)
        return HTMLResponse(render_index(total, items, store.terminals()))

    return app


def main(argv: list[str] | None = None) -> None:
    """Console script ``kiosk-central``: serve the platform with uvicorn."""
    import uvicorn

    parser = argparse.ArgumentParser(
        prog="kiosk-central", description="Reference central platform for egov-kiosk terminals."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="TCP port (default 8700)")
    parser.add_argument(
        "--data-dir", default="kiosk-central-data", help="keys and database directory"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    args = parser.parse_args(argv)
    app = create_app(args.data_dir)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
