"""The terminal's certificate requests: a person's documents, and one document's signed PDF.

The wire shapes are in :mod:`egov_protocol.certificates`. The citizen is named by their
``person_hash`` under the platform's person key (:mod:`sync.person_key`); no ID number leaves
the terminal. Every request is signed with the terminal's key, as the sync worker's are.

Errors, all from :mod:`egov_protocol.errors` (catch them in this order):

- :class:`~egov_protocol.errors.CentralProtocolError`: the answer is nonsense (not the shape,
  not a PDF, too large, a key of the wrong length); nothing of it is used.
- :class:`~egov_protocol.errors.CentralUnavailable`: offline, timed out, 5xx, a captive portal.
- :class:`~egov_protocol.errors.CentralRejected`: the platform refused (401/403: the terminal
  is not enrolled or not trusted; 404: no such document for this person).

Threads: every method does network I/O and blocks; call it on a worker thread, never the GUI
or journey thread. The client may be shared between threads. Nothing personal is logged: not the
document number, not the hash, not the PDF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from egov_protocol.auth import sign_request
from egov_protocol.certificates import PDF_PATH, SEARCH_PATH, STATUSES
from egov_protocol.errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    NotCentralServer,
)
from egov_protocol.protocol import API_PREFIX, CENTRAL_HEADER, CENTRAL_HEADER_VALUE

from .person_key import PersonKeyClient

#: The largest certificate PDF the terminal takes (a signed one- or two-page A4 is ~100 KB).
MAX_PDF_BYTES = 8 * 1024 * 1024
#: The most documents one answer may list.
MAX_ITEMS = 200
_MAX_TEXT = 200
#: The most the terminal reads of a refusal's body (its reason).
_MAX_ERROR_BYTES = 64 * 1024


@dataclass(frozen=True)
class Certificate:
    """One document the platform issued to the person (no personal data): what it certifies
    (``title``), who issued it, when, and whether it is still ``valid``."""

    document_id: str
    kind: str
    title: str
    service_id: str
    receipt_number: str
    issued_at: datetime
    status: str
    issuer: str = ""
    title_en: str = ""

    @property
    def current(self) -> bool:
        """True while neither revoked nor superseded: only such a document is offered to print."""
        return self.status == "valid"


def _text(item: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = item.get(name, None if required else "")
    if not isinstance(value, str) or (required and not value) or len(value) > _MAX_TEXT:
        raise CentralProtocolError(f"certificate item: bad {name}")
    if any(ord(c) < 32 for c in value):
        raise CentralProtocolError(f"certificate item: control characters in {name}")
    return value


def parse_certificates(data: object) -> list[Certificate]:
    """The documents in a ``POST /v1/certificates/search`` answer; strict, since the bytes come
    from outside: anything else than the documented shape is a ``CentralProtocolError``."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise CentralProtocolError("certificate answer has no items list")
    found = []
    for item in items:
        if not isinstance(item, dict):
            raise CentralProtocolError("certificate item is not an object")
        document_id = _text(item, "document_id")
        if not (8 <= len(document_id) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_")
                                                   for c in document_id)):
            raise CentralProtocolError("certificate item: bad document_id")
        status = _text(item, "status")
        if status not in STATUSES:
            raise CentralProtocolError("certificate item: unknown status")
        try:
            issued_at = datetime.fromisoformat(_text(item, "issued_at"))
        except ValueError:
            raise CentralProtocolError("certificate item: bad issued_at") from None
        if issued_at.tzinfo is None:
            raise CentralProtocolError("certificate item: issued_at without a time zone")
        found.append(Certificate(
            document_id=document_id, kind=_text(item, "kind"), title=_text(item, "title"),
            service_id=_text(item, "service_id", required=False),
            receipt_number=_text(item, "receipt_number", required=False),
            issued_at=issued_at, status=status, issuer=_text(item, "issuer", required=False),
            title_en=_text(item, "title_en", required=False)))
    return found


def check_pdf(data: bytes, content_type: str | None = None) -> bytes:
    """``data`` if it is a whole PDF of at most :data:`MAX_PDF_BYTES`; else ``CentralProtocolError``
    (a portal's page, a truncated transfer, something huge)."""
    if content_type is not None and content_type.split(";")[0].strip().lower() != "application/pdf":
        raise CentralProtocolError("the certificate answer is not a PDF")
    if len(data) > MAX_PDF_BYTES:
        raise CentralProtocolError("the certificate PDF is larger than a certificate can be")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise CentralProtocolError("the certificate answer is not a whole PDF")
    return data


class CertificateClient(PersonKeyClient):
    """A :class:`~sync.client.CentralClient` that also asks for a person's certificates.

    Construct it as the sync service builds its client (URL, fleet terminal id, the terminal's
    ``signing_key``); the person key as :class:`~sync.person_key.PersonKeyClient` keeps it.
    """

    def search(self, document_number: str) -> list[Certificate]:
        """The documents issued to the holder of ``document_number``, newest first (worker
        thread; blocks on the network)."""
        body = {"person_hash": self.holder(document_number)}
        response = self._signed("POST", SEARCH_PATH.removeprefix(API_PREFIX), body)
        self._expect(response, {200})
        return parse_certificates(self._json(response))

    def pdf(self, document_id: str, document_number: str) -> bytes:
        """The signed PDF of ``document_id``, checked to be a whole PDF within the size limit
        (worker thread); ``CentralRejected(404)`` when it was not issued to that person.

        The answer is streamed and given up as soon as it outgrows :data:`MAX_PDF_BYTES`, so no
        answer can fill the terminal's memory. (A replayed-request answer is not signed again here,
        unlike the sync worker's requests: it is a ``CentralRejected``, and the citizen may choose
        the certificate again.)"""
        if self._signing_key is None:
            raise CentralRejected(401, "this terminal is not enrolled (no signing key)")
        path = PDF_PATH.format(document_id=document_id)
        content = json.dumps({"person_hash": self.holder(document_number)}, separators=(",", ":")).encode()
        headers = {**sign_request(self._signing_key, self.terminal_id, "POST", path, content),
                   "Content-Type": "application/json"}
        try:
            with self._client().stream("POST", path, content=content, headers=headers) as response:
                if response.headers.get(CENTRAL_HEADER) != CENTRAL_HEADER_VALUE:
                    if response.status_code >= 500:
                        raise CentralUnavailable(f"POST {path}: {response.status_code} from a proxy")
                    raise NotCentralServer(f"POST {path}: answer without {CENTRAL_HEADER}")
                limit = MAX_PDF_BYTES if response.status_code == 200 else _MAX_ERROR_BYTES
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise CentralProtocolError("the certificate answer is larger than a certificate can be")
                received = bytearray()
                for chunk in response.iter_bytes():
                    received += chunk
                    if len(received) > limit:
                        raise CentralProtocolError("the certificate answer is larger than a certificate can be")
        except httpx.TransportError as exc:
            raise CentralUnavailable(f"POST {path}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            self._expect(httpx.Response(response.status_code, headers=response.headers,
                                        content=bytes(received)), {200})
        return check_pdf(bytes(received), response.headers.get("Content-Type"))
