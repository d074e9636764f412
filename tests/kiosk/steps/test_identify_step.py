"""The identify step against a fake port: reads, retries on a timer, access keys, stale results."""

from __future__ import annotations

from typing import Any

from drivers.common import DeviceTimeout, NoDocumentPresent
from drivers.idcard import DocumentRemoved
from drivers.idcard.simulated.samples import sample_identity
from kiosk import events as ev
from kiosk.core.identify import RETRY_AFTER_READ_ERROR_S, IdentifyStep
from kiosk.core.journey import JourneyState

from .conftest import FakeContext, FakeDevice, walk_to


class Reader:
    """Answers reads from a script; an empty script means no document yet."""

    def __init__(self, *answers: Any, needs_key: bool = False) -> None:
        self.answers = list(answers)
        self.reads = 0
        self.keys: list[Any] = []
        self.needs_key = needs_key

    def read_document(self, wait_s: float) -> Any:
        self.reads += 1
        answer = self.answers.pop(0) if self.answers else NoDocumentPresent("no document")
        if isinstance(answer, Exception):
            raise answer
        return answer

    def needs_access_key(self) -> bool:
        return self.needs_key

    def set_access_key(self, key: Any) -> None:
        self.keys.append(key)


def started(ctx: FakeContext, catalog: Any, reader: Reader) -> IdentifyStep:
    ctx.devices["id_reader"] = FakeDevice(reader)
    walk_to(ctx, catalog, "identify")
    step = IdentifyStep(ctx)
    step.start()
    return step


def test_a_document_read_moves_to_face_and_hands_off(ctx: FakeContext, catalog: Any) -> None:
    started(ctx, catalog, Reader(sample_identity("resident_id")))
    assert ("when_reader_clear", None) in ctx.handoffs
    ctx.run()
    assert ctx.journey.state is JourneyState.FACE
    assert ("document_read", None) in ctx.handoffs
    assert ev.CARD_READ in ctx.event_names() and ctx.published == 1
    assert ctx.journey.session.extras["identity_proof"] == "document+face"


def test_no_document_yet_asks_again(ctx: FakeContext, catalog: Any) -> None:
    reader = Reader()
    started(ctx, catalog, reader)
    ctx.run(limit=5)
    assert reader.reads >= 3 and ctx.journey.state is JourneyState.IDENTIFY


def test_a_failed_read_tells_the_citizen_and_retries_on_a_timer(ctx: FakeContext, catalog: Any) -> None:
    reader = Reader(DeviceTimeout("slow"), sample_identity("resident_id"))
    started(ctx, catalog, reader)
    ctx.run()
    assert reader.reads == 1 and ctx.timers == 1  # one timer on the journey thread, no thread
    failed = [e for e in ctx.seen if e.name == ev.READ_FAILED]
    assert failed and failed[0].data["reason"] == "DeviceTimeout"
    assert ctx.journey.session.message == "document_unreadable"
    ctx.advance(RETRY_AFTER_READ_ERROR_S)
    assert reader.reads == 2 and ctx.journey.state is JourneyState.FACE


def test_a_removed_document_is_reported_as_such(ctx: FakeContext, catalog: Any) -> None:
    started(ctx, catalog, Reader(DocumentRemoved("lifted")))
    ctx.run()
    names = ctx.event_names()
    assert ev.CARD_REMOVED in names
    assert [e.data["reason"] for e in ctx.seen if e.name == ev.READ_FAILED] == ["document_removed"]


def test_a_passport_asks_for_its_access_key_then_reads_with_it(ctx: FakeContext, catalog: Any) -> None:
    reader = Reader(DeviceTimeout("locked"), needs_key=True)
    step = started(ctx, catalog, reader)
    ctx.run()
    assert step.access_key_view == {"needed": True, "error": ""}
    assert ctx.journey.state is JourneyState.IDENTIFY  # no failure shown: a key is asked instead
    reader.answers.append(sample_identity("passport"))
    step.access_key_entered("", "", "", can="123456")
    ctx.run()
    assert reader.keys and reader.keys[-1].can == "123456"
    assert ctx.journey.state is JourneyState.FACE and step.access_key_view["needed"] is False


def test_an_invalid_access_key_is_shown_not_sent(ctx: FakeContext, catalog: Any) -> None:
    reader = Reader(needs_key=True)
    step = started(ctx, catalog, reader)
    step.access_key_entered("AB12", "9913", "300101", can="")  # a date cut short
    assert step.access_key_view == {"needed": True, "error": "invalid"} and reader.keys == []


def test_a_read_that_lands_after_the_session_was_wiped_is_dropped(ctx: FakeContext, catalog: Any) -> None:
    step = started(ctx, catalog, Reader(sample_identity("resident_id")))
    step.forget_session()  # the wipe came first; the read's answer is still queued
    ctx.run()
    assert ctx.journey.state is JourneyState.IDENTIFY and ev.CARD_READ not in ctx.event_names()
    step.forget_access_key()
    assert ctx.devices["id_reader"].driver.keys == [None]
