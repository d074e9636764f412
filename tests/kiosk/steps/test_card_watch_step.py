"""The card-removal policy against a fake port: polls on timers, two "gone" answers wipe."""

from __future__ import annotations

from typing import Any

from drivers.common import DeviceTimeout
from kiosk import events as ev
from kiosk.config import KioskConfig
from kiosk.core.card_watch import POLL_INTERVAL_S, CardWatch
from kiosk.core.journey import JourneyState, WipeReason

from .conftest import FakeContext, FakeDevice, walk_to


class Reader:
    def __init__(self, *present: bool | Exception) -> None:
        self.present = list(present)

    def document_present(self) -> bool:
        answer = self.present.pop(0) if self.present else True
        if isinstance(answer, Exception):
            raise answer
        return answer


def watching(tmp_path: Any, catalog: Any, reader: Reader, policy: str = "wipe",
             state: str = "face") -> tuple[FakeContext, CardWatch]:
    ctx = FakeContext(tmp_path, KioskConfig().with_overrides(journey={"card_removal": policy}))
    ctx.devices["id_reader"] = FakeDevice(reader)
    walk_to(ctx, catalog, state)
    watch = CardWatch(ctx)
    watch.start(epoch=1)
    return ctx, watch


def test_two_gone_answers_wipe_the_session(tmp_path: Any, catalog: Any) -> None:
    ctx, watch = watching(tmp_path, catalog, Reader(True, False, False))
    for _ in range(3):
        ctx.advance(POLL_INTERVAL_S)
    assert watch.answers == 3 and not watch.active
    assert ("session_wiped", WipeReason.CARD_REMOVED) in ctx.handoffs
    assert ctx.journey.state is JourneyState.ATTRACT and ev.CARD_REMOVED in ctx.event_names()
    assert ctx.timers == 0  # the watch ended: nothing left scheduled


def test_one_missed_poll_or_a_reader_fault_is_no_removal(tmp_path: Any, catalog: Any) -> None:
    ctx, watch = watching(tmp_path, catalog, Reader(False, True, DeviceTimeout("busy"), False, True))
    for _ in range(5):
        ctx.advance(POLL_INTERVAL_S)
    assert watch.answers == 5 and watch.active and ctx.journey.state is JourneyState.FACE
    assert ctx.timers == 1  # exactly one poll pending at any time


def test_keep_policy_never_polls(tmp_path: Any, catalog: Any) -> None:
    ctx, watch = watching(tmp_path, catalog, Reader(False, False), policy="keep")
    ctx.advance(POLL_INTERVAL_S * 4)
    assert not watch.active and watch.answers == 0 and ctx.timers == 0


def test_while_storing_it_waits_and_after_the_done_screen_it_stops(tmp_path: Any, catalog: Any) -> None:
    ctx, watch = watching(tmp_path, catalog, Reader(False, False, False), state="review")
    journey = ctx.journey
    assert journey.review_confirmed(True) and journey.state is JourneyState.SUBMITTING
    ctx.advance(POLL_INTERVAL_S)
    ctx.advance(POLL_INTERVAL_S)
    assert watch.answers == 2 and watch.active and journey.state is JourneyState.SUBMITTING
    journey.submission_queued("R-1")
    journey.receipt_printed()
    ctx.advance(POLL_INTERVAL_S)
    assert journey.state is JourneyState.DONE and not watch.active and ctx.timers == 0
