"""GB 11643 ID numbers: known numbers, round trips and single-character errors (hypothesis)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard import gb11643

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "13032319860911446X"])
def test_published_examples_are_valid(number):
    assert gb11643.is_valid(number, TODAY)
    assert gb11643.check_char(number[:17]) == number[17]


@pytest.mark.parametrize(
    "number, reason",
    [
        ("11010519491231002", "18 characters"),
        ("11010519491231002XX", "18 characters"),
        ("1101051949123100AX", "must be digits"),
        ("11010519491231002x", "last character"),
        ("110105194913310028", "not a real date"),
        ("110105203001010028", "out of range"),
        ("110105194912310021", "check character"),
    ],
)
def test_validate_explains_why(number, reason):
    with pytest.raises(ValueError, match=reason):
        gb11643.validate(number, TODAY)
    assert not gb11643.is_valid(number, TODAY)


def test_check_char_needs_17_digits():
    with pytest.raises(ValueError):
        gb11643.check_char("1234")
    with pytest.raises(ValueError):
        gb11643.check_char("1234567890123456X")


def test_messages_do_not_repeat_the_number():
    with pytest.raises(ValueError) as info:
        gb11643.validate("110105194912310021", TODAY)
    assert "110105" not in str(info.value)


def test_helpers():
    assert gb11643.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert not gb11643.is_male("11010519491231002X")  # sequence 002: even
    assert gb11643.is_male("440524188001010014")
    assert gb11643.normalize(" １１０１０５ 19491231002ｘ ") == "11010519491231002X"


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.integers(110000, 659999)).__str__()
    birth = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    sequence = f"{draw(st.integers(0, 999)):03d}"
    id17 = region + birth.strftime("%Y%m%d") + sequence
    return id17 + gb11643.check_char(id17)


@given(id_numbers())
def test_valid_numbers_round_trip(number):
    gb11643.validate(number, TODAY)
    assert gb11643.check_char(number[:17]) == number[17]
    assert gb11643.birth_date(number).strftime("%Y%m%d") == number[6:14]


@given(id_numbers(), st.integers(0, 17), st.sampled_from(list("0123456789XxA中 -")))
def test_any_single_character_change_is_detected_and_explained(number, position, char):
    changed = number[:position] + char + number[position + 1 :]
    if changed == number:
        return
    assert not gb11643.is_valid(changed, TODAY)
    with pytest.raises(ValueError, match="ID number"):
        gb11643.validate(changed, TODAY)


@given(id_numbers(), st.integers(0, 17))
def test_dropped_or_doubled_characters_are_detected(number, position):
    assert not gb11643.is_valid(number[:position] + number[position + 1 :], TODAY)
    assert not gb11643.is_valid(number[:position] + number[position] + number[position:], TODAY)


@given(st.text(max_size=25))
def test_validate_only_ever_raises_value_error(text):
    with contextlib.suppress(ValueError):
        gb11643.validate(text, TODAY)
