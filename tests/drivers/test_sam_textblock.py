"""The text block decoder: every card layout, 长期, GB 11643, code tables, and hypothesis."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard import DocumentType, Identity, Sex, gb11643
from drivers.idcard.codes import ETHNICITIES, ethnicity_name, sex_from_code
from drivers.idcard.sam.textblock import (
    RESIDENT,
    TextBlockError,
    decode_text_block,
    encode_text_block,
)
from drivers.idcard.simulated.samples import SAMPLE_DOCUMENTS

RESIDENT_ID = SAMPLE_DOCUMENTS["resident_id"][1]
HMT = SAMPLE_DOCUMENTS["hmt_permit"][1]
FOREIGNER = Identity(
    document_type=DocumentType.FOREIGN_PERMANENT_RESIDENT, name="史密斯", name_latin="SMITH, JOHN",
    sex=Sex.MALE, birth_date=dt.date(1975, 2, 3), nationality="USA",
    document_number="USA110075020301", valid_from=dt.date(2018, 1, 2), valid_until=dt.date(2028, 1, 1),
)


def test_code_tables():
    assert len(ETHNICITIES) == 58 and ethnicity_name("01") == "汉" and ethnicity_name("56") == "基诺"
    assert ethnicity_name("10") == "朝鲜"
    assert sex_from_code("1") is Sex.MALE and sex_from_code("2") is Sex.FEMALE
    with pytest.raises(ValueError):
        ethnicity_name("57")


@pytest.mark.parametrize("identity", [RESIDENT_ID, HMT, FOREIGNER], ids=lambda i: i.document_type.value)
def test_round_trip_every_layout(identity):
    block = encode_text_block(identity)
    assert len(block) == 256
    decoded = decode_text_block(block)
    expected = replace(identity, photo_missing_reason=None, photo_jpeg=None)
    for field in ("document_type", "name", "name_latin", "sex", "birth_date", "nationality",
                  "document_number", "valid_from", "valid_until"):
        assert getattr(decoded, field) == getattr(expected, field), field


def test_resident_offsets_follow_ga_t_490():
    block = encode_text_block(RESIDENT_ID)
    assert block[0:6].decode("utf-16-le") == "陈静怡"
    assert block[30:32].decode("utf-16-le") == "2"
    assert block[32:36].decode("utf-16-le") == "01"
    assert block[122:158].decode("utf-16-le") == RESIDENT_ID.document_number
    assert block[248:250] == " ".encode("utf-16-le")
    hmt = encode_text_block(HMT)
    assert hmt[248:250].decode("utf-16-le") == "J"
    assert encode_text_block(FOREIGNER)[248:250].decode("utf-16-le") == "I"


def test_long_term_validity_is_none():
    identity = replace(RESIDENT_ID, valid_until=None)
    block = encode_text_block(identity)
    assert block[204:208].decode("utf-16-le") == "长期"
    decoded = decode_text_block(block)
    assert decoded.valid_until is None and not decoded.is_expired(dt.date(2999, 1, 1))


def _with_number(number: str) -> bytes:
    block = bytearray(encode_text_block(RESIDENT_ID))
    block[122:158] = number.encode("utf-16-le")
    return bytes(block)


def test_gb11643_is_checked():
    bad = RESIDENT_ID.document_number[:17] + ("0" if RESIDENT_ID.document_number[17] != "0" else "1")
    with pytest.raises(TextBlockError, match="check character"):
        decode_text_block(_with_number(bad))


def test_permit_number_on_a_resident_layout_is_refused():
    with pytest.raises(TextBlockError, match="card type"):
        decode_text_block(_with_number(HMT.document_number))


def test_birth_date_must_match_number():
    block = bytearray(encode_text_block(RESIDENT_ID))
    offset, length = RESIDENT["birth"]
    block[offset:offset + length] = "19870315".encode("utf-16-le")
    with pytest.raises(TextBlockError, match="birth date"):
        decode_text_block(bytes(block))


def test_2023_card_is_recognised_and_refused_clearly():
    block = bytearray(encode_text_block(FOREIGNER))
    block[248:250] = "Y".encode("utf-16-le")
    with pytest.raises(TextBlockError, match="2023"):
        decode_text_block(bytes(block))


def test_2023_numbers_pass_gb11643():
    number17 = "91103619750203001"  # 9 + 156 country + 10 + birth 19750203 + 001
    assert gb11643.is_valid(number17 + gb11643.check_char(number17))


@given(st.binary(min_size=256, max_size=256))
@settings(max_examples=300)
def test_random_blocks_decode_or_fail_clearly(block):
    try:
        identity = decode_text_block(block)
    except TextBlockError:
        return
    assert isinstance(identity, Identity)


@given(st.text(max_size=128).map(lambda t: t.encode("utf-16-le", "surrogatepass")[:256].ljust(256, b" ")))
def test_random_text_decodes_or_fails_clearly(block):
    with contextlib.suppress(TextBlockError):
        decode_text_block(block)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 127))
def test_single_byte_corruption_never_crashes(position, value, _):
    block = bytearray(encode_text_block(RESIDENT_ID))
    block[position] = value
    with contextlib.suppress(TextBlockError):
        decode_text_block(bytes(block))


def test_wrong_length_is_refused():
    with pytest.raises(TextBlockError):
        decode_text_block(b"x" * 255)
