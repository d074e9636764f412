"""Machine-readable zones (ICAO 9303 parts 4–6): TD1, TD2, TD3 with every check digit — no I/O."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ...common import ErrorAction, ProtocolError

_VALUES = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
_LINE = re.compile(r"[A-Z0-9<]+")


class MrzError(ProtocolError):
    """An MRZ that is malformed or fails a check digit."""

    default_action = ErrorAction.NONE


def check_digit(field: str) -> str:
    """The 7-3-1 check digit of ``field``."""
    try:
        return str(sum(_VALUES[c] * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)
    except KeyError:
        raise MrzError("MRZ contains a character outside A-Z 0-9 <") from None


def _check(field: str, digit: str, what: str) -> None:
    if digit == "<" and not field.strip("<"):
        return  # an empty optional field may carry a filler check digit
    if check_digit(field) != digit:
        raise MrzError(f"the {what} check digit is wrong")


@dataclass(frozen=True)
class Mrz:
    """The fields of a machine-readable zone; dates as ``YYMMDD`` text (see :func:`yymmdd_date`)."""

    format: str
    document_code: str
    issuing_state: str
    document_number: str
    birth_date: str
    sex: str
    expiry_date: str
    nationality: str
    surname: str
    given_names: str
    optional_data: str

    def __repr__(self) -> str:
        return f"Mrz(format={self.format!r}, <personal data redacted>)"

    @property
    def name_latin(self) -> str:
        """"GIVEN NAMES SURNAME" with fillers turned into spaces."""
        return " ".join(p for p in (self.given_names, self.surname) if p)


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def parse(text: str) -> Mrz:
    """Parse an MRZ (lines separated by newlines, or concatenated); checks every check digit."""
    clean = text.replace(" ", "").replace("\r", "")
    lines = [line for line in clean.split("\n") if line]
    joined = "".join(lines)
    if len(lines) == 1:
        lines = {90: [joined[i:i + 30] for i in (0, 30, 60)], 72: [joined[:36], joined[36:]],
                 88: [joined[:44], joined[44:]]}.get(len(joined), lines)
    if not all(_LINE.fullmatch(line) for line in lines):
        raise MrzError("MRZ contains a character outside A-Z 0-9 <")
    shape = [len(line) for line in lines]
    if shape == [30, 30, 30]:
        return _td1(*lines)
    if shape == [36, 36]:
        return _td2(*lines)
    if shape == [44, 44]:
        return _td3(*lines)
    raise MrzError("MRZ is not TD1 (3×30), TD2 (2×36) or TD3 (2×44)")


def _td1(l1: str, l2: str, l3: str) -> Mrz:
    number, digit, optional1 = l1[5:14], l1[14], l1[15:30]
    if digit == "<" and optional1.strip("<"):
        # A document number longer than 9 characters continues in the optional data (9303-5 §4.2.4).
        rest = optional1.rstrip("<")
        number, digit, optional1 = number + rest[:-1], rest[-1], ""
    _check(number, digit, "document number")
    _check(l2[0:6], l2[6], "birth date")
    _check(l2[8:14], l2[14], "expiry date")
    _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite")
    surname, given = _names(l3)
    return Mrz("TD1", l1[0:2].rstrip("<"), l1[2:5], number.rstrip("<"), l2[0:6], l2[7], l2[8:14],
               l2[15:18], surname, given, (optional1 + l2[18:29]).strip("<"))


def _td2(l1: str, l2: str) -> Mrz:
    _check(l2[0:9], l2[9], "document number")
    _check(l2[13:19], l2[19], "birth date")
    _check(l2[21:27], l2[27], "expiry date")
    _check(l2[0:10] + l2[13:20] + l2[21:35], l2[35], "composite")
    surname, given = _names(l1[5:36])
    return Mrz("TD2", l1[0:2].rstrip("<"), l1[2:5], l2[0:9].rstrip("<"), l2[13:19], l2[20],
               l2[21:27], l2[10:13], surname, given, l2[28:35].strip("<"))


def _td3(l1: str, l2: str) -> Mrz:
    _check(l2[0:9], l2[9], "document number")
    _check(l2[13:19], l2[19], "birth date")
    _check(l2[21:27], l2[27], "expiry date")
    _check(l2[28:42], l2[42], "personal number")
    _check(l2[0:10] + l2[13:20] + l2[21:43], l2[43], "composite")
    surname, given = _names(l1[5:44])
    return Mrz("TD3", l1[0:2].rstrip("<"), l1[2:5], l2[0:9].rstrip("<"), l2[13:19], l2[20],
               l2[21:27], l2[10:13], surname, given, l2[28:42].strip("<"))


#: An expiry date is at most this many years ahead; any later reading is a century too late
#: (passports run 5-10 years, some travel documents longer). Everything else lies in the past:
#: a document that expired in 1994 reads as expired, never as valid until 2094.
EXPIRY_HORIZON_YEARS = 20


def yymmdd_date(text: str, future: bool, today: _dt.date | None = None) -> _dt.date:
    """A ``YYMMDD`` MRZ date as a date; the century comes from what the date is.

    Birth dates (``future`` False): the latest such date not after ``today`` (nobody is born in
    the future; a holder is under 100 years old). Expiry dates (``future`` True): the year in
    ``(today.year - 100 + EXPIRY_HORIZON_YEARS, today.year + EXPIRY_HORIZON_YEARS]``.
    """
    if not re.fullmatch(r"\d{6}", text):
        raise MrzError("an MRZ date is not six digits")
    today = today or _dt.date.today()
    yy, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    year = today.year // 100 * 100 + yy
    try:
        if future:
            if year > today.year + EXPIRY_HORIZON_YEARS:
                year -= 100
            elif year <= today.year + EXPIRY_HORIZON_YEARS - 100:
                year += 100
            return _dt.date(year, month, day)
        date = _dt.date(year, month, day)
        return date if date <= today else _dt.date(year - 100, month, day)
    except ValueError:
        raise MrzError("an MRZ date is not a real date") from None


@dataclass(frozen=True, repr=False)
class AccessKey:
    """What the citizen types to open the chip: document number + birth + expiry, or a CAN.

    Personal data: never logged, ``repr`` redacted.
    """

    document_number: str = ""
    birth_date: str = ""
    expiry_date: str = ""
    can: str = ""

    def __post_init__(self) -> None:
        if self.can:
            if not re.fullmatch(r"\d{6}", self.can):
                raise ValueError("a CAN is six digits")
            return
        number = self.document_number.upper().replace(" ", "")
        if not re.fullmatch(r"[A-Z0-9<]{1,20}", number):
            raise ValueError("the document number has 1–20 letters or digits")
        for value, what in ((self.birth_date, "birth date"), (self.expiry_date, "expiry date")):
            if not re.fullmatch(r"\d{6}", value):
                raise ValueError(f"the {what} is YYMMDD (six digits)")
        object.__setattr__(self, "document_number", number)

    def __repr__(self) -> str:
        return "AccessKey(<redacted>)"

    @property
    def is_can(self) -> bool:
        """True for a card access number."""
        return bool(self.can)

    def mrz_information(self) -> bytes:
        """Document number, birth date and expiry with their check digits (the BAC/PACE seed)."""
        number = self.document_number.ljust(9, "<")
        return (number + check_digit(number) + self.birth_date + check_digit(self.birth_date)
                + self.expiry_date + check_digit(self.expiry_date)).encode("ascii")

    @classmethod
    def from_mrz(cls, mrz: Mrz) -> AccessKey:
        """The key printed in a parsed MRZ."""
        return cls(mrz.document_number, mrz.birth_date, mrz.expiry_date)
