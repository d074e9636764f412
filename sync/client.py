"""The terminal's side of the sync protocol: ``CentralClient`` speaks HTTP to the platform.

Every answer must carry ``X-Egov-Central: 1``. A captive portal, hotel login page or
misconfigured proxy answers 200 without it; taking that for an acknowledgement would mark
submissions delivered that never arrived, so such answers raise ``NotCentralServer`` (a
``CentralUnavailable``: retry later). Error mapping, see ``egov_protocol.errors`` for the tree:

- network failures, timeouts, 408/425/429/5xx → ``CentralUnavailable``
- answer without the header → ``NotCentralServer`` (5xx without it → ``CentralUnavailable``)
- header present but body malformed, or an ack for another id/digest → ``CentralProtocolError``
- other 4xx → ``CentralRejected(status, reason)``

``CentralClient`` is safe to share between threads (httpx's client is); the sync worker calls it
from its own thread. ``SyncWorker`` (re-exported here) lives in ``sync.worker``, the values the
client takes and returns (also re-exported) in ``sync.client_types``.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from egov_protocol.acks import verify_ack
from egov_protocol.auth import sign_request
from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from egov_protocol.batch_wire import encode_batch, signed_portion
from egov_protocol.documents import DocumentError, check_update, http_etag, verify_document
from egov_protocol.errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    InsecurePlatformUrl,
    NotCentralServer,
)
from egov_protocol.protocol import (
    API_PREFIX,
    CENTRAL_HEADER,
    CENTRAL_HEADER_VALUE,
    CentralReceipt,
    PlatformInfo,
    TerminalRegistration,
    insecure_platform_url,
    is_replayed_answer,
)

from .backoff import Backoff
from .client_case_updates import CaseUpdatesFetching
from .client_types import BatchResult, Enrolled, Rekeyed, SubmissionLike

log = logging.getLogger(__name__)

BLOB_CHUNK = 1024 * 1024

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_TRANSIENT_STATUSES = {408, 425, 429}
_MAX_REASON = 300


class CentralClient(CaseUpdatesFetching):
    """HTTP client for the central platform (no I/O until the first request); with
    ``signing_key`` every request after enrollment is signed (``egov_protocol.auth``)."""

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        transport: httpx.BaseTransport | None = None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        signing_key: Ed25519PrivateKey | None = None,
        platform_key: bytes | None = None,
    ) -> None:
        """Acks must be signed with ``platform_key`` (``egov_protocol.acks``); ``transport``
        replaces the network; ``InsecurePlatformUrl`` for ``http://`` off this machine."""
        if transport is None and (problem := insecure_platform_url(base_url)) is not None:
            raise InsecurePlatformUrl(f"platform URL {base_url} {problem}")
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self._signing_key = signing_key
        self._platform_key = platform_key
        self._transport = transport
        self._timeout = timeout
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        # Created lazily: building an httpx.Client loads the CA bundle from disk.
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    base_url=self.base_url,
                    transport=self._transport,
                    timeout=self._timeout,
                    follow_redirects=False,  # a redirect is a portal, never the platform
                    headers={"User-Agent": "egov-kiosk-terminal/0.1"},
                )
            return self._http

    def close(self) -> None:
        """Close the connection pool (idempotent)."""
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- protocol operations -----------------------------------------------------------------

    def health(self) -> None:
        """Return when the platform answers ``GET /v1/health``; raise otherwise."""
        self._expect(self._request("GET", "/health"), {200})

    def fetch_platform_keys(self) -> PlatformInfo:
        """The platform's public keys (X25519 to seal to, Ed25519 that signs its documents)."""
        response = self._request("GET", "/platform")
        self._expect(response, {200})
        return PlatformInfo.from_json(self._json(response))

    def enroll(self, token: str, public_key: bytes, *, site: str | None = None) -> Enrolled:
        """Enroll this terminal with a one-time ``token``; 403 means the token is not valid."""
        body = {"token": token, "terminal_id": self.terminal_id,
                "public_key": base64.b64encode(public_key).decode("ascii"), "site": site}
        response = self._request("POST", "/enroll", json=body)
        self._expect(response, {200, 201})
        data = self._json(response)
        return Enrolled(
            TerminalRegistration.from_json(data, created=response.status_code == 201),
            _platform_info(data))

    def register_key(self, public_key: bytes, proof: bytes) -> Rekeyed:
        """Replace this terminal's signing key (``kioskctl rekey``) in a request signed with the
        client's key; ``proof``: the new key's signature of ``egov_protocol.keys.rekey_proof_message``."""
        body = {"public_key": base64.b64encode(public_key).decode("ascii"),
                "proof": base64.b64encode(proof).decode("ascii")}
        response = self._signed("POST", "/terminal-key", body)
        self._expect(response, {200})
        data = self._json(response)
        retired = _field(data, "retired_key_id")
        return Rekeyed(TerminalRegistration.from_json(data, created=False), _platform_info(data),
                       retired if isinstance(retired, str) else None)

    def put_submission(self, record: SubmissionLike,
                       blobs: dict[str, bytes] | None = None) -> CentralReceipt:
        """Deliver one sealed submission; return the platform's receipt (also for a resend).

        ``blobs`` are its detached attachments: uploaded resumably first when the platform says
        it lacks them (428). Raises ``CentralRejected`` (409 when the id holds a different
        digest) or a ``CentralUnavailable``; an ack naming another id or digest is a
        ``CentralProtocolError``.
        """
        if record.sealed is None:
            raise ValueError(f"submission {record.id} has no sealed bytes (purged)")
        body = {"receipt_number": record.receipt_number, "digest": record.digest,
                "envelope_b64": base64.b64encode(record.sealed).decode("ascii")}
        response = self._signed("PUT", f"/submissions/{record.id}", body)
        if response.status_code == 428:
            for ref in self._missing(response):
                if not blobs or ref not in blobs:
                    raise CentralRejected(428, f"blob {ref} is not held by this terminal")
                self.upload_blob(blobs[ref])
            response = self._signed("PUT", f"/submissions/{record.id}", body)
        self._expect(response, {200, 201})
        return self._receipt(response, record)

    def put_batch(self, items: Sequence[tuple[SubmissionLike, dict[str, bytes]]]) -> list[BatchResult]:
        """Deliver several small submissions with their blobs inline in one request."""
        return self.send_batch(self.encode_batch(items), items)

    @staticmethod
    def encode_batch(items: Sequence[tuple[SubmissionLike, dict[str, bytes]]]) -> bytes:
        """The binary request body of ``put_batch`` (``egov_protocol.batch_wire``): CPU work a
        pipelining sender does ahead, on its own thread."""
        parts = []
        for record, blobs in items:
            if record.sealed is None:
                raise ValueError(f"submission {record.id} has no sealed bytes (purged)")
            parts.append((record.id, record.receipt_number, record.digest, record.sealed, blobs))
        return encode_batch(parts)

    def send_batch(self, body: bytes,
                   items: Sequence[tuple[SubmissionLike, dict[str, bytes]]]) -> list[BatchResult]:
        """Send a body from ``encode_batch`` and parse the answer; any thread."""
        response = self._signed("POST", "/batches", body, raw=True,
                                headers={"Content-Type": BATCH_CONTENT_TYPE},
                                digest_over=signed_portion(body))
        self._expect(response, {200})
        data = self._json(response)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(items):
            raise CentralProtocolError("batch answer does not list every item")
        out = []
        for (record, _), result in zip(items, results, strict=False):
            if not isinstance(result, dict) or result.get("id") != record.id:
                raise CentralProtocolError("batch answer is out of order")
            status = result.get("status")
            if status in (200, 201):
                self._verified(result.get("receipt"))
                receipt = CentralReceipt.from_json(result.get("receipt"), created=status == 201)
                if receipt.submission_id != record.id or receipt.digest != record.digest:
                    raise CentralProtocolError(f"platform acknowledged something else than {record.id}")
                out.append(BatchResult(record.id, receipt=receipt))
            elif status == 428:
                out.append(BatchResult(record.id, missing=tuple(result.get("missing") or ())))
            elif isinstance(status, int) and 400 <= status < 500:
                reason = str(result.get("detail") or "rejected")[:_MAX_REASON]
                out.append(BatchResult(record.id, rejected=CentralRejected(status, reason)))
            else:
                raise CentralProtocolError(f"batch item status {status!r}")
        return out

    def upload_blob(self, data: bytes, *, max_chunks: int | None = None) -> bool:
        """Upload a blob by its SHA-256, resuming where the platform's copy ends; True when
        complete. ``max_chunks`` stops early (tests of resumption)."""
        import hashlib

        ref = hashlib.sha256(data).hexdigest()
        response = self._signed("GET", f"/blobs/{ref}", None)
        self._expect(response, {200})
        state = self._json(response)
        if isinstance(state, dict) and state.get("complete") is True:
            return True
        offset = _offset(state, len(data))
        chunks = conflicts = 0
        while offset < len(data):
            if max_chunks is not None and chunks >= max_chunks:
                return False
            part = data[offset:offset + BLOB_CHUNK]
            response = self._signed("PATCH", f"/blobs/{ref}", part, raw=True, headers={
                "Upload-Offset": str(offset), "Upload-Length": str(len(data)),
                "Content-Type": "application/octet-stream"})
            if response.status_code == 409 and conflicts < 3:
                # The platform holds another amount (a part landed before a lost answer).
                conflicts += 1
                offset = _offset(self._json(response), len(data))
                continue
            self._expect(response, {200})
            offset = _offset(self._json(response), len(data))
            chunks += 1
            if offset == len(data):
                break
        return True

    def send_heartbeats(self, items: list[dict[str, Any]]) -> list[str]:
        """Deliver queued heartbeats; return the ids the platform acknowledged."""
        response = self._signed("POST", "/heartbeats", {"items": items})
        self._expect(response, {200})
        acked = self._json(response)
        acked = acked.get("acked") if isinstance(acked, dict) else None
        if not isinstance(acked, list):
            raise CentralProtocolError("heartbeat answer has no acked list")
        return [str(item) for item in acked]

    def fetch_document(self, kind: str, platform_key: bytes,
                       held: dict[str, Any] | None) -> dict[str, Any] | None:
        """A platform-signed document, verified, unexpired and no older than ``held`` (the
        verified copy kept); ``None`` when unchanged since ``held`` (304). A document that fails
        any check is a ``CentralProtocolError`` (keep the held copy)."""
        headers = {"If-None-Match": http_etag(held)} if held else {}
        response = self._signed("GET", f"/documents/{kind}", None, headers=headers)
        if response.status_code == 304:
            return None
        self._expect(response, {200})
        try:
            fresh = verify_document(self._json(response), kind, platform_key,
                                    now=datetime.now(UTC))
            check_update(fresh, held)
        except DocumentError as exc:
            raise CentralProtocolError(f"{kind} rejected: {exc}") from None
        return fresh

    # -- internals ---------------------------------------------------------------------------

    def _signed(self, method: str, path: str, body: object, *, raw: bool = False,
                headers: dict[str, str] | None = None, digest_over: bytes | None = None) -> httpx.Response:
        if self._signing_key is None:
            raise CentralRejected(401, "this terminal is not enrolled (no signing key)")
        if body is None:
            content = b""
        elif raw:
            if not isinstance(body, bytes):
                raise TypeError("a raw request body is bytes")
            content = body
        else:
            content = json.dumps(body, separators=(",", ":")).encode()
        for attempt in (1, 2):
            signed = sign_request(self._signing_key, self.terminal_id, method, API_PREFIX + path,
                                  content if digest_over is None else digest_over)
            all_headers = {**(headers or {}), **signed}
            if body is not None and not raw:
                all_headers["Content-Type"] = "application/json"
            response = self._request(method, path, content=content, headers=all_headers)
            # A replay answer: something on the way sent the request twice and handed back the
            # copy's answer. Signed again (fresh nonce), an idempotent request gets the answer
            # the first copy got (a resend's receipt, say); never a pause.
            if not is_replayed_answer(response.status_code, response.headers, rejection_reason(
                    response) if response.status_code == 401 else ""):
                return response
            log.info("%s %s answered as a replay (attempt %d): signing it again", method, path,
                     attempt)
        raise CentralUnavailable(f"{method} {path}: answered as a replayed request twice")

    def _verified(self, ack: object) -> None:  # before anything is marked acked and purged
        if self._platform_key is not None:
            verify_ack(ack, self._platform_key)

    def _receipt(self, response: httpx.Response, record: SubmissionLike) -> CentralReceipt:
        self._verified(self._json(response))
        receipt = CentralReceipt.from_json(self._json(response),
                                           created=response.status_code == 201)
        if receipt.submission_id != record.id or receipt.digest != record.digest:
            raise CentralProtocolError(f"platform acknowledged something else than {record.id}")
        return receipt

    def _missing(self, response: httpx.Response) -> list[str]:
        data = self._json(response)
        missing = data.get("missing") if isinstance(data, dict) else None
        if not isinstance(missing, list) or not all(isinstance(r, str) for r in missing):
            raise CentralProtocolError("428 answer without a missing list")
        return missing

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client().request(method, API_PREFIX + path, **kwargs)
        except httpx.TransportError as exc:
            raise CentralUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.headers.get(CENTRAL_HEADER) != CENTRAL_HEADER_VALUE:
            if response.status_code >= 500:
                raise CentralUnavailable(f"{method} {path}: {response.status_code} from a proxy")
            raise NotCentralServer(
                f"{method} {path}: {response.status_code} answer without {CENTRAL_HEADER} "
                "(captive portal or wrong server)"
            )
        return response

    def _expect(self, response: httpx.Response, ok: set[int]) -> None:
        status = response.status_code
        if status in ok:
            return
        if status in _TRANSIENT_STATUSES or status >= 500:
            raise CentralUnavailable(f"platform answered {status}")
        if 400 <= status < 500:
            raise CentralRejected(status, rejection_reason(response))
        raise CentralProtocolError(f"unexpected status {status}")

    @staticmethod
    def _json(response: httpx.Response) -> object:
        try:
            return response.json()
        except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
            raise CentralProtocolError("platform answer is not JSON") from None


def rejection_reason(response: httpx.Response) -> str:
    """What the platform said when it refused: its ``detail`` text, else the status phrase,
    at most 300 characters (never the body itself: it could echo what was sent)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, RecursionError, AttributeError):
        detail = None
    if not isinstance(detail, str):
        detail = response.reason_phrase or "rejected"
    return detail[:_MAX_REASON]


def _offset(state: object, total: int) -> int:
    offset = state.get("offset") if isinstance(state, dict) else None
    if type(offset) is not int or not 0 <= offset <= total:
        raise CentralProtocolError("blob offset missing or out of range")
    return offset


def _field(data: object, name: str) -> object:
    return data.get(name) if isinstance(data, dict) else None


def _platform_info(data: object) -> PlatformInfo:
    return PlatformInfo.from_json({name: _field(data, name) for name in (
        "x25519_public", "ed25519_public", "key_id", "sealing_key_since")})


from .worker import SyncWorker  # noqa: E402 - re-exported; worker imports only errors

__all__ = [
    "DEFAULT_TIMEOUT", "Backoff", "BatchResult", "CentralClient", "Enrolled", "Rekeyed", "SubmissionLike",
    "SyncWorker",
]
