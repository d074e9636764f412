"""eMRTD reads against what real chips send: bare status words under secure messaging, absent
optional files, malformed data groups, and MRZ dates in the right century."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard.emrtd import mrz
from drivers.idcard.emrtd.session import EmrtdSession, build_identity
from drivers.idcard.emrtd.sm import SecureMessaging, SecureMessagingError
from drivers.idcard.emrtd.sod import PassiveAuthError
from drivers.idcard.emrtd.tlv import TlvError, build
from drivers.idcard.emulator.document import build_sod, make_passport

NOT_FOUND, END_OF_FILE = 0x6A82, 0x6282


def _session(passport, **options):
    def transmit(apdu):
        response = passport.card.process(apdu)
        return response[:-2], int.from_bytes(response[-2:], "big")
    return EmrtdSession(transmit, **options)


# -- secure messaging -------------------------------------------------------------------------------

@pytest.mark.parametrize("sw", [NOT_FOUND, END_OF_FILE, 0x6982, 0x6B00])
def test_a_bare_status_word_is_the_commands_status_and_the_session_goes_on(sw):
    reader = SecureMessaging(b"\x01" * 16, b"\x02" * 16, 7)
    chip = SecureMessaging(b"\x01" * 16, b"\x02" * 16, 7)
    assert reader.unprotect(b"", sw) == (b"", sw)
    assert reader.ssc == 7  # nothing was MACed: the counter is where the chip's is
    body = chip.protect_response(b"next", 0x9000)
    assert reader.unprotect(body, 0x9000) == (b"next", 0x9000)


@pytest.mark.parametrize("sw", [0x6987, 0x6988])
def test_sm_errors_end_the_session(sw):
    with pytest.raises(SecureMessagingError, match=f"{sw:04X}"):
        SecureMessaging(bytes(16), bytes(16), 0).unprotect(b"", sw)


def test_a_protected_response_without_do99_is_refused_even_with_a_good_mac():
    reader = SecureMessaging(b"\x01" * 16, b"\x02" * 16, 0, "aes")
    chip = SecureMessaging(b"\x01" * 16, b"\x02" * 16, 0, "aes")
    chip.ssc += 1
    body = build(0x87, b"\x01" + chip.encrypt(b"data"))
    response = body + build(0x8E, chip.mac(body))  # MAC over DO87 alone: the SW is not covered
    with pytest.raises(SecureMessagingError, match="DO99"):
        reader.unprotect(response, 0x9000)


# -- whole reads --------------------------------------------------------------------------------------

@pytest.mark.parametrize("bare", [frozenset(), frozenset({NOT_FOUND, END_OF_FILE})],
                         ids=["protected-status", "bare-status"])
def test_absent_optional_files_are_reported_and_the_read_goes_on(bare, caplog):
    passport = make_passport(pace=[], omit=("DG11",), bare_status=bare)
    result = _session(passport).read_document(passport.key)
    identity = build_identity(result, [passport.pki.csca])
    assert identity.missing_files == ("DG11",) and identity.authenticated == "chain"
    assert identity.name == "XIAOMEI ZHOU"  # DG11's name is absent: the MRZ's
    assert identity.photo_jpeg is not None

    without_sod = make_passport(omit=("DG11", "SOD"), bare_status=bare, pki=passport.pki)
    caplog.set_level(logging.WARNING, logger="drivers.idcard.emrtd.session")
    result = _session(without_sod).read_document(without_sod.key)
    assert result.missing == ["DG11", "SOD"] and "SOD absent (SW 6A82)" in caplog.text
    with pytest.raises(PassiveAuthError, match=r"EF\.SOD"):
        build_identity(result, [passport.pki.csca])  # require_sod: refused, by policy
    identity = build_identity(result, [passport.pki.csca], require_sod=False)
    assert identity.authenticated is None and identity.missing_files == ("DG11", "SOD")


def test_an_absent_face_is_said_and_not_fatal():
    passport = make_passport(pace=[], omit=("DG2",), bare_status={NOT_FOUND})
    identity = build_identity(_session(passport).read_document(passport.key), None)
    assert identity.photo_jpeg is None and identity.missing_files == ("DG2",)
    assert "no face image" in identity.photo_missing_reason


def test_a_missing_mandatory_file_still_fails_with_its_name():
    passport = make_passport(pace=[], omit=("DG1",), bare_status={NOT_FOUND})
    with pytest.raises(Exception, match=r"EF\.DG1 is not on the chip \(SW 6A82\)"):
        _session(passport).read_document(passport.key)


def test_a_data_group_shorter_than_its_header_names_the_file():
    passport = make_passport(pace=[])
    passport.card.files["DG11"] = b"\x6b\x82\x01\x00" + bytes(40)  # announces 256 bytes, has 40
    with pytest.raises(TlvError, match=r"EF\.DG11 ends after"):
        _session(passport).read_document(passport.key)


def test_a_tlv_running_past_its_end_inside_a_data_group_names_the_file():
    passport = make_passport(pace=[])
    bad = build(0x6B, b"\x5f\x0e\x10abc")  # DG11's name claims 16 bytes and has 3
    passport.card.files["DG11"] = bad
    passport.card.files["SOD"] = build_sod({1: passport.files["DG1"], 2: passport.files["DG2"], 11: bad},
                                           passport.pki)
    result = _session(passport).read_document(passport.key)
    with pytest.raises(TlvError, match=r"EF\.DG11 is malformed"):
        build_identity(result, [passport.pki.csca])


# -- MRZ dates ----------------------------------------------------------------------------------------

TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize("text, expected", [("940623", dt.date(1994, 6, 23)), ("120415", dt.date(2012, 4, 15)),
                                            ("950712", dt.date(1995, 7, 12)), ("310614", dt.date(2031, 6, 14))])
def test_icao_specimen_expiry_dates(text, expected):
    assert mrz.yymmdd_date(text, future=True, today=TODAY) == expected
    assert mrz.yymmdd_date(text, future=True) == expected  # and on the real today, for decades


def test_icao_specimen_birth_date_and_an_expired_document():
    assert mrz.yymmdd_date("740812", future=False, today=TODAY) == dt.date(1974, 8, 12)
    assert mrz.yymmdd_date("740812", future=False).year == 1974
    specimen = mrz.parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                         "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    from drivers.idcard.emrtd.lds import identity_from
    identity = identity_from(specimen, None, "none", today=TODAY)
    assert identity.valid_until == dt.date(2012, 4, 15) and identity.is_expired(TODAY)


_days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31))


@given(_days, _days)
def test_birth_dates_are_never_in_the_future_and_under_a_century_old(day, today):
    text = day.strftime("%y%m%d")
    try:
        born = mrz.yymmdd_date(text, future=False, today=today)
    except mrz.MrzError:  # 29 February of a year whose century-earlier twin is no leap year
        assert day.month == 2 and day.day == 29
        return
    assert born.strftime("%y%m%d") == text
    assert born <= today and (today - born).days < 366 * 100


@given(_days, _days)
def test_expiry_dates_fall_in_the_window_around_today(day, today):
    text = day.strftime("%y%m%d")
    try:
        expires = mrz.yymmdd_date(text, future=True, today=today)
    except mrz.MrzError:
        assert day.month == 2 and day.day == 29
        return
    horizon = mrz.EXPIRY_HORIZON_YEARS
    assert expires.strftime("%y%m%d") == text
    assert today.year + horizon - 100 < expires.year <= today.year + horizon


@given(st.integers(0, 99))
def test_the_expiry_boundary_years(offset):
    today = dt.date(2026, 1, 1)
    year = 2026 + mrz.EXPIRY_HORIZON_YEARS - offset  # from the horizon back one century
    assert mrz.yymmdd_date(f"{year % 100:02d}0101", future=True, today=today).year == year

