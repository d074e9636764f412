"""The statuses of the cases this terminal took flow back to it (``sync/worker_case_updates.py``,
``sync/client_case_updates.py``, ``offline_cache/case_statuses.py``): the sync worker against the
real platform in a subprocess on loopback, cases moved by a case worker over the operator API;
offline, an older platform (404), and a server answering nonsense (hypothesis)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_protocol.cases import StatusUpdate
from egov_protocol.errors import CentralProtocolError, CentralRejected, CentralUnavailable
from egov_protocol.keys import TerminalKeys
from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE
from offline_cache import CaseStatuses, Outbox, Store, SyncState
from sync.client import Backoff, CentralClient, SyncWorker
from sync.local_central import free_port
from sync.worker_case_updates import ABSENT_UNTIL
from tests.conftest import operator_client

from .test_person_cases import IDENTITY, sealed_application

TERMINAL_ID = "GZ01-T01"
NOTE = "请于3个工作日后到3号窗口领取，联系人张三"
PLATFORM = {CENTRAL_HEADER: CENTRAL_HEADER_VALUE}


@pytest.fixture(scope="module")
def enrolled(central, session_terminal_keys) -> TerminalKeys:
    with CentralClient(central.url, TERMINAL_ID) as client:
        client.enroll(central.issue_token(TERMINAL_ID), session_terminal_keys.public_key, site="GZ01")
    return session_terminal_keys


def one_pass(path, client, events=None) -> None:
    """Run the worker until it has nothing more to do (a bound on waiting, not a timing test)."""
    worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                        on_event=events, backoff=Backoff(base_s=0.05, cap_s=0.2),
                        exit_when_idle=True, purge_after_s=None)
    worker.start()
    end = time.monotonic() + 60
    while worker.is_running:
        assert time.monotonic() < end, "the worker did not finish its pass"
        time.sleep(0.05)


def statuses(path) -> tuple[dict[str, str], int]:
    with Store(path) as store:
        table = CaseStatuses(store)
        return {s.receipt_number: s.status for s in table.recent(100)}, table.cursor()


def act(worker, receipt: str, **body) -> None:
    csrf = {"X-CSRF-Token": worker.get("/v1/session").json()["csrf"]}
    answer = worker.post(f"/v1/cases/{receipt}/actions", headers=csrf, json=body)
    assert answer.status_code == 200, answer.text


def test_a_case_accepted_then_completed_shows_completed_on_the_terminal(central, enrolled, tmp_path, events):
    path = tmp_path / "kiosk.db"
    x25519 = central.platform_x25519()
    with Store(path) as store:
        for n in (1, 2):
            Outbox(store).add(sealed_application(n, x25519, enrolled, IDENTITY.document_number))
    first, second = (f"{TERMINAL_ID}-20260301-{n:06d}" for n in (1, 2))
    with CentralClient(central.url, TERMINAL_ID, signing_key=enrolled.signing_key) as client:
        one_pass(path, client, events)  # delivers both; the platform files them as received
        received, cursor_then = statuses(path)
        assert received == {first: "received", second: "received"} and cursor_then > 0

        worker = operator_client(central, "case-worker")
        try:
            act(worker, first, action="accept")
            act(worker, first, action="complete", result="pickup", note=NOTE)
        finally:
            worker.close()
        one_pass(path, client, events)

    now, cursor_now = statuses(path)
    assert now == {first: "completed", second: "received"}
    assert cursor_now > cursor_then
    assert events.wait_for("case_statuses_updated", 2)[-1] == {"count": 2}
    with Store(path) as store:
        done = CaseStatuses(store).latest(first)
        assert done is not None and done.next_step and not done.correction_requested
        # The case worker's note may name the citizen: it is nowhere in the terminal database.
        assert not any(NOTE in str(value) for table in ("case_statuses", "sync_state")
                       for row in store.db.conn.execute(f"SELECT * FROM {table}") for value in row)


def test_offline_the_pass_ends_and_the_cursor_stays(tmp_path, events):
    path = tmp_path / "kiosk.db"
    with Store(path) as store:
        CaseStatuses(store).record([], 7)
    with CentralClient(f"http://127.0.0.1:{free_port()}", TERMINAL_ID,
                       signing_key=Ed25519PrivateKey.generate()) as client:
        one_pass(path, client, events)
    assert statuses(path) == ({}, 7)
    assert events.wait_for("sync_failed")[-1]["reason"] == "unavailable"


def answering(handler) -> CentralClient:
    return CentralClient("http://platform.test", TERMINAL_ID, httpx.MockTransport(handler),
                         signing_key=Ed25519PrivateKey.generate())


def only_updates(answer):
    """A platform where everything else is empty and case updates answer ``answer(request)``."""
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/case-updates":
            return httpx.Response(200, json={"acked": []}, headers=PLATFORM)
        asked.append(request)
        return answer(request)

    return handler, asked


def test_an_older_platform_without_the_route_is_not_asked_again_for_a_while(tmp_path):
    path = tmp_path / "kiosk.db"
    handler, asked = only_updates(lambda r: httpx.Response(404, json={"detail": "Not Found"},
                                                           headers=PLATFORM))
    with answering(handler) as client:
        one_pass(path, client)
        one_pass(path, client)
    assert len(asked) == 1
    with Store(path) as store:
        until = SyncState(store).get(ABSENT_UNTIL)
        assert until is not None and datetime.fromisoformat(until) > datetime.now(UTC) + timedelta(hours=1)
        # Once the time is up the platform is asked again, and an answer clears the mark.
        SyncState(store).put(ABSENT_UNTIL, (datetime.now(UTC) - timedelta(seconds=1)).isoformat())
    handler, asked = only_updates(lambda r: httpx.Response(200, json={"updates": [], "next": 0},
                                                           headers=PLATFORM))
    with answering(handler) as client:
        one_pass(path, client)
    assert len(asked) == 1
    with Store(path) as store:
        assert SyncState(store).get(ABSENT_UNTIL) is None


def update(cursor: int, receipt: str, status: str) -> dict:
    return StatusUpdate(cursor, receipt, status, datetime(2026, 3, 2, 9, tzinfo=UTC), "next",
                        "a note naming 张三", status == "corrections_requested").to_json()


def test_pages_are_read_from_the_stored_cursor_and_a_newer_status_is_never_overwritten(tmp_path):
    path = tmp_path / "kiosk.db"
    pages = {0: {"updates": [update(3, "R-1", "accepted"), update(4, "R-1", "completed")], "next": 4},
             4: {"updates": [update(5, "R-2", "corrections_requested")], "next": 5},
             5: {"updates": [], "next": 5}}
    handler, asked = only_updates(lambda r: httpx.Response(
        200, json=pages[int(r.url.params["since"])], headers=PLATFORM))
    with answering(handler) as client:
        one_pass(path, client)
    assert [int(r.url.params["since"]) for r in asked] == [0, 4, 5]
    with Store(path) as store:
        table = CaseStatuses(store)
        assert table.cursor() == 5 and table.latest("R-1").status == "completed"
        older = dataclasses.replace(table.latest("R-1"), status="accepted")
        table.record([(3, older)], 2)  # an older change read again, with an older cursor
        assert table.latest("R-1").status == "completed" and table.cursor() == 5
        assert table.latest("R-2").correction_requested


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)
update_like = st.fixed_dictionaries({
    "cursor": st.sampled_from([1, 0, -1, True, "2", 2**63]),
    "receipt_number": st.sampled_from(["GZ01-T01-20260301-000001", "", "a b", 7]),
    "status": st.sampled_from(["accepted", "completed", "lost", None]),
    "at": st.sampled_from(["2026-03-01T08:00:00+08:00", "2026-03-01T08:00:00", "yesterday"]),
    "next_step": st.text(max_size=20), "note": st.text(max_size=20),
    "correction_requested": st.sampled_from([True, False, "yes"]),
})
nonsense_updates = st.one_of(
    json_values,
    st.fixed_dictionaries({"updates": st.lists(update_like | json_values, max_size=3),
                           "next": st.sampled_from([0, 1, 5, -1, None, "5"])}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=nonsense_updates, since=st.sampled_from([0, 3]))
def test_whatever_json_the_platform_answers_is_updates_or_a_protocol_error(answer, since):
    with answering(lambda r: httpx.Response(200, json=answer, headers=PLATFORM)) as client:
        try:
            updates, cursor = client.fetch_case_updates(since)
        except CentralProtocolError:
            return
    assert cursor >= since and all(u.cursor <= cursor and u.at.tzinfo is not None for u in updates)


@settings(max_examples=100, deadline=None)
@given(status=st.integers(100, 599), body=st.binary(max_size=64), header=st.booleans())
def test_any_status_and_bytes_become_one_of_the_documented_errors(status, body, header):
    headers = PLATFORM if header else {}
    with answering(lambda r: httpx.Response(status, content=body, headers=headers)) as client, \
            contextlib.suppress(CentralUnavailable, CentralRejected):  # the documented errors
        client.fetch_case_updates(0)


def test_a_nonsense_answer_is_logged_without_its_content_and_the_cursor_stays(tmp_path, events, caplog):
    path = tmp_path / "kiosk.db"
    with Store(path) as store:
        CaseStatuses(store).record([], 9)
    secret = "张三-110105194912310021"
    handler, _ = only_updates(lambda r: httpx.Response(
        200, json={"updates": [{**update(10, "R-1", "accepted"), "status": secret}], "next": 10},
        headers=PLATFORM))
    with caplog.at_level(logging.DEBUG), answering(handler) as client:
        one_pass(path, client, events)
    assert statuses(path) == ({}, 9)
    assert events.wait_for("case_updates_rejected") == [{"since": 9}]
    assert secret not in caplog.text
