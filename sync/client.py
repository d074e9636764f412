"""The terminal's side of the sync protocol: ``CentralClient`` speaks HTTP to the platform.

Every answer must carry ``X-Egov-Central: 1``. A captive portal, hotel login page or
misconfigured proxy answers 200 without it; taking that for an acknowledgement would mark
submissions delivered that never arrived, so such answers raise ``NotCentralServer`` (a
``CentralUnavailable``: retry later). Error mapping, see ``sync.errors`` for the tree:

- network failures, timeouts, 408/425/429/5xx → ``CentralUnavailable``
- answer without the header → ``NotCentralServer`` (5xx without it → ``CentralUnavailable``)
- header present but body malformed, or an ack for another id/digest → ``CentralProtocolError``
- other 4xx → ``CentralRejected(status, reason)``

``CentralClient`` is safe to share between threads (httpx's client is); the sync worker calls it
from its own thread. ``SyncWorker`` (re-exported here) lives in ``sync.worker``.
"""

from __future__ import annotations

import base64
import threading
from typing import Protocol

import httpx

from .errors import CentralProtocolError, CentralRejected, CentralUnavailable, NotCentralServer
from .protocol import (
    API_PREFIX,
    CENTRAL_HEADER,
    CENTRAL_HEADER_VALUE,
    CentralReceipt,
    PlatformInfo,
    TerminalRegistration,
)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_TRANSIENT_STATUSES = {408, 425, 429}
_MAX_REASON = 300


class SubmissionLike(Protocol):
    """What ``put_submission`` needs of an outbox record or a ``SealedSubmission``."""

    id: str
    receipt_number: str
    digest: str
    sealed: bytes | None


class CentralClient:
    """HTTP client for the central platform. No I/O until the first request."""

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        transport: httpx.BaseTransport | None = None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        """``transport`` replaces the network (``httpx.MockTransport`` in tests)."""
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
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

    def register_terminal(self, public_key: bytes, *, site: str | None = None) -> TerminalRegistration:
        """Register this terminal's Ed25519 public key (demo-grade; enrollment tokens come next)."""
        body = {
            "terminal_id": self.terminal_id,
            "public_key": base64.b64encode(public_key).decode("ascii"),
            "site": site,
        }
        response = self._request("POST", "/terminals", json=body)
        self._expect(response, {200, 201})
        return TerminalRegistration.from_json(
            self._json(response), created=response.status_code == 201
        )

    def put_submission(self, record: SubmissionLike) -> CentralReceipt:
        """Deliver one sealed submission; return the platform's receipt (also for a resend).

        Raises ``CentralRejected`` (409 when the id holds a different digest), or a
        ``CentralUnavailable``. An ack naming another id or digest is a ``CentralProtocolError``.
        """
        if record.sealed is None:
            raise ValueError(f"submission {record.id} has no sealed bytes (purged)")
        body = {
            "receipt_number": record.receipt_number,
            "terminal_id": self.terminal_id,
            "digest": record.digest,
            "envelope_b64": base64.b64encode(record.sealed).decode("ascii"),
        }
        response = self._request("PUT", f"/submissions/{record.id}", json=body)
        self._expect(response, {200, 201})
        receipt = CentralReceipt.from_json(
            self._json(response), created=response.status_code == 201
        )
        if receipt.submission_id != record.id or receipt.digest != record.digest:
            raise CentralProtocolError(f"platform acknowledged something else than {record.id}")
        return receipt

    # -- internals ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
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
            raise CentralRejected(status, self._reason(response))
        raise CentralProtocolError(f"unexpected status {status}")

    @staticmethod
    def _json(response: httpx.Response) -> object:
        try:
            return response.json()
        except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
            raise CentralProtocolError("platform answer is not JSON") from None

    @staticmethod
    def _reason(response: httpx.Response) -> str:
        try:
            detail = response.json().get("detail")
        except (ValueError, RecursionError, AttributeError):
            detail = None
        if not isinstance(detail, str):
            detail = response.reason_phrase or "rejected"
        return detail[:_MAX_REASON]


from .worker import Backoff, SyncWorker  # noqa: E402  (re-export; worker imports only errors)

__all__ = ["Backoff", "CentralClient", "DEFAULT_TIMEOUT", "SubmissionLike", "SyncWorker"]
