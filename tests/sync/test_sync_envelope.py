"""Envelopes: round trip, tampering, and fuzzing of the parser of outside bytes."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_protocol.envelope import EnvelopeError, _signing_input, envelope_key_id, open_sealed, seal
from egov_protocol.keys import ed25519_public_bytes, key_id_for

PLATFORM = X25519PrivateKey.generate()
PLATFORM_PUBLIC = PLATFORM.public_key().public_bytes_raw()
TERMINAL = Ed25519PrivateKey.generate()
TERMINAL_KID = key_id_for(ed25519_public_bytes(TERMINAL))
PAYLOAD = '{"answers": {"name": "王小明"}}'.encode()
ATTACHMENTS = {"photo.jpg": b"\xff\xd8\xff\xe0jpeg", "表格.pdf": b"%PDF-1.7"}
ENVELOPE = seal(PAYLOAD, ATTACHMENTS, PLATFORM_PUBLIC, TERMINAL, TERMINAL_KID)


def open_(envelope: bytes):
    return open_sealed(envelope, PLATFORM, TERMINAL.public_key())


def test_round_trip():
    assert open_(ENVELOPE) == (PAYLOAD, ATTACHMENTS)


def test_round_trip_without_attachments_and_with_empty_payload():
    envelope = seal(b"", {}, PLATFORM_PUBLIC, TERMINAL, TERMINAL_KID)
    assert open_(envelope) == (b"", {})


def test_the_envelope_reveals_no_plaintext():
    assert "王小明".encode() not in ENVELOPE and b"jpeg" not in ENVELOPE
    assert b"answers" not in ENVELOPE


def test_every_seal_uses_fresh_keys_and_nonces():
    again = seal(PAYLOAD, ATTACHMENTS, PLATFORM_PUBLIC, TERMINAL, TERMINAL_KID)
    first, second = json.loads(ENVELOPE), json.loads(again)
    assert first["epk"] != second["epk"]
    assert first["payload"]["ct"] != second["payload"]["ct"]


def test_envelope_key_id_reads_the_signer():
    assert envelope_key_id(ENVELOPE) == TERMINAL_KID


def test_the_wrong_recipient_cannot_open_it():
    with pytest.raises(EnvelopeError):
        open_sealed(ENVELOPE, X25519PrivateKey.generate(), TERMINAL.public_key())


def test_another_signer_is_refused():
    with pytest.raises(EnvelopeError, match="signature"):
        open_sealed(ENVELOPE, PLATFORM, Ed25519PrivateKey.generate().public_key())


def _resign(document: dict, key: Ed25519PrivateKey) -> bytes:
    document = {k: v for k, v in document.items() if k != "sig"}
    document["sig"] = base64.b64encode(key.sign(_signing_input(document))).decode()
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def test_a_stolen_envelope_re_signed_by_another_terminal_does_not_open():
    thief = Ed25519PrivateKey.generate()
    document = json.loads(ENVELOPE)
    document["kid"] = key_id_for(ed25519_public_bytes(thief))
    with pytest.raises(EnvelopeError):
        open_sealed(_resign(document, thief), PLATFORM, thief.public_key())


def test_swapped_attachments_do_not_open_even_when_re_signed():
    document = json.loads(ENVELOPE)
    a, b = document["attachments"]
    document["attachments"] = [
        {**a, "nonce": b["nonce"], "ct": b["ct"]},
        {**b, "nonce": a["nonce"], "ct": a["ct"]},
    ]
    with pytest.raises(EnvelopeError, match="altered"):
        open_(_resign(document, TERMINAL))


def test_non_canonical_json_is_refused():
    spaced = json.dumps(json.loads(ENVELOPE), sort_keys=True).encode()
    with pytest.raises(EnvelopeError, match="canonical"):
        open_(spaced)


def test_duplicate_keys_are_refused():
    text = ENVELOPE.decode()
    with pytest.raises(EnvelopeError):
        open_(text.replace('"v":1', '"v":1,"v":1').encode())


@pytest.mark.parametrize("bad_kid", ["", "has space", "x" * 129])
def test_seal_refuses_bad_key_ids(bad_kid):
    with pytest.raises(ValueError):
        seal(b"", {}, PLATFORM_PUBLIC, TERMINAL, bad_kid)


@pytest.mark.parametrize("bad_name", ["", "line\nbreak", "x" * 256])
def test_seal_refuses_bad_attachment_names(bad_name):
    with pytest.raises(ValueError):
        seal(b"", {bad_name: b"x"}, PLATFORM_PUBLIC, TERMINAL, TERMINAL_KID)


def test_seal_refuses_a_bad_recipient_key():
    with pytest.raises(ValueError):
        seal(b"", {}, b"short", TERMINAL, TERMINAL_KID)


# -- property tests: the envelope parser sees outside bytes -----------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_envelope_error(data):
    with pytest.raises(EnvelopeError):
        open_(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(json_values)
def test_arbitrary_json_raises_only_envelope_error(value):
    with pytest.raises(EnvelopeError):
        open_(json.dumps(value).encode())


@FUZZ
@given(st.sampled_from(sorted(json.loads(ENVELOPE))), json_values)
def test_any_replaced_field_raises_only_envelope_error(field, value):
    document = json.loads(ENVELOPE)
    if document[field] == value:
        return
    document[field] = value
    with pytest.raises(EnvelopeError):
        open_(json.dumps(document, sort_keys=True, separators=(",", ":")).encode())


@FUZZ
@given(st.integers(min_value=0, max_value=len(ENVELOPE) * 8 - 1))
def test_any_bit_flip_raises_envelope_error(bit):
    tampered = bytearray(ENVELOPE)
    tampered[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(EnvelopeError):
        open_(bytes(tampered))


@FUZZ
@given(st.integers(min_value=0, max_value=len(ENVELOPE) - 1))
def test_any_truncation_raises_envelope_error(length):
    with pytest.raises(EnvelopeError):
        open_(ENVELOPE[:length])


def test_every_single_bit_flip_in_the_signed_fields_region_is_caught():
    # Exhaustive over the header (cheap), on top of the sampled flips above.
    for bit in range(min(len(ENVELOPE), 400) * 8):
        tampered = bytearray(ENVELOPE)
        tampered[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(EnvelopeError):
            open_(bytes(tampered))
