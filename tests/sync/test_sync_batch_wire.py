"""The binary batch framing (``egov_protocol.batch_wire``): round trips, and arbitrary or mangled bytes
only ever raise ``BatchFormatError``."""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_protocol.batch_wire import (
    MAGIC,
    MAGIC_V1,
    BatchFormatError,
    decode_batch,
    encode_batch,
    signed_portion,
)

ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,20}\Z")
blob_lists = st.lists(st.binary(max_size=300), max_size=3)


@st.composite
def items(draw):
    out = []
    for n in range(draw(st.integers(0, 5))):
        envelope = draw(st.binary(max_size=500))
        blobs = {hashlib.sha256(b).hexdigest(): b for b in draw(blob_lists)}
        out.append((f"{draw(ids)}-{n}", draw(ids), hashlib.sha256(envelope).hexdigest(),
                    envelope, blobs))
    return out


@given(items())
def test_a_batch_round_trips(batch):
    parts = decode_batch(encode_batch(batch))
    assert [(p.id, p.receipt_number, p.digest, p.envelope, p.blobs) for p in parts] == batch


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_batch_format_error(body):
    for candidate in (body, MAGIC + body):
        with contextlib.suppress(BatchFormatError):
            decode_batch(candidate)


@settings(max_examples=300)
@given(items(), st.data())
def test_mangled_batches_raise_only_batch_format_error(batch, data):
    body = bytearray(encode_batch(batch))
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "grow"]))
        if action == "flip" and body:
            index = data.draw(st.integers(0, len(body) - 1))
            body[index] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del body[data.draw(st.integers(0, len(body))):]
        else:
            body += data.draw(st.binary(min_size=1, max_size=20))
    with contextlib.suppress(BatchFormatError):
        decode_batch(bytes(body))


def test_lengths_must_cover_the_body_exactly():
    body = encode_batch([("a-1", "r-1", "0" * 64, b"env", {})])
    with pytest.raises(BatchFormatError, match="longer"):
        decode_batch(body + b"x")
    with pytest.raises(BatchFormatError, match="out of range"):
        decode_batch(body[:-1])


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_the_signed_portion_of_any_bytes_is_a_prefix_and_never_raises(body):
    for candidate in (body, MAGIC + body, MAGIC_V1 + body):
        portion = signed_portion(candidate)
        assert candidate.startswith(portion)


@given(items())
def test_the_manifest_binds_every_part_of_a_signed_batch(batch):
    # Version 2 signs only the head, so every part must be named by its hash in that head:
    # the platform checks each envelope against its digest and each blob against its ref.
    body = encode_batch(batch)
    head = signed_portion(body)
    assert body.startswith(MAGIC) and len(head) <= len(body)
    for part in decode_batch(body):
        assert part.digest.encode() in head and hashlib.sha256(part.envelope).hexdigest() == part.digest
        for ref, content in part.blobs.items():
            assert ref.encode() in head and hashlib.sha256(content).hexdigest() == ref


def test_a_version_1_batch_is_still_read_and_signed_whole():
    envelope = b"sealed"
    body = MAGIC_V1 + encode_batch([("s-1", "r-1", hashlib.sha256(envelope).hexdigest(), envelope,
                                     {})])[len(MAGIC):]
    assert [p.id for p in decode_batch(body)] == ["s-1"]
    assert signed_portion(body) == body
