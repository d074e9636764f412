"""The SAM frame codec: GA 467 frame vectors, every SW3 mapping, and hypothesis for garbage in."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.common import DeviceError, ErrorAction, NoDocumentPresent, ProtocolError
from drivers.idcard.sam import frames


@pytest.mark.parametrize(
    "command, expected",
    [
        (frames.RESET_SAM, "AAAAAA9669000310FFEC"),
        (frames.SAM_STATUS, "AAAAAA9669000311FFED"),
        (frames.READ_SAM_ID, "AAAAAA9669000312FFEE"),
        (frames.FIND_CARD, "AAAAAA966900032001 22"),
        (frames.SELECT_CARD, "AAAAAA966900032002 21"),
        (frames.READ_TEXT_PHOTO, "AAAAAA966900033001 32"),
        (frames.READ_APPENDED_ADDRESS, "AAAAAA966900033003 30"),
        (frames.READ_TEXT_PHOTO_FINGERPRINT, "AAAAAA966900033010 23"),
    ],
)
def test_command_frames_match_the_research_vectors(command, expected):
    assert frames.encode_command(command) == bytes.fromhex(expected.replace(" ", ""))


def test_typical_replies_decode():
    found = frames.decode_response(bytes.fromhex("AAAAAA96690008 00009F 00000000 97".replace(" ", "")))
    assert found.ok and found.sw3 == 0x9F and found.data == bytes(4)
    none = frames.decode_response(bytes.fromhex("AAAAAA9669000400008084"))
    with pytest.raises(NoDocumentPresent):
        none.raise_for_status()


@pytest.mark.parametrize("sw3", sorted(frames.SW3_ERRORS))
def test_every_sw3_maps_to_an_error_and_action(sw3):
    response = frames.decode_response(frames.encode_response(sw3))
    error, action, _ = frames.SW3_ERRORS[sw3]
    with pytest.raises(error) as info:
        response.raise_for_status()
    assert info.value.action is action and f"{sw3:02X}" in info.value.message


def test_documented_status_codes_are_all_mapped():
    documented = {0x10, 0x11, 0x21, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80,
                  0x81, 0x91}
    assert documented <= set(frames.SW3_ERRORS)
    assert frames.SW3_ERRORS[0x66][1] is ErrorAction.MAINTENANCE


def test_unknown_status_is_a_protocol_error():
    with pytest.raises(ProtocolError):
        frames.Response(0, 0, 0x55, b"").raise_for_status()


def test_bad_checksum_and_truncation_are_protocol_errors():
    frame = frames.encode_response(0x90, b"abc")
    with pytest.raises(ProtocolError, match="checksum"):
        frames.decode_response(frame[:-1] + bytes([frame[-1] ^ 1]))
    with pytest.raises(ProtocolError, match="truncated"):
        frames.decode_response(frame[:-2])


def test_read_payload_round_trip_and_lengths():
    record = frames.CardRecord(bytes(256), bytes(1024), bytes(1024))
    for fingerprint in (False, True):
        payload = frames.join_read_payload(record, fingerprint)
        split = frames.split_read_payload(payload, fingerprint)
        assert split.text == record.text and split.photo == record.photo
    # 30 10 with two templates: LEN 0x090A and 2321 bytes on the wire, as readers send it.
    wire = frames.encode_response(0x90, frames.join_read_payload(record, True))
    assert wire[5:7] == b"\x09\x0a" and len(wire) == 2321
    assert len(frames.encode_response(0x90, frames.join_read_payload(record, False))) == 1295


@given(st.binary(max_size=300))
@settings(max_examples=300)
def test_decode_response_never_crashes(data):
    try:
        response = frames.decode_response(data)
    except ProtocolError:
        return
    assert isinstance(response.data, bytes)


@given(st.integers(0, 255), st.binary(max_size=200))
def test_response_round_trip(sw3, data):
    response = frames.decode_response(frames.encode_response(sw3, data))
    assert (response.sw3, response.data) == (sw3, data)
    try:
        response.raise_for_status()
    except DeviceError as exc:
        assert isinstance(exc.action, ErrorAction)


@given(st.binary(max_size=3000), st.booleans())
def test_split_payload_never_crashes(data, fingerprint):
    with contextlib.suppress(ProtocolError):
        frames.split_read_payload(data, fingerprint)


@given(st.binary(max_size=64))
def test_decode_command_never_crashes(data):
    with contextlib.suppress(ProtocolError):
        frames.decode_command(data)
