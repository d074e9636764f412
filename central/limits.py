"""How much of a request body the platform reads, and from whom (an ASGI middleware).

A body is read only after the request has shown it may send one: a terminal endpoint's signature
headers must parse, name a known, active terminal, verify over the stated body digest and carry
a nonce not used before. Until then not one body byte is read, and a refusal closes the
connection. The limit counts the bytes actually received, so a chunked body (which has no
``Content-Length``) is cut off at the limit too. Everything else (enrollment, operator pages) may
send a small body only.

The body read here is handed to the application in one piece, with the verified terminal and
signature in the request's state (``VERIFIED``, ``scope["state"]``): the application's
dependency (``central.dependencies``) takes them from there instead of parsing the headers and
looking the terminal up a second time, checks the body against the signed digest and records the
nonce.
"""

from __future__ import annotations

import re

from anyio import to_thread
from sqlalchemy import literal, select
from starlette.requests import Request
from starlette.responses import JSONResponse

from egov_protocol.auth import SignatureRejected, SignedRequest
from egov_protocol.protocol import REPLAYED, REPLAYED_HEADER, REPLAYED_STATUS

from .store import CentralStore
from .tables import nonces

MAX_REQUEST_BYTES = 96 * 1024 * 1024
#: Where the request's state keeps ``(terminal, SignedRequest)`` of headers verified here.
VERIFIED = "egov_verified_headers"
MAX_UNSIGNED_BYTES = 1024 * 1024
#: Key in ``scope["state"]`` of ``(terminal row, SignedRequest)`` once the headers verified.
VERIFIED = "verified_terminal"
# The terminal endpoints (signed requests) by method: only a verified terminal sends a body
# there. Any other request (enrollment, operator pages) may send a small body only, whatever
# its method: a GET with a chunked body is counted too.
_SIGNED = {
    "PUT": re.compile(r"^/v1/submissions/[^/]+$"),
    "POST": re.compile(r"^/v1/(batches|heartbeats|terminal-key|person-cases|case-by-receipt"
                       r"|certificates/search|certificates/[^/]+/pdf)$"),
    "PATCH": re.compile(r"^/v1/blobs/[^/]+$"),
    "GET": re.compile(r"^/v1/((blobs|documents)/[^/]+|person-cases/key|case-updates)$"),
}


def _refusal(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    # The unread body stays on the connection: close it rather than read it.
    return JSONResponse({"detail": detail}, status_code=status,
                        headers={**(headers or {}), "Connection": "close"})


def _nonce_seen(store: CentralStore, terminal_id: str, nonce: str) -> bool:
    with store.db.transaction(write=False) as conn:
        return conn.scalar(select(literal(1)).where(
            nonces.c.terminal_id == terminal_id, nonces.c.nonce == nonce)) is not None


async def signature_refusal(store: CentralStore, scope) -> JSONResponse | None:
    """Why a signed request may not send its body (401, 403 or 425), or None when it may (the
    terminal and signature then in ``scope["state"][VERIFIED]``). Runs on the event loop;
    database look-ups in the thread pool."""
    request = Request(scope)
    try:
        signed = SignedRequest.from_headers(request.headers)
    except SignatureRejected as exc:
        return _refusal(401, str(exc))
    terminal = store.cached_terminal(signed.terminal_id)
    if terminal is None:  # not cached: the endpoint looks it up and caches it
        terminal = await to_thread.run_sync(store.terminal, signed.terminal_id)
    if terminal is None:
        return _refusal(401, "unknown terminal: enroll it with a token")
    if terminal["status"] != "active":
        return _refusal(403, "terminal is revoked: call the platform operators")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        signed.verify_headers(bytes(terminal["public_key"]), scope["method"], path)
    except SignatureRejected as exc:
        store.forget_terminal(signed.terminal_id)  # perhaps re-keyed in another worker
        fresh = await to_thread.run_sync(store.terminal, signed.terminal_id)
        if fresh is None or fresh["status"] != "active" or fresh["key_id"] == terminal["key_id"]:
            return _refusal(401, str(exc))
        try:
            signed.verify_headers(fresh["public_key"], scope["method"], path)
        except SignatureRejected as again:
            return _refusal(401, str(again))
    if await to_thread.run_sync(_nonce_seen, store, signed.terminal_id, signed.nonce):
        return _refusal(REPLAYED_STATUS, REPLAYED, REPLAYED_HEADER)
    # The application checks the body against the digest these headers signed, not the
    # signature again (``central.dependencies``).
    scope.setdefault("state", {})[VERIFIED] = (terminal, signed)
    return None


class BodyLimitMiddleware:
    """ASGI middleware: checks who sends a body before reading it, and reads at most the limit
    of bytes actually received (413 past it)."""

    def __init__(self, app, store: CentralStore) -> None:
        """Wrap the ASGI ``app``; terminals are looked up in ``store``."""
        self.app = app
        self.store = store

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_UNSIGNED_BYTES
        signed = _SIGNED.get(scope["method"])
        if signed is not None and signed.match(scope["path"]):
            refusal = await signature_refusal(self.store, scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            limit = MAX_REQUEST_BYTES
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if length.isdigit() and int(length) > limit:
            await _refusal(413, "request body too large")(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nothing to answer
            received += len(message.get("body", b""))
            if received > limit:
                await _refusal(413, "request body too large")(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        chunks.clear()
        handed = False

        async def replay():
            nonlocal handed
            if not handed:
                handed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
