"""The rules of cases without a platform: the state machine, the person hash both sides compute,
the wire shapes terminals parse (property tests: outside bytes), and the progress token's own
signature in the acknowledgement."""

from __future__ import annotations

import base64
import contextlib
import itertools
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from central.cases import (
    ACCEPT,
    ACCEPTED,
    COMPLETE,
    COMPLETED,
    CORRECTIONS_REQUESTED,
    RECEIVED,
    REJECT,
    REJECTED,
    REQUEST_CORRECTIONS,
    RESUBMIT,
    RESUBMITTED,
    RESULT_CERTIFICATE,
    RESULT_PICKUP,
    STATUSES,
    TRANSITIONS,
    WORKER_ACTIONS,
    TransitionRefused,
    allowed_actions,
    clean_note,
    is_final,
    transition,
)
from central.cases_view import signature_path
from egov_protocol.acks import add_progress_token, sign_ack, verified_progress_token, verify_ack
from egov_protocol.cases import (
    CaseStatus,
    StatusUpdate,
    normalized_document_number,
    parse_case_statuses,
    parse_person_key,
    parse_status_updates,
    person_hash,
)
from egov_protocol.errors import CentralProtocolError

ALL_ACTIONS = (*WORKER_ACTIONS, RESUBMIT)


def test_the_happy_path_and_the_corrections_loop():
    assert transition(RECEIVED, ACCEPT).after == ACCEPTED
    assert transition(ACCEPTED, COMPLETE, "请到3号窗口领取", RESULT_PICKUP).after == COMPLETED
    step = transition(RECEIVED, REQUEST_CORRECTIONS, "户口簿照片不清晰，请重新拍摄")
    assert step.after == CORRECTIONS_REQUESTED and step.note.startswith("户口簿")
    assert transition(CORRECTIONS_REQUESTED, RESUBMIT).after == RESUBMITTED
    assert transition(RESUBMITTED, REQUEST_CORRECTIONS, "again").after == CORRECTIONS_REQUESTED
    assert transition(RESUBMITTED, ACCEPT).after == ACCEPTED
    assert transition(RESUBMITTED, REJECT, "不符合条件").after == REJECTED


@pytest.mark.parametrize(("status", "action"), list(itertools.product(STATUSES, ALL_ACTIONS)))
def test_every_pair_outside_the_table_is_refused(status, action):
    note, result = "a note", RESULT_PICKUP if action == COMPLETE else None
    if (action, status) in TRANSITIONS:
        assert transition(status, action, note, result).after == TRANSITIONS[(action, status)]
    else:
        with pytest.raises(TransitionRefused, match="not possible"):
            transition(status, action, note, result)


def test_final_statuses_allow_nothing_and_a_worker_cannot_resubmit():
    for status in (COMPLETED, REJECTED):
        assert is_final(status) and allowed_actions(status) == []
    assert allowed_actions(RECEIVED) == [ACCEPT, REQUEST_CORRECTIONS, REJECT]
    assert allowed_actions(ACCEPTED) == [COMPLETE]
    assert allowed_actions(CORRECTIONS_REQUESTED) == []  # waits for the citizen


@pytest.mark.parametrize("action", [REQUEST_CORRECTIONS, REJECT])
def test_notes_the_citizen_reads_are_required(action):
    with pytest.raises(TransitionRefused, match="needs a note"):
        transition(RECEIVED, action, "  \n\t ")
    assert transition(RECEIVED, ACCEPT, "").note == ""  # accepting needs none


def test_a_completion_needs_a_result_and_a_pickup_notice_its_note():
    with pytest.raises(TransitionRefused, match="needs a result"):
        transition(ACCEPTED, COMPLETE, "done")
    with pytest.raises(TransitionRefused, match="needs a note"):
        transition(ACCEPTED, COMPLETE, "", RESULT_PICKUP)
    assert "Certificate issued" in transition(ACCEPTED, COMPLETE, "", RESULT_CERTIFICATE).note
    with pytest.raises(TransitionRefused, match="only a completion"):
        transition(RECEIVED, ACCEPT, "", RESULT_PICKUP)
    with pytest.raises(TransitionRefused, match="longer than"):
        transition(RECEIVED, REJECT, "x" * 1001)


