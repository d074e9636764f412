"""The business systems' wire: webhook signatures and the status-update body parser, with
property tests over arbitrary outside bytes."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_protocol.webhooks import (
    MAX_NOTE,
    WINDOW_S,
    BadStatusUpdate,
    StatusUpdate,
    WebhookRejected,
    parse_status_update,
    signature,
    signed_headers,
    verify,
)

SECRET = b"s" * 32
NOW = 1_800_000_000
ids = st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True)
statuses = st.from_regex(r"[a-z][a-z_]{0,31}", fullmatch=True)
notes = st.text(max_size=MAX_NOTE)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(UTC))


@given(st.binary(max_size=2048))
def test_any_bytes_parse_or_are_refused_clearly(body):
    try:
        update = parse_status_update(body)
    except BadStatusUpdate:
        return
    assert isinstance(update, StatusUpdate)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=50),
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.sampled_from(
                        ["update_id", "receipt_number", "status", "note", "occurred_at", "x"]),
                        children, max_size=6), max_leaves=20))
def test_any_json_parses_or_is_refused_clearly(document):
    body = json.dumps(document).encode()
    with contextlib.suppress(BadStatusUpdate):
        parse_status_update(body)


@given(ids, ids, statuses, notes, moments)
def test_a_well_formed_update_round_trips(update_id, receipt, status, note, moment):
    body = json.dumps({"update_id": update_id, "receipt_number": receipt, "status": status,
                       "note": note, "occurred_at": moment.isoformat()}).encode()
    update = parse_status_update(body)
    assert (update.update_id, update.receipt_number, update.status) == (update_id, receipt,
                                                                         status)
    assert update.occurred_at == moment
    assert all(ch == "\n" or ch.isprintable() for ch in update.note)


@pytest.mark.parametrize("change", [
    {"update_id": "has space"}, {"update_id": ""}, {"receipt_number": 7},
    {"status": "Completed"}, {"status": "x" * 40}, {"note": "x" * (MAX_NOTE + 1)},
    {"note": 3}, {"occurred_at": "2026-12-05T10:00:00"}, {"occurred_at": "yesterday"},
    {"update_id": "abc\n"},
])
def test_malformed_updates_are_refused(change):
    good = {"update_id": "u1", "receipt_number": "S01-T01-20261205-0007",
            "status": "completed", "note": "", "occurred_at": "2026-12-05T10:00:00+08:00"}
    parse_status_update(json.dumps(good).encode())
    with pytest.raises(BadStatusUpdate):
        parse_status_update(json.dumps({**good, **change}).encode())


@given(st.binary(max_size=512), st.integers(min_value=0, max_value=10**11))
def test_signatures_verify_and_any_change_breaks_them(body, timestamp):
    headers = signed_headers(SECRET, timestamp, body)
    verify(SECRET, headers["X-Egov-Timestamp"], headers["X-Egov-Signature"], body, timestamp)
    with pytest.raises(WebhookRejected):
        verify(SECRET, headers["X-Egov-Timestamp"], headers["X-Egov-Signature"], body + b"x",
               timestamp)
    with pytest.raises(WebhookRejected):
        verify(b"t" * 32, headers["X-Egov-Timestamp"], headers["X-Egov-Signature"], body,
               timestamp)


@settings(max_examples=200)
@given(st.text(max_size=20), st.text(max_size=80))
def test_any_header_values_are_refused_clearly(timestamp, sig):
    with pytest.raises(WebhookRejected):
        verify(SECRET, timestamp, sig, b"{}", NOW)


def test_the_timestamp_window():
    sig = signature(SECRET, NOW, b"{}")
    verify(SECRET, str(NOW), sig, b"{}", NOW + WINDOW_S)
    with pytest.raises(WebhookRejected):
        verify(SECRET, str(NOW), sig, b"{}", NOW + WINDOW_S + 1)
    with pytest.raises(WebhookRejected):
        verify(SECRET, str(NOW), sig, b"{}", NOW - WINDOW_S - 1)
    with pytest.raises(WebhookRejected):
        verify(SECRET, None, sig, b"{}", NOW)
