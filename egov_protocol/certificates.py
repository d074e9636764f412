"""The wire shapes of the documents the platform issues, as terminals and citizens meet them.

Terminal API (signed requests, ``egov_protocol.auth``); the ID number travels only in the
signed body, never in a path or query that access logs keep:

- ``POST /v1/certificates/search`` with ``{"id_number": "..."}`` answers
  ``{"items": [{"document_id", "kind", "title", "service_id", "receipt_number", "issued_at",
  "status"}]}``, newest first (``status``: ``valid``, ``superseded`` or ``revoked``).
- ``POST /v1/certificates/<document_id>/pdf`` with ``{"id_number": "..."}`` answers the signed
  PDF (``application/pdf``), or 404 when that document was not issued to that person.

Public: the QR code on every document holds ``<platform>/verify/<document_id>?t=<token>``, a
page for people; ``/v1/verify/<document_id>?t=<token>`` answers the same as JSON.
"""

from __future__ import annotations

SEARCH_PATH = "/v1/certificates/search"
PDF_PATH = "/v1/certificates/{document_id}/pdf"
VERIFY_PAGE_PATH = "/verify/{document_id}"
VERIFY_JSON_PATH = "/v1/verify/{document_id}"
ID_NUMBER_FIELD = "id_number"
TOKEN_PARAM = "t"
#: Document ids and tokens are URL-safe base64 text.
DOCUMENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
STATUSES = ("valid", "superseded", "revoked")
