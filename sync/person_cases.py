"""A citizen's cases, asked of the platform by the terminal (``egov_protocol.cases``): by the
person, or the one case a receipt's QR code opens.

:meth:`PersonCasesClient.cases_of` turns the document number read from the citizen's card into
``person_hash(person key, number)`` here, on the terminal, and sends only that hash in a signed
``POST /v1/person-cases``; the number itself never leaves the terminal and is never logged. The
person key is kept as :class:`~sync.person_key.PersonKeyClient` says, for ``key_ttl_s``.

:meth:`PersonCasesClient.case_by_receipt` sends the receipt number and the progress token a
receipt's QR code carries (scanned at the terminal) in a signed ``POST /v1/case-by-receipt``
and gets that one case, or None when the platform has none for them (not synced yet, or the
token is not the case's: the platform does not say which). The token opens a case: never logged.

The answer is a list of :class:`~egov_protocol.cases.CaseStatus` (receipt number, service,
status, dates, next step, the case worker's note for the citizen, whether corrections are
asked for), newest first. Errors (``egov_protocol.errors``):

- :class:`~egov_protocol.errors.CentralUnavailable`: no network, timeout, 408/425/429/5xx, or
  something other than the platform answered (``NotCentralServer``, a captive portal);
- :class:`TooManyLookups` (a ``CentralUnavailable`` too): 429, the platform throttles this
  terminal's or this receipt's failed lookups for a while;
- :class:`~egov_protocol.errors.CentralProtocolError` (a ``CentralUnavailable`` too): the platform
  answered nonsense (not JSON, wrong fields, a key of the wrong size);
- :class:`~egov_protocol.errors.CentralRejected`: the platform refused (401/403: this terminal is
  not, or no longer, enrolled);
- :class:`NotEnrolled` (a ``CentralRejected`` 401): the terminal has no signing key to ask with.

Blocking network I/O: call it on a worker thread, never the GUI or journey thread. Safe to share
between threads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from egov_protocol.cases import (
    CASE_BY_RECEIPT_PATH,
    PERSON_CASES_PATH,
    PERSON_KEY_PATH,
    CaseStatus,
    parse_case_statuses,
    parse_receipt_case,
)
from egov_protocol.errors import CentralProtocolError, CentralRejected, CentralUnavailable
from egov_protocol.protocol import API_PREFIX

from .client import rejection_reason
from .person_key import PERSON_KEY_TTL_S, PersonKeyClient

log = logging.getLogger(__name__)

#: A citizen waits at the screen: a lookup gives up sooner than the sync worker's uploads.
LOOKUP_TIMEOUT = httpx.Timeout(8.0, connect=4.0)
_TRANSIENT = {408, 425, 429}
#: The largest answer read: a person's cases are a few hundred bytes each.
_MAX_ANSWER_BYTES = 1 << 20


class NotEnrolled(CentralRejected):
    """The terminal is not enrolled: it has no key to sign the request with."""

    def __init__(self) -> None:
        """Always 401, as the platform would answer an unsigned request."""
        super().__init__(401, "this terminal is not enrolled")


class TooManyLookups(CentralUnavailable):
    """429: too many failed lookups from this terminal or for this receipt; try again later."""


class PersonCasesClient(PersonKeyClient):
    """Asks the platform at ``base_url`` for a person's cases, as terminal ``terminal_id``."""

    def __init__(self, base_url: str, terminal_id: str, signing_key: Ed25519PrivateKey | None, *,
                 transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout | float = LOOKUP_TIMEOUT,
                 key_ttl_s: float = PERSON_KEY_TTL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """``signing_key`` None: every lookup raises :class:`NotEnrolled`. ``transport`` replaces
        the network (tests); ``InsecurePlatformUrl`` for ``http://`` off this machine."""
        super().__init__(base_url, terminal_id, transport, timeout=timeout, signing_key=signing_key,
                         person_key_ttl_s=key_ttl_s, clock=clock)

    def cases_of(self, document_number: str) -> list[CaseStatus]:
        """The cases of the person with this document number, newest first (worker thread;
        blocks up to the timeout, twice at most). Raises as the module says."""
        body = {"person_hash": self.holder(document_number)}
        return parse_case_statuses(self._call("POST", PERSON_CASES_PATH, body))

    def case_by_receipt(self, receipt_number: str, token: str) -> CaseStatus | None:
        """The case a receipt's code opens (its receipt number and progress token), or None
        when the platform has none for them (worker thread; blocks like :meth:`cases_of`)."""
        body = {"receipt_number": receipt_number, "token": token}
        try:
            return parse_receipt_case(self._call("POST", CASE_BY_RECEIPT_PATH, body))
        except CentralRejected as exc:
            if exc.status == 404:
                return None
            raise

    def __enter__(self) -> PersonCasesClient:
        return self

    def _person_key_answer(self) -> object:
        return self._call("GET", PERSON_KEY_PATH, None)

    def _call(self, method: str, path: str, body: dict[str, str] | None) -> object:
        if self._signing_key is None:
            raise NotEnrolled()
        # Signed again once if something on the way answered with a replay (a lookup changes
        # nothing on the platform): CentralClient._signed.
        response = self._signed(method, path.removeprefix(API_PREFIX), body)
        reason = "" if response.status_code < 400 else rejection_reason(response)
        return _answer(method, path, response, reason)


def _answer(method: str, path: str, response: httpx.Response, reason: str) -> object:
    """The JSON of a 200 answer; the error the module names for any other."""
    status = response.status_code
    if status == 429:
        raise TooManyLookups(f"{method} {path}: platform answered 429 (throttled)")
    if status in _TRANSIENT or status >= 500:
        raise CentralUnavailable(f"{method} {path}: platform answered {status}")
    if 400 <= status < 500:
        raise CentralRejected(status, reason)
    if status != 200:
        raise CentralProtocolError(f"{method} {path}: unexpected status {status}")
    if len(response.content) > _MAX_ANSWER_BYTES:
        raise CentralProtocolError(f"{method} {path}: answer of {len(response.content)} bytes")
    try:
        return response.json()
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
        raise CentralProtocolError(f"{method} {path}: answer is not JSON") from None
