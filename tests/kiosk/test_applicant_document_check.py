"""What staff and the citizen see of how far a document's data was proven genuine."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from drivers.idcard import DocumentType, Identity, Sex
from kiosk.applicant import applicant_record, identity_summary

PASSPORT = Identity(DocumentType.PASSPORT, "周晓梅", "XIAOMEI ZHOU", Sex.FEMALE, dt.date(1990, 8, 2), "CHN",
                    "EH6183524", authenticated="chain")


@pytest.mark.parametrize("authenticated, check", [
    ("chain", "authenticated"), ("signature", "not authenticated"), ("hashes", "not authenticated"),
    (None, "not authenticated"),
])
def test_only_a_verified_chain_is_authenticated_for_staff(authenticated, check):
    identity = replace(PASSPORT, authenticated=authenticated, missing_files=("DG11",))
    record = applicant_record(identity)
    assert record["document_check"] == check and record["document_missing_files"] == ["DG11"]
    summary = identity_summary(identity, "zh-CN")  # the citizen's screen
    assert not any("authenticat" in str(key) + str(value) for key, value in summary.items())


def test_documents_not_read_from_a_chip_have_no_passport_check():
    card = replace(PASSPORT, document_type=DocumentType.RESIDENT_ID, authenticated=None)
    assert applicant_record(card)["document_check"] is None
