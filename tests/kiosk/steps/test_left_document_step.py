"""The left-document guard against a fake port: present again, take back, staff alert."""

from __future__ import annotations

from typing import Any

from kiosk import events as ev
from kiosk.core.left_document import POLL_INTERVAL_S, PRESENT_AGAIN, TAKE_BACK, LeftDocumentGuard

from .conftest import FakeContext, FakeDevice, walk_to


class Reader:
    def __init__(self, *presence: bool | None, reports: bool = True) -> None:
        self.presence = list(presence)
        self.reports_presence = reports

    def document_presence(self) -> bool | None:
        return self.presence.pop(0) if self.presence else False


def guard_on(ctx: FakeContext, reader: Reader) -> LeftDocumentGuard:
    ctx.devices["id_reader"] = FakeDevice(reader)
    return LeftDocumentGuard(ctx)


def test_a_document_from_before_must_be_presented_again(ctx: FakeContext, catalog: Any) -> None:
    walk_to(ctx, catalog, "identify")
    guard = guard_on(ctx, Reader(True, True, False, False))
    reads: list[str] = []
    guard.before_read(lambda: reads.append("read"))
    ctx.run()
    assert guard.state == PRESENT_AGAIN and reads == [] and ctx.published == 1
    for _ in range(3):
        ctx.advance(POLL_INTERVAL_S)
    assert reads == ["read"] and guard.state == "" and ev.CARD_REMOVED in ctx.event_names()


def test_a_reader_that_cannot_tell_reads_at_once(ctx: FakeContext, catalog: Any) -> None:
    walk_to(ctx, catalog, "identify")
    guard = guard_on(ctx, Reader(reports=False))
    reads: list[str] = []
    guard.before_read(lambda: reads.append("read"))
    assert reads == ["read"] and ctx.timers == 0


def test_unknown_presence_changes_nothing_and_asks_again(ctx: FakeContext, catalog: Any) -> None:
    walk_to(ctx, catalog, "identify")
    guard = guard_on(ctx, Reader(None, None))
    guard.before_read(lambda: None)
    ctx.run()
    assert guard.checking and guard.state == "" and ctx.timers == 1


def test_a_document_left_after_the_session_is_reminded_and_staff_alerted(ctx: FakeContext, catalog: Any) -> None:
    guard = guard_on(ctx, Reader(*[True] * 1000))
    guard.remind()
    ctx.run()
    assert guard.state == TAKE_BACK
    alert_after = ctx.config.journey.card_left_alert_s
    steps = int(alert_after / POLL_INTERVAL_S) + 2
    for _ in range(steps):
        ctx.advance(POLL_INTERVAL_S)
    alerts = [e for e in ctx.seen if e.name == ev.STAFF_CALLED]
    assert len(alerts) == 1 and alerts[0].data["reason"] == "card_left"
