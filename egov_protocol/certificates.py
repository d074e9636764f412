"""The wire shapes of the documents the platform issues, as terminals and citizens meet them.

Terminal API (signed requests, ``egov_protocol.auth``). A person is named by their
``person_hash``, as for their cases: HMAC-SHA256 of the normalized document number under the
platform's person key (``egov_protocol.cases.person_hash``, the key from
``GET /v1/person-cases/key``), so no ID number travels:

- ``POST /v1/certificates/search`` with ``{"person_hash": "<hex>"}`` answers
  ``{"items": [{"document_id", "kind", "title", "title_en", "issuer", "service_id",
  "receipt_number", "issued_at", "status"}]}``, newest first (``status``: ``valid``, ``superseded`` or ``revoked``).
- ``POST /v1/certificates/<document_id>/pdf`` with ``{"person_hash": "<hex>"}`` answers the signed
  PDF (``application/pdf``), or 404 when that document was not issued to that person.

Public: the QR code on every document holds ``<platform>/verify/<document_id>?t=<token>``, a
page for people; ``/v1/verify/<document_id>?t=<token>`` answers the same as JSON.
"""

from __future__ import annotations

SEARCH_PATH = "/v1/certificates/search"
PDF_PATH = "/v1/certificates/{document_id}/pdf"
VERIFY_PAGE_PATH = "/verify/{document_id}"
VERIFY_JSON_PATH = "/v1/verify/{document_id}"
PERSON_HASH_FIELD = "person_hash"
PERSON_HASH_PATTERN = r"^[0-9a-f]{64}$"
TOKEN_PARAM = "t"
#: Document ids and tokens are URL-safe base64 text.
DOCUMENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
STATUSES = ("valid", "superseded", "revoked")
