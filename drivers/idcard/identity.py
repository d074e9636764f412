"""The identity read from a document: one record for ID cards, permits and passports."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import Enum


class DocumentType(str, Enum):
    """The kind of identity document."""

    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"
    PASSPORT = "passport"

    def __str__(self) -> str:
        return self.value


class Sex(str, Enum):
    """The sex printed on the document (GB/T 2261.1 codes 1/2 on Chinese cards, M/F/X in ICAO 9303)."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_code(cls, code: str) -> Sex:
        """Map a GB/T 2261.1 code ("1", "2") or an ICAO letter ("M", "F") to a :class:`Sex`."""
        return {"1": cls.MALE, "2": cls.FEMALE, "M": cls.MALE, "F": cls.FEMALE}.get(
            code.strip().upper(), cls.UNKNOWN
        )


@dataclass(frozen=True, repr=False)
class Identity:
    """Who the document says its holder is. Personal data: never log it, never put it in ``repr``.

    ``document_number`` is the 18-character GB 11643 number for Chinese cards and the passport
    number otherwise. ``valid_until`` None means long-term (长期). ``photo_jpeg`` is None when the
    reader could not provide the photo (a Chinese card's WLT photo needs the vendor's decoder);
    ``photo_missing_reason`` then says why, in words fit for a staff screen. ``authenticated``
    says how far an eMRTD's data was proven genuine by passive authentication: "chain" (the SOD
    signature verified up to a configured CSCA), "signature" (SOD signature valid, no CSCA
    configured), "hashes" (data group hashes only); None when not applicable or not proven (no
    EF.SOD). ``missing_files`` names the files an eMRTD should have had but did not (e.g. "DG11",
    "SOD"): the read went on without them.
    """

    document_type: DocumentType
    name: str
    name_latin: str | None
    sex: Sex
    birth_date: _dt.date
    nationality: str
    document_number: str
    ethnicity: str | None = None
    address: str | None = None
    issuing_authority: str | None = None
    valid_from: _dt.date | None = None
    valid_until: _dt.date | None = None
    photo_jpeg: bytes | None = None
    photo_missing_reason: str | None = None
    authenticated: str | None = None
    missing_files: tuple[str, ...] = ()

    def redacted(self) -> str:
        """A log-safe description: the document type only."""
        return f"<{self.document_type.value}>"

    def is_expired(self, today: _dt.date) -> bool:
        """True when ``valid_until`` is before ``today`` (never for long-term documents)."""
        return self.valid_until is not None and self.valid_until < today

    def __repr__(self) -> str:
        return f"Identity(document_type={self.document_type.value!r}, <personal data redacted>)"

    __str__ = __repr__
