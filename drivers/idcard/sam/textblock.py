"""The 256-byte text block of Chinese ID cards (UCS-2 little-endian, space padded) — no I/O.

Layouts: the resident ID card (GA/T 490), the HK/Macau/Taiwan
residence permit (flag ``J`` at offset 248; offsets derived from a vendor SDK's field order, to be
confirmed against 《港澳台居民居住证机读信息规范》) and the 2017 foreign permanent resident card
(flag ``I``). The 2023 foreign permanent resident card (flag reported as ``Y``, 18-digit number
starting with 9) has no verified layout: it is recognised and refused with a clear error.
Every 18-character number is checked with GB 11643; "长期" validity decodes to ``None``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ...common import ErrorAction, ProtocolError
from .. import gb11643
from ..codes import ethnicity_code, ethnicity_name, sex_code, sex_from_code
from ..identity import DocumentType, Identity

TEXT_LEN = 256
LONG_TERM = "长期"
_FOREIGN_NUMBER = re.compile(r"[A-Z]{3}\d{12}")

#: (offset, length in bytes) of each field, per layout.
RESIDENT = {"name": (0, 30), "sex": (30, 2), "ethnicity": (32, 4), "birth": (36, 16),
            "address": (52, 70), "number": (122, 36), "authority": (158, 30),
            "valid_from": (188, 16), "valid_until": (204, 16)}
HMT = {**{k: v for k, v in RESIDENT.items() if k != "ethnicity"},
       "pass_number": (220, 18), "issue_count": (238, 4)}
FOREIGN_2017 = {"name_latin": (0, 120), "sex": (120, 2), "number": (122, 30),
                "nationality": (152, 6), "name": (158, 30), "valid_from": (188, 16),
                "valid_until": (204, 16), "birth": (220, 16), "card_version": (236, 4),
                "authority_code": (240, 8)}
FLAG = (248, 2)


class TextBlockError(ProtocolError):
    """The card's text block does not decode to a valid identity (bad field, bad number)."""

    default_action = ErrorAction.NONE


def _field(block: bytes, span: tuple[int, int]) -> str:
    offset, length = span
    try:
        text = block[offset:offset + length].decode("utf-16-le")
    except UnicodeDecodeError:
        raise TextBlockError("a text field is not valid UCS-2") from None
    return text.replace("\x00", " ").strip(" \u3000")


def _date(text: str, what: str, long_term_ok: bool = False) -> _dt.date | None:
    if long_term_ok and text == LONG_TERM:
        return None
    if not re.fullmatch(r"\d{8}", text):
        raise TextBlockError(f"the {what} on the card is not a date")
    try:
        return _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise TextBlockError(f"the {what} on the card is not a real date") from None


def _required_date(text: str, what: str) -> _dt.date:
    date = _date(text, what)
    if date is None:  # only "long term" validity decodes to None, and it is not allowed here
        raise TextBlockError(f"the {what} on the card is not a date")
    return date


def card_flag(block: bytes) -> str:
    """The card-type character at offset 248: ``J``, ``I``, ``Y`` or blank for a resident card."""
    return _field(block, FLAG)


def decode_text_block(block: bytes, today: _dt.date | None = None) -> Identity:
    """Decode a 256-byte text block into an :class:`Identity` without a photo.

    Raises :class:`TextBlockError` (action NONE: ask the citizen to present the card again or
    see staff) for any field that does not decode, an unknown code or a number failing GB 11643.
    """
    if not isinstance(block, (bytes, bytearray)) or len(block) != TEXT_LEN:
        raise TextBlockError("the text block is not 256 bytes")
    flag = card_flag(block)
    if flag == "I":
        return _decode_foreign(block)
    if flag == "Y":
        raise TextBlockError("the 2023 foreign permanent resident card's layout is not supported yet")
    if flag not in ("", "J"):
        raise TextBlockError("the card type flag is unknown")
    layout = HMT if flag == "J" else RESIDENT
    number = _field(block, layout["number"])
    try:
        gb11643.validate(number, today)
    except ValueError as exc:
        raise TextBlockError(f"the card's number is invalid: {exc}") from None
    is_permit = number[:2] in ("81", "82", "83")
    if (flag == "J") != is_permit:
        raise TextBlockError("the card's number does not match its card type")
    if number.startswith("9"):
        raise TextBlockError("a foreigner's number on a resident card layout")
    birth = _required_date(_field(block, layout["birth"]), "birth date")
    if birth != gb11643.birth_date(number):
        raise TextBlockError("the birth date does not match the card's number")
    name = _field(block, layout["name"])
    if not name:
        raise TextBlockError("the card has no name")
    try:
        sex = sex_from_code(_field(block, layout["sex"]))
        ethnicity = ethnicity_name(_field(block, layout["ethnicity"])) if flag != "J" else None
    except ValueError as exc:
        raise TextBlockError(str(exc)) from None
    return Identity(
        document_type=DocumentType.HMT_RESIDENCE_PERMIT if flag == "J" else DocumentType.RESIDENT_ID,
        name=name,
        name_latin=None,
        sex=sex,
        birth_date=birth,
        nationality="CHN",
        document_number=number,
        ethnicity=ethnicity,
        address=_field(block, layout["address"]) or None,
        issuing_authority=_field(block, layout["authority"]) or None,
        valid_from=_date(_field(block, layout["valid_from"]), "issue date"),
        valid_until=_date(_field(block, layout["valid_until"]), "expiry date", long_term_ok=True),
    )


