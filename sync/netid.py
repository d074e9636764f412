"""Verifying a national network identity (网证) code: the backend interface and its HTTP client.

The interface the kiosk uses is :class:`IdentityVerifier`: ``verify(code)`` returns a
:class:`VerifiedIdentity` or raises :class:`NetIdRefused` whose ``reason`` is one of
:class:`RefusalReason` (``expired``, ``already_used``, ``bad_signature``, ``malformed``,
``unknown``, ``unreachable``). The real 网证 service needs government credentials and its own
backend; :class:`HttpNetIdVerifier` speaks the project's simulator (``python -m netid_sim``):

* ``POST {base_url}/v1/verify`` ``{"code": "..."}`` → 200 ``{"name", "id_number", "proved_by",
  "level"}`` or 422 ``{"refusal": "<reason>"}``;
* ``POST {base_url}/v1/codes`` ``{"level", "kind"}`` → 200 ``{"code", "expires_at"}``: a test code
  for the demo buttons (:meth:`HttpNetIdVerifier.issue_demo_code`; only the simulator has it).

``verify`` blocks on the network: call it on a worker thread (the kiosk's sync or identify
worker), never the GUI thread. The code and the identity are personal data: neither is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

import httpx


class RefusalReason(StrEnum):
    """Why a 网证 code did not identify anyone."""

    EXPIRED = "expired"
    ALREADY_USED = "already_used"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    UNREACHABLE = "unreachable"


class NetIdRefused(Exception):
    """The code was refused, or the service could not be asked (``reason`` UNREACHABLE)."""

    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}{': ' + detail if detail else ''}")
        self.reason = reason


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who a code proved: ``proved_by`` says how ("netid", "netid+face"); ``level`` is the
    identity level (1 = 网证, 2 = 网证 with face), compared with a service's required level."""

    name: str
    id_number: str
    proved_by: str
    level: int

    def __repr__(self) -> str:
        return f"VerifiedIdentity(<personal>, proved_by={self.proved_by!r}, level={self.level})"


class IdentityVerifier(Protocol):
    """A 网证 verification backend."""

    def verify(self, code: str) -> VerifiedIdentity:
        """The identity behind ``code`` (worker thread; blocks); raises :class:`NetIdRefused`."""


@runtime_checkable
class IssuesDemoCodes(Protocol):
    """Capability of the simulator's client: ask for a test code (demo buttons)."""

    def issue_demo_code(self, kind: str = "valid", level: int = 1) -> str:
        """A fresh code (worker thread; blocks); raises :class:`NetIdRefused` (UNREACHABLE)."""


class HttpNetIdVerifier:
    """:class:`IdentityVerifier` over HTTP to the simulator at ``base_url``."""

    def __init__(self, base_url: str, timeout_s: float = 5.0, transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport)

    def verify(self, code: str) -> VerifiedIdentity:
        """Ask the service once (worker thread; blocks up to the timeout); raises :class:`NetIdRefused`."""
        try:
            response = self._client.post("/v1/verify", json={"code": code})
        except httpx.HTTPError as exc:
            raise NetIdRefused(RefusalReason.UNREACHABLE, type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            raise NetIdRefused(RefusalReason.UNREACHABLE, f"HTTP {response.status_code}, not JSON") from None
        if response.status_code == 422 and isinstance(body, dict) and "refusal" in body:
            try:
                reason = RefusalReason(body["refusal"])
            except ValueError:
                reason = RefusalReason.UNKNOWN
            raise NetIdRefused(reason)
        if response.status_code != 200 or not isinstance(body, dict):
            raise NetIdRefused(RefusalReason.UNREACHABLE, f"HTTP {response.status_code}")
        try:
            return VerifiedIdentity(str(body["name"]), str(body["id_number"]), str(body["proved_by"]),
                                    int(body["level"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            raise NetIdRefused(RefusalReason.UNREACHABLE, "the answer lacks the identity") from None

    def issue_demo_code(self, kind: str = "valid", level: int = 1) -> str:
        """A test code from the simulator (worker thread; blocks): ``kind`` "valid", "expired"
        (already past its expiry) or "forged" (signed by another key); ``level`` 1 (网证) or 2
        (网证 with face). Raises :class:`NetIdRefused` (UNREACHABLE) when it cannot be had."""
        try:
            response = self._client.post("/v1/codes", json={"kind": kind, "level": level})
            code = response.json().get("code") if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise NetIdRefused(RefusalReason.UNREACHABLE, type(exc).__name__) from exc
        if not isinstance(code, str) or not code:
            raise NetIdRefused(RefusalReason.UNREACHABLE, f"HTTP {response.status_code}, no code")
        return code

    def close(self) -> None:
        """Close the connection pool (owner thread)."""
        self._client.close()
