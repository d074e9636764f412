"""drivers.common.OwnerThread: one thread, queued calls in order, timers on the same thread."""

from __future__ import annotations

import logging
import threading

import pytest

from drivers.common import OwnerThread


def test_posts_and_timers_run_in_order_on_the_one_thread() -> None:
    owner = OwnerThread("owner-test")
    ran: list[tuple[str, str]] = []
    done = threading.Event()

    def record(name: str) -> None:
        ran.append((name, threading.current_thread().name))

    owner.post_later(0.05, lambda: (record("later"), done.set()))
    owner.post(lambda: record("first"))
    owner.submit(record, "second")
    assert done.wait(10)
    owner.stop()
    assert [name for name, _ in ran] == ["first", "second", "later"]
    assert {thread for _, thread in ran} == {"owner-test"}
    assert not owner.is_current_thread()


def test_a_failed_post_is_logged_without_its_message_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    failures: list[BaseException] = []
    owner = OwnerThread("owner-fail", on_failure=failures.append)
    def fail() -> None:
        raise ZeroDivisionError("division by zero")

    future = owner.post(fail)
    future.result(timeout=10)  # a post's future settles even when the call failed
    owner.post(lambda: None).result(timeout=10)
    owner.stop()
    assert [type(f) for f in failures] == [ZeroDivisionError]
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "builtins.ZeroDivisionError" in record.getMessage()
    assert "division by zero" not in record.getMessage()  # the message may hold personal data


def test_after_stop_submit_raises_and_post_returns_a_done_future() -> None:
    owner = OwnerThread("owner-stop")
    owner.post(lambda: None).result(timeout=10)
    owner.stop()
    assert owner.stopped
    with pytest.raises(RuntimeError, match="stopped"):
        owner.submit(print)
    late = owner.post(lambda: pytest.fail("ran after stop"))
    assert late.done() and late.result() is None


def test_stop_drops_timers_and_by_default_queued_calls() -> None:
    owner = OwnerThread("owner-drop")
    gate = threading.Event()
    owner.post(gate.wait)
    queued = owner.submit(lambda: "queued")
    timer = owner.post_later(60, lambda: pytest.fail("timer ran"))
    owner.stop(wait=False)  # the owner thread is still inside gate.wait
    assert queued.cancelled() and timer.cancelled()
    gate.set()
    owner.stop()  # again, joining this time


def test_stop_without_cancel_runs_what_is_queued_first() -> None:
    owner = OwnerThread("owner-drain")
    gate = threading.Event()
    owner.post(gate.wait)
    queued = owner.submit(lambda: "ran")
    gate.set()
    owner.stop(cancel_pending=False)
    assert queued.result(timeout=0) == "ran"


def test_a_cancelled_timer_never_runs() -> None:
    owner = OwnerThread("owner-cancel")
    timer = owner.submit_later(0.01, lambda: pytest.fail("cancelled timer ran"))
    assert timer.cancel()
    owner.submit_later(0.02, lambda: None).result(timeout=10)
    owner.stop()