def _decode_foreign(block: bytes) -> Identity:
    number = _field(block, FOREIGN_2017["number"])
    # The 2017 card's 15-character number is 3 letters + 12 digits; GB 11643 does not apply to it.
    if not _FOREIGN_NUMBER.fullmatch(number):
        raise TextBlockError("the permanent resident card number is malformed")
    nationality = _field(block, FOREIGN_2017["nationality"])
    if not re.fullmatch(r"[A-Z]{3}", nationality):
        raise TextBlockError("the card's nationality code is malformed")
    try:
        sex = sex_from_code(_field(block, FOREIGN_2017["sex"]))
    except ValueError as exc:
        raise TextBlockError(str(exc)) from None
    name_latin = _field(block, FOREIGN_2017["name_latin"])
    if not name_latin:
        raise TextBlockError("the card has no name")
    return Identity(
        document_type=DocumentType.FOREIGN_PERMANENT_RESIDENT,
        name=_field(block, FOREIGN_2017["name"]) or name_latin,
        name_latin=name_latin,
        sex=sex,
        birth_date=_required_date(_field(block, FOREIGN_2017["birth"]), "birth date"),
        nationality=nationality,
        document_number=number,
        valid_from=_date(_field(block, FOREIGN_2017["valid_from"]), "issue date"),
        valid_until=_date(_field(block, FOREIGN_2017["valid_until"]), "expiry date", True),
    )


@dataclass(frozen=True)
class _Put:
    block: bytearray

    def __call__(self, span: tuple[int, int], text: str) -> None:
        offset, length = span
        raw = text.encode("utf-16-le")
        if len(raw) > length:
            raise ValueError("field too long for the text block")
        self.block[offset:offset + length] = raw + " ".encode("utf-16-le") * ((length - len(raw)) // 2)


def _ymd(date: _dt.date | None) -> str:
    return LONG_TERM if date is None else date.strftime("%Y%m%d")


def encode_text_block(identity: Identity) -> bytes:
    """The text block a card holding ``identity`` carries (simulator and tests)."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    put = _Put(block)
    kind = identity.document_type
    if kind is DocumentType.FOREIGN_PERMANENT_RESIDENT:
        layout = FOREIGN_2017
        put(layout["name_latin"], identity.name_latin or "")
        put(layout["nationality"], identity.nationality)
        put(layout["card_version"], "20")
        put(FLAG, "I")
        put(layout["number"], identity.document_number)
        put(layout["name"], identity.name)
    else:
        layout = HMT if kind is DocumentType.HMT_RESIDENCE_PERMIT else RESIDENT
        if kind is DocumentType.HMT_RESIDENCE_PERMIT:
            put(FLAG, "J")
        else:
            put(layout["ethnicity"], ethnicity_code(identity.ethnicity or "汉"))
        put(layout["name"], identity.name)
        put(layout["number"], identity.document_number)
        put(layout["address"], identity.address or "")
        put(layout["authority"], identity.issuing_authority or "")
    put(layout["sex"], sex_code(identity.sex))
    put(layout["birth"], identity.birth_date.strftime("%Y%m%d"))
    put(layout["valid_from"], _ymd(identity.valid_from))
    put(layout["valid_until"], _ymd(identity.valid_until))
    return bytes(block)