def test_notes_lose_control_characters_but_keep_lines():
    assert clean_note(" 第一行\n第二\x07行\x1b[31m ") == "第一行\n第二行[31m"
    assert clean_note(None) == ""


def test_both_sides_hash_the_same_number_however_it_was_typed():
    key = b"k" * 32
    typed = ["11010519491231002X", "11010519491231002x", " 110105 19491231 002X ",
             "１１０１０５１９４９１２３１００２Ｘ"]
    assert {normalized_document_number(t) for t in typed} == {"11010519491231002X"}
    assert len({person_hash(key, t) for t in typed}) == 1
    assert person_hash(key, typed[0]) != person_hash(b"j" * 32, typed[0])
    assert person_hash(key, typed[0]) != person_hash(key, "110105194912310021")


def test_signature_answers_become_path_data_with_numbers_only():
    assert signature_path({"w": 400, "h": 200, "strokes": [[1, 2, 3, 4], [5, 6]]}) == \
        "M1 2 L3 4 M5 6"
    assert signature_path({"strokes": [["<script>", 1, 2, float("nan"), 3]]}) == "M1 2"
    assert signature_path({"strokes": [["<b>"]]}) is None
    assert signature_path("王小明") is None


# -- the progress token in the acknowledgement -------------------------------------------------

def _ack():
    return {"id": "sub-1", "receipt_number": "GZ01-T01-20260301-000001",
            "central_receipt": "GOV-1", "digest": "0" * 64,
            "received_at": "2026-03-01T08:00:00+00:00", "terminal_id": "GZ01-T01"}


def test_the_progress_token_is_signed_apart_and_old_terminals_still_verify_the_ack():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    ack = add_progress_token(sign_ack(_ack(), key), "tok-123", key)
    verify_ack(ack, public)  # what a terminal from before does: still fine
    assert verified_progress_token(ack, public) == "tok-123"
    assert verified_progress_token(sign_ack(_ack(), key), public) is None  # a platform without
    with pytest.raises(CentralProtocolError, match="does not verify"):
        verified_progress_token({**ack, "progress_token": "tok-124"}, public)
    with pytest.raises(CentralProtocolError, match="not signed"):
        verified_progress_token({**ack, "progress_signature": None}, public)


# -- the wire shapes terminals parse ------------------------------------------------------------

def test_case_statuses_and_updates_round_trip():
    when = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    case = CaseStatus("GZ01-T01-20260301-000001", "flexible-employment", CORRECTIONS_REQUESTED,
                      when, when, "请补正", "照片不清晰", True)
    assert parse_case_statuses({"cases": [case.to_json()]}) == [case]
    update = StatusUpdate(7, case.receipt_number, ACCEPTED, when, "等待", "", False)
    assert parse_status_updates({"updates": [update.to_json()], "next": 7}) == ([update], 7)
    with pytest.raises(CentralProtocolError, match="past the next cursor"):
        parse_status_updates({"updates": [update.to_json()], "next": 6})
    key = base64.b64encode(b"k" * 32).decode()
    assert parse_person_key({"key_id": "person-1", "key_b64": key}) == ("person-1", b"k" * 32)
    with pytest.raises(CentralProtocolError):
        parse_person_key({"key_id": "person-1", "key_b64": base64.b64encode(b"k").decode()})


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=6), max_leaves=20)
CASE_KEYS = ("receipt_number", "service_id", "status", "received_at", "updated_at",
             "next_step", "note", "correction_requested", "cursor", "at")
NEAR = st.dictionaries(st.sampled_from(CASE_KEYS),
                       st.sampled_from(["GZ01-T01-1", "accepted", "2026-03-01T08:00:00+00:00",
                                        "2026-03-01T08:00:00", "", True, 3, -1, None]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, st.fixed_dictionaries({"cases": st.lists(NEAR, max_size=3)}),
                 st.fixed_dictionaries({"updates": st.lists(NEAR, max_size=3),
                                        "next": st.integers(-2, 5)}),
                 st.fixed_dictionaries({"key_id": st.text(max_size=8),
                                        "key_b64": st.text(max_size=60)})))
def test_parsers_raise_only_the_protocol_error(data):
    for parse in (parse_case_statuses, parse_status_updates, parse_person_key):
        with contextlib.suppress(CentralProtocolError):
            parse(data)
