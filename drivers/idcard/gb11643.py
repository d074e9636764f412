"""GB 11643-1999 citizen identity numbers: the ISO 7064 MOD 11-2 check character and validation.

An 18-character number is ``RRRRRR YYYYMMDD SSS C``: a 6-digit region code, the birth date, a
3-digit sequence (odd for men, even for women) and the check character ``0-9`` or ``X``. The same
scheme is used by HK/Macau/Taiwan residence permits (regions 81/82/83) and the 2023 foreign
permanent resident card (leading 9). Checks are strict: a lower-case ``x`` is not valid; use
:func:`normalize` on typed input first.
"""

from __future__ import annotations

import datetime as _dt

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")
#: Earliest birth year accepted; older "dates" are data-entry errors.
MIN_BIRTH_YEAR = 1850


def check_char(id17: str) -> str:
    """The check character for the first 17 characters of an ID number.

    Raises :class:`ValueError` unless ``id17`` is exactly 17 ASCII digits.
    """
    if len(id17) != 17 or not set(id17) <= _DIGITS:
        raise ValueError("the first 17 characters of an ID number must be 17 digits")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(id17, WEIGHTS, strict=False)) % 11]


def validate(id18: str, today: _dt.date | None = None) -> None:
    """Raise :class:`ValueError` saying why ``id18`` is not a valid ID number; return None if it is.

    Checks, in order: the length, the characters, the birth date (a real date, not after
    ``today`` and not before :data:`MIN_BIRTH_YEAR`) and the check character. The messages never
    repeat the number itself, so they are safe to log.
    """
    if not isinstance(id18, str):
        raise ValueError("an ID number must be text")
    if len(id18) != 18:
        raise ValueError(f"an ID number has 18 characters, not {len(id18)}")
    if not set(id18[:17]) <= _DIGITS:
        raise ValueError("the first 17 characters of an ID number must be digits")
    if id18[17] not in _DIGITS and id18[17] != "X":
        raise ValueError("the last character of an ID number must be a digit or X")
    birth = birth_date(id18)
    if birth.year < MIN_BIRTH_YEAR or birth > (today or _dt.date.today()):
        raise ValueError("the birth date in the ID number is out of range")
    if check_char(id18[:17]) != id18[17]:
        raise ValueError("the ID number's check character is wrong (a character was mistyped)")


def is_valid(id18: str, today: _dt.date | None = None) -> bool:
    """True when :func:`validate` accepts ``id18``."""
    try:
        validate(id18, today)
    except ValueError:
        return False
    return True


def birth_date(id18: str) -> _dt.date:
    """The birth date encoded in characters 7–14; :class:`ValueError` if it is not a real date."""
    digits = id18[6:14]
    if len(digits) != 8 or not set(digits) <= _DIGITS:
        raise ValueError("the birth date in the ID number is not 8 digits")
    try:
        return _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValueError("the birth date in the ID number is not a real date") from None


def is_male(id18: str) -> bool:
    """True when the sequence number (character 17) is odd, i.e. the holder is registered male."""
    return int(id18[16]) % 2 == 1


def normalize(text: str) -> str:
    """Typed input made comparable: surrounding/inner spaces removed, full-width digits and ``x`` folded."""
    folded = text.translate(_FULLWIDTH).replace(" ", "").replace("\u3000", "")
    return folded.upper()


_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X"), 0xFF58: ord("x")}
