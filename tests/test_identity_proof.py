"""The ``applicant.identity_proof`` field both sides read (egov_protocol/identity_proof.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from egov_protocol.identity_proof import (
    DOCUMENT_FACE,
    NETID,
    NETID_FACE,
    PROOF_FIELD,
    UNKNOWN,
    level_of,
    proof_of,
)


def test_known_proofs_and_their_levels() -> None:
    for proof, level in ((DOCUMENT_FACE, 2), (NETID, 1), (NETID_FACE, 2)):
        assert proof_of({PROOF_FIELD: proof}) == proof and level_of(proof) == level


def test_a_payload_from_before_the_field_was_document_and_face() -> None:
    assert proof_of({"name": "x"}) == DOCUMENT_FACE


def test_anything_else_is_unknown() -> None:
    assert proof_of({PROOF_FIELD: "magic"}) == UNKNOWN and level_of(UNKNOWN) == 0
    assert proof_of(None) == UNKNOWN and proof_of({PROOF_FIELD: 2}) == UNKNOWN


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10))
def test_never_raises(applicant: object) -> None:
    assert proof_of(applicant) in (DOCUMENT_FACE, NETID, NETID_FACE, UNKNOWN)
