"""eMRTD protocol pieces without a reader: ICAO 9303-11 worked example, MRZ, PACE, SM, LDS, PA."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.common import ProtocolError
from drivers.idcard import DocumentType, Sex
from drivers.idcard.emrtd import bac, crypto, lds, mrz, tlv
from drivers.idcard.emrtd.apdu import Command, decode
from drivers.idcard.emrtd.ec import BRAINPOOL_P256R1, P256
from drivers.idcard.emrtd.pace import PaceInfo, parse_card_access
from drivers.idcard.emrtd.session import EmrtdSession, build_identity
from drivers.idcard.emrtd.sm import SecureMessaging, SecureMessagingError
from drivers.idcard.emrtd.sod import PassiveAuthError, passive_authentication
from drivers.idcard.emulator.document import PACE_AES128_P256, make_passport, make_pki, td3

h = bytes.fromhex


# -- ICAO 9303 part 11, appendix D: the BAC and SM worked example, byte for byte -------------------

def test_icao_9303_11_worked_example():
    info = b"L898902C<369080619406236"
    terminal = bac.BacTerminal(info, rnd_ifd=h("781723860C06C226"), k_ifd=h("0B795240CB7049B01C19B33E32804F0B"))
    assert terminal.k_enc == h("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert terminal.k_mac == h("7962D9ECE03D1ACD4C76089DCE131543")
    assert terminal.mutual_authenticate_data(h("4608F91988702212")) == h(
        "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
    sm = terminal.finish(h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
                           "2F2D235D074D7449"))
    assert sm.ks_enc == h("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == h("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc == 0x887022120C06C226
    assert sm.protect(Command(0x00, 0xA4, 0x02, 0x0C, h("011E"))) == h(
        "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert sm.unprotect(h("990290008E08FA855A5D4C50A8ED"), 0x9000) == (b"", 0x9000)
    assert sm.protect(Command(0x00, 0xB0, 0x00, 0x00, le=4)) == h("0CB000000D9701048E08ED6705417E96BA5500")
    assert sm.unprotect(h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED"), 0x9000) == (h("60145F01"), 0x9000)
    assert sm.protect(Command(0x00, 0xB0, 0x00, 0x04, le=0x12)) == h("0CB000040D9701128E082EA28A70F3C7B53500")
    data, sw = sm.unprotect(
        h("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D74"), 0x9000)
    assert data == h("04303130365F36063034303030305C026175") and sw == 0x9000


def test_bac_chip_and_terminal_agree_and_wrong_key_is_refused():
    chip = bac.BacChip(b"L898902C<369080619406236")
    terminal = bac.BacTerminal(b"L898902C<369080619406236")
    response, chip_sm = chip.authenticate(terminal.mutual_authenticate_data(chip.rnd_icc))
    assert terminal.finish(response).ks_enc == chip_sm.ks_enc
    wrong = bac.BacTerminal(b"L898902C<369080619406237")
    with pytest.raises(bac.AccessDenied):
        chip.authenticate(wrong.mutual_authenticate_data(chip.rnd_icc))


# -- MRZ ---------------------------------------------------------------------------------------

def test_mrz_formats_and_check_digits():
    td3_text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    parsed = mrz.parse(td3_text)
    assert (parsed.format, parsed.document_number, parsed.surname, parsed.given_names) == (
        "TD3", "L898902C3", "ERIKSSON", "ANNA MARIA")
    td1 = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    assert mrz.parse(td1).format == "TD1"
    assert mrz.parse("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<D231458907UTO7408122F1204159<<<<<<<6").format == "TD2"
    with pytest.raises(mrz.MrzError, match="check digit"):
        mrz.parse(td3_text.replace("7408122", "7408123"))
    assert repr(parsed) == "Mrz(format='TD3', <personal data redacted>)"
    assert mrz.AccessKey("L898902C", "690806", "940623").mrz_information() == b"L898902C<369080619406236"
    assert mrz.yymmdd_date("690806", future=False, today=dt.date(2026, 1, 1)) == dt.date(1969, 8, 6)
    assert mrz.yymmdd_date("310614", future=True, today=dt.date(2026, 1, 1)) == dt.date(2031, 6, 14)
    with pytest.raises(ValueError):
        mrz.AccessKey(can="12345")
    assert "L898" not in repr(mrz.AccessKey("L898902C", "690806", "940623"))


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<\n", max_size=100))
@settings(max_examples=300)
def test_mrz_parser_never_crashes(text):
    with contextlib.suppress(mrz.MrzError):
        mrz.parse(text)


@given(st.text(max_size=100))
def test_mrz_parser_never_crashes_on_any_text(text):
    with contextlib.suppress(mrz.MrzError):
        mrz.parse(text)


# -- curves, TLV, APDUs, SM responses ------------------------------------------------------------

def test_curves_match_cryptography():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    for curve, reference in ((P256, ec.SECP256R1()), (BRAINPOOL_P256R1, ec.BrainpoolP256R1())):
        key = ec.generate_private_key(reference)
        point = curve.multiply(key.private_numbers().private_value, curve.g)
        assert curve.encode(point) == key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@given(st.binary(max_size=200))
@settings(max_examples=300)
def test_tlv_parser_never_crashes(data):
    try:
        for item in tlv.parse_all(data):
            if item.constructed:
                item.children()
    except tlv.TlvError:
        pass


@given(st.sampled_from([0x04, 0x30, 0x5C, 0x61, 0x75, 0x87, 0x8E, 0x99, 0x5F1F, 0x5F2E, 0x7F49, 0x7F61]),
       st.binary(max_size=300))
def test_tlv_round_trip(tag, value):
    item, _end = tlv.parse_one(tlv.build(tag, value))
    assert (item.tag, item.value) == (tag, value)


@given(st.binary(max_size=300))
def test_apdu_decoder_never_crashes(data):
    with contextlib.suppress(tlv.TlvError):
        decode(data)


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
@settings(max_examples=300)
def test_sm_response_parser_never_crashes(data, sw):
    sm = SecureMessaging(bytes(16), bytes(16), 0)
    with contextlib.suppress(SecureMessagingError):
        sm.unprotect(data, sw)


@given(st.binary(max_size=200), st.sampled_from(["3des", "aes"]))
def test_sm_round_trip(data, cipher):
    size = 16
    reader = SecureMessaging(b"\x01" * size, b"\x02" * size, 5, cipher)
    chip = SecureMessaging(b"\x01" * size, b"\x02" * size, 5, cipher)
    command = decode(reader.protect(Command(0, 0xB0, 0, 0, data[:100] or b"", 0x20)))
    plain = chip.unprotect_command(command)
    assert plain.data == (data[:100] or b"") and plain.le == 0x20
    body = chip.protect_response(data, 0x9000)
    assert reader.unprotect(body, 0x9000) == (data, 0x9000)
    flipped = bytearray(chip.protect_response(data, 0x9000))
    flipped[-1] ^= 1
    with pytest.raises(SecureMessagingError):
        reader.unprotect(bytes(flipped), 0x9000)


# -- whole sessions against the emulator, in-process -----------------------------------------------

def _session(passport, **options):
    def transmit(apdu):
        response = passport.card.process(apdu)
        return response[:-2], int.from_bytes(response[-2:], "big")
    return EmrtdSession(transmit, **options)


@pytest.mark.parametrize("pace", [
    [],
    [PaceInfo("0.4.0.127.0.7.2.2.4.2.1", 13)],   # ECDH-GM-3DES, brainpoolP256r1
    [PACE_AES128_P256],                          # ECDH-GM-AES-128, P-256
    [PaceInfo("0.4.0.127.0.7.2.2.4.2.4", 13)],   # ECDH-GM-AES-256, brainpoolP256r1
], ids=["BAC", "PACE-3DES", "PACE-AES128", "PACE-AES256"])
def test_reads_and_authenticates(pace):
    passport = make_passport(pace=pace)
    result = _session(passport).read_document(passport.key)
    assert result.access == ("PACE" if pace else "BAC")
    identity = build_identity(result, [passport.pki.csca])
    assert identity.document_type is DocumentType.PASSPORT and identity.sex is Sex.FEMALE
    assert identity.name == "周晓梅" and identity.name_latin == "XIAOMEI ZHOU"
    assert identity.birth_date == dt.date(1990, 8, 2) and identity.valid_until == dt.date(2031, 6, 14)
    assert identity.authenticated == "chain" and identity.photo_jpeg[:3] == b"\xff\xd8\xff"
    assert result.files["SOD"][0] == 0x77


def test_pace_with_can_and_pace_only_documents():
    passport = make_passport(bac=False, can="654321")
    result = _session(passport).read_document(mrz.AccessKey(can="654321"))
    assert result.access == "PACE"
    with pytest.raises(bac.AccessDenied):
        _session(make_passport(bac=False)).read_document(mrz.AccessKey(can="000000"))


def test_wrong_mrz_key_is_access_denied():
    passport = make_passport(pace=[])
    with pytest.raises(bac.AccessDenied):
        _session(passport).read_document(mrz.AccessKey("EH6183524", "900803", "310614"))


def test_jpeg2000_face_is_decoded_and_extended_reads():
    passport = make_passport(jpeg2000=True, extended=True)
    session = _session(passport, extended=True)
    identity = build_identity(session.read_document(passport.key), None)
    assert identity.photo_jpeg[:3] == b"\xff\xd8\xff" and identity.authenticated == "signature"
    short = make_passport(jpeg2000=True)
    assert session.apdus < _session(short).read_document(short.key).apdus


def test_card_access_parser():
    from drivers.idcard.emrtd.pace import build_card_access
    assert parse_card_access(build_card_access([PACE_AES128_P256])) == [PACE_AES128_P256]


@given(st.binary(max_size=80))
def test_card_access_parser_never_crashes(data):
    with contextlib.suppress(tlv.TlvError):
        parse_card_access(data)


# -- passive authentication -------------------------------------------------------------------------

def test_passive_authentication_detects_tampering():
    passport = make_passport(pace=[])
    groups = {1: passport.files["DG1"], 2: passport.files["DG2"], 11: passport.files["DG11"]}
    assert passive_authentication(passport.files["SOD"], groups, [passport.pki.csca]) == "chain"
    assert passive_authentication(passport.files["SOD"], groups, None) == "signature"
    forged = dict(groups)
    forged[1] = groups[1].replace(b"ZHOU", b"ZHAO")
    with pytest.raises(PassiveAuthError, match="DG1"):
        passive_authentication(passport.files["SOD"], forged, None)
    with pytest.raises(PassiveAuthError, match="CSCA"):
        passive_authentication(passport.files["SOD"], groups, [make_pki().csca])
    sod = bytearray(passport.files["SOD"])
    sod[-5] ^= 0x55  # inside the ECDSA signature
    with pytest.raises(ProtocolError):
        passive_authentication(bytes(sod), groups, None)


@given(st.binary(max_size=400))
def test_sod_parser_never_crashes(data):
    with contextlib.suppress(ProtocolError):
        passive_authentication(b"\x77" + tlv.encode_length(len(data)) + data, {}, None)


@given(st.binary(max_size=300))
def test_lds_parsers_never_crash(data):
    for parser in (lds.parse_com, lds.parse_dg1, lds.parse_dg11, lds.face_image):
        with contextlib.suppress(ProtocolError):
            parser(data)


def test_td3_builder_makes_valid_mrz():
    assert mrz.parse(td3("LI", "HUA", "E12345678", "CHN", "850101", "M", "300101")).sex == "M"
    assert crypto.unpad(crypto.pad(b"abc")) == b"abc"
