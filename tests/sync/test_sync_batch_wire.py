"""The binary batch framing (``sync.batch_wire``): round trips, and arbitrary or mangled bytes
only ever raise ``BatchFormatError``."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.batch_wire import MAGIC, BatchFormatError, decode_batch, encode_batch

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
        try:
            decode_batch(candidate)
        except BatchFormatError:
            pass


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
    try:
        decode_batch(bytes(body))
    except BatchFormatError:
        pass


def test_lengths_must_cover_the_body_exactly():
    body = encode_batch([("a-1", "r-1", "0" * 64, b"env", {})])
    with pytest.raises(BatchFormatError, match="longer"):
        decode_batch(body + b"x")
    with pytest.raises(BatchFormatError, match="out of range"):
        decode_batch(body[:-1])
