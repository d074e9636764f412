"""How a submission's applicant proved who they are: the ``applicant.identity_proof`` field of
the sealed payload, which terminal and platform both read.

* ``document+face`` — an identity document read at the terminal, and a face photo taken there
  (matched against the document's photo where it has one; the match is in
  ``applicant.identity_verification``);
* ``netid`` — a 网证 (national network identity) code verified by the 网证 service;
* ``netid+face`` — a 网证 code whose holder the 网证 service also verified by face.

Each has a level (:data:`PROOF_LEVELS`): a service's catalog entry names the lowest it accepts
(``identity_level``: 1 = 网证 alone, 2 = with a face check). Payloads sealed before the field
existed were all ``document+face``: :func:`proof_of` reads them so.
"""

from __future__ import annotations

#: The payload field, inside ``applicant``.
PROOF_FIELD = "identity_proof"
DOCUMENT_FACE, NETID, NETID_FACE = "document+face", "netid", "netid+face"
#: Proof → identity level (higher is stronger).
PROOF_LEVELS: dict[str, int] = {DOCUMENT_FACE: 2, NETID: 1, NETID_FACE: 2}
#: What a payload whose applicant lacks the field was proved by.
LEGACY_PROOF = DOCUMENT_FACE
UNKNOWN = "unknown"


def proof_of(applicant: object) -> str:
    """The proof an ``applicant`` record (from a decrypted payload) states: one of
    :data:`PROOF_LEVELS`, :data:`LEGACY_PROOF` when the field is absent, :data:`UNKNOWN` when
    the record or the value is not one we know (never raises)."""
    if not isinstance(applicant, dict):
        return UNKNOWN
    proof = applicant.get(PROOF_FIELD, LEGACY_PROOF)
    return proof if isinstance(proof, str) and proof in PROOF_LEVELS else UNKNOWN


def level_of(proof: str) -> int:
    """The identity level of ``proof`` (0 for an unknown one)."""
    return PROOF_LEVELS.get(proof, 0)
