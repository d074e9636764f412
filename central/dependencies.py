"""What the routers share: the platform's store, keys and published folder (from ``app.state``),
the verification of a terminal's signed request, and the identifier types of paths and bodies.

Dependencies run on the event loop; database calls go to the thread pool.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from egov_protocol.auth import WINDOW_S, SignatureRejected, SignedRequest
from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from egov_protocol.batch_wire import signed_portion
from egov_protocol.protocol import IDENTIFIER_PATTERN, REPLAYED, REPLAYED_HEADER, REPLAYED_STATUS

from .errors import TerminalChanged
from .keyring import PlatformKeyring
from .limits import VERIFIED
from .store import CentralStore

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
Sha256 = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]
SubmissionId = Annotated[str, PathParam(pattern=IDENTIFIER_PATTERN)]


async def platform_store(request: Request) -> CentralStore:
    """Dependency: the platform's database."""
    return request.app.state.store


async def platform_keys(request: Request) -> PlatformKeyring:
    """Dependency: the platform's keys (current and retired)."""
    return request.app.state.keys


async def published_folder(request: Request) -> Path:
    """Dependency: the folder of published documents (``DATA_DIR/published``)."""
    return request.app.state.published


Store = Annotated[CentralStore, Depends(platform_store)]
Keys = Annotated[PlatformKeyring, Depends(platform_keys)]
Published = Annotated[Path, Depends(published_folder)]


def b64(text: str, what: str) -> bytes:
    """Standard base64 ``text`` decoded; 422 naming ``what`` if it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, f"{what} is not base64") from None


async def _verified_terminal(request: Request, *, batch: bool = False) -> tuple[dict, SignedRequest]:
    """The terminal of a request whose signature, date and digest verify (401/403 otherwise);
    its nonce is not recorded yet. The terminal's row may come from this worker's cache: the
    nonce is recorded with the key that verified (``CentralStore.remember_nonce``). ``batch``:
    the digest covers a binary batch's signed portion
    (``egov_protocol.batch_wire.signed_portion``)."""
    store: CentralStore = request.app.state.store
    body = await request.body()
    if batch:
        body = signed_portion(body)
    verified = request.scope.get("state", {}).get(VERIFIED)
    if verified is not None:  # the headers' signature was checked before the body was read
        if hashlib.sha256(body).hexdigest() != verified[1].digest:
            raise HTTPException(401, "body does not match X-Egov-Digest")
        return verified
    try:
        signed = SignedRequest.from_headers(request.headers)
    except SignatureRejected as exc:
        raise HTTPException(401, str(exc)) from None
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    terminal = store.cached_terminal(signed.terminal_id)
    if terminal is not None:
        try:
            signed.verify(terminal["public_key"], request.method, path, body)
            return terminal, signed
        except SignatureRejected:  # perhaps re-keyed in another worker: read it again
            store.forget_terminal(signed.terminal_id)
    terminal = await run_in_threadpool(store.terminal, signed.terminal_id)
    if terminal is None:
        raise HTTPException(401, "unknown terminal: enroll it with a token")
    if terminal["status"] != "active":
        raise HTTPException(403, "terminal is revoked: call the platform operators")
    try:
        signed.verify(bytes(terminal["public_key"]), request.method, path, body)
    except SignatureRejected as exc:
        raise HTTPException(401, str(exc)) from None
    return terminal, signed


async def signed_terminal(request: Request) -> dict:
    """Dependency: the verified terminal of a signed request, its nonce recorded (401/403
    otherwise)."""
    terminal, signed = await _verified_terminal(request)
    try:
        fresh = await run_in_threadpool(request.app.state.store.remember_nonce,
                                        signed.terminal_id, signed.nonce, WINDOW_S,
                                        terminal["key_id"])
    except TerminalChanged as exc:
        raise HTTPException(exc.status, exc.detail) from None
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
