"""A fake of the journey port (:class:`kiosk.core.port.StepContext`) for the steps' unit tests.

No threads and no devices' owner threads: device work runs inline when submitted, posted actions
wait in a queue until the test calls :meth:`FakeContext.run`, and timers fire when the test moves
the clock with :meth:`FakeContext.advance`. Each test drives one step and looks at what it
reported (events, hand-offs, screen refreshes).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from drivers.idcard.simulated.samples import sample_identity
from kiosk.applicant import prefill_values
from kiosk.catalog import Catalog
from kiosk.config import KioskConfig
from kiosk.core.journey import Journey, WipeReason
from kiosk.events import Event, EventHub
from kiosk.forms import FormSession


class FakeDevice:
    """A device answering with ``driver``: work runs inline when submitted, or (``deferred``)
    waits until the test calls :meth:`pump`, as on an owner thread that is busy."""

    def __init__(self, driver: Any, *, deferred: bool = False) -> None:
        self.driver = driver
        self.calls = 0
        self._deferred = deferred
        self._pending: list[tuple[Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        future: Future[Any] = Future()
        self._pending.append((future, lambda: fn(self.driver, *args, **kwargs)))
        if not self._deferred:
            self.pump()
        return future

    def pump(self, limit: int = 1) -> int:
        """Run up to ``limit`` queued calls; how many ran."""
        ran = 0
        while self._pending and ran < limit:
            future, call = self._pending.pop(0)
            try:
                future.set_result(call())
            except Exception as exc:
                future.set_exception(exc)
            ran += 1
        return ran


class FakeDevices(dict[str, FakeDevice]):
    """Role → fake device, with the manager's ``refresh``."""

    refreshed = 0

    def refresh(self, device: FakeDevice) -> None:
        self.refreshed += 1

    def statuses(self) -> dict[str, Any]:
        return {}


class FakeContext:
    """Implements the step port; everything runs when the test says so."""

    def __init__(self, data_dir: Path, config: KioskConfig | None = None) -> None:
        self.config = config or KioskConfig()
        self.events = EventHub()
        self.seen: list[Event] = []
        self.events.subscribe(self.seen.append)
        self.data_dir = data_dir
        self.language = "zh-CN"
        self.clock = 1000.0
        self.journey = Journey(lambda: self.clock, lambda d, i: FormSession(d, prefill_values(i)),
                               idle_timeout_s=120, idle_warning_s=30, done_timeout_s=20)
        self.devices = FakeDevices()
        self.stopping = False
        self.published = 0
        self.handoffs: list[tuple[str, Any]] = []
        self.clear_reader: Callable[[Callable[[], None]], None] = lambda then: then()
        self._queue: list[Callable[[], object]] = []
        self._timers: list[tuple[float, Callable[[], object]]] = []

    # ---- the port ---------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock

    def post(self, action: Callable[[], object], *, publish: bool = False) -> Future[None]:
        def run() -> None:
            action()
            if publish:
                self.publish()
        self._queue.append(run)
        done: Future[None] = Future()
        done.set_result(None)
        return done

    def post_later(self, delay_s: float, action: Callable[[], object]) -> Future[None]:
        self._timers.append((self.clock + delay_s, action))
        done: Future[None] = Future()
        done.set_result(None)
        return done

    def publish(self) -> None:
        self.published += 1

    def document_read(self) -> None:
        self.handoffs.append(("document_read", None))

    def when_reader_clear(self, then: Callable[[], None]) -> None:
        self.handoffs.append(("when_reader_clear", None))
        self.clear_reader(then)

    def submission_stored(self, accepted: Any) -> None:
        self.handoffs.append(("submission_stored", accepted))

    def receipt_settled(self) -> None:
        self.handoffs.append(("receipt_settled", None))

    def session_wiped(self, reason: WipeReason | None) -> None:
        self.handoffs.append(("session_wiped", reason))

    # ---- for the test -----------------------------------------------------------------------
    def run(self, limit: int = 100) -> int:
        """Run the posted actions, including those posted meanwhile (at most ``limit``)."""
        ran = 0
        while self._queue and ran < limit:
            self._queue.pop(0)()
            ran += 1
        return ran

    def advance(self, seconds: float) -> None:
        """Move the clock; due timers post their action, then everything posted runs."""
        self.clock += seconds
        due = [t for t in self._timers if t[0] <= self.clock]
        self._timers = [t for t in self._timers if t[0] > self.clock]
        for _, action in due:
            self.post(action)
        self.run()

    @property
    def timers(self) -> int:
        return len(self._timers)

    def event_names(self) -> list[str]:
        return [event.name for event in self.seen]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load_bundled()


@pytest.fixture
def ctx(tmp_path: Path) -> FakeContext:
    return FakeContext(tmp_path)


def walk_to(ctx: FakeContext, catalog: Catalog, state: str) -> None:
    """Drive the journey (not the steps) to ``state``: identify, face, form or review."""
    journey = ctx.journey
    journey.service_chosen(catalog.service("residence_permit"), catalog.form_for("residence_permit"))
    journey.notice_accepted()
    if state == "identify":
        return
    journey.document_read(sample_identity("resident_id"))
    if state == "face":
        return
    journey.photo_taken(b"\xff\xd8jpeg")
    journey.photo_accepted()
    if state == "form":
        return
    form = journey.session.form
    for field, value in {"residence_address": "杭州市西湖区文三路 90 号 2 幢 301 室", "residence_since": "2024-03-01",
                         "basis": "employment", "employer": "杭州某某科技有限公司", "phone": "13800138000",
                         "collection_method": "pickup", "declaration": True}.items():
        form.set_value(field, value)
    assert journey.form_completed()
