"""The runtime's hand-offs, in one place: what follows "stored", "document read", "wiped"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.applicant import prefill_values
from kiosk.config import KioskConfig
from kiosk.core.journey import Journey, JourneyState, WipeReason
from kiosk.core.runtime import JourneyRuntime
from kiosk.events import EventHub
from kiosk.forms import FormSession
from kiosk.restart_window import RestartPlanner
from kiosk.submission import Accepted

from .conftest import FakeDevice, FakeDevices, walk_to


class Sync:
    paused_reason = None

    def __init__(self) -> None:
        self.nudged = 0

    def sync_now(self) -> None:
        self.nudged += 1


class Printer:
    def __init__(self) -> None:
        self.receipts: list[Any] = []

    def print_receipt(self, receipt: Any) -> Any:
        self.receipts.append(receipt)
        return SimpleNamespace(job_id="r")


class Reader:
    reports_presence = False

    def __init__(self) -> None:
        self.keys: list[Any] = []

    def set_access_key(self, key: Any) -> None:
        self.keys.append(key)

    def needs_access_key(self) -> bool:
        return False


class Face:
    def reset(self) -> None:
        pass


@pytest.fixture
def runtime(tmp_path: Path, catalog: Any) -> Any:
    config = KioskConfig()
    clock = [1000.0]
    runtime = JourneyRuntime(config, EventHub(), tmp_path, lambda: clock[0], Face(),  # type: ignore[arg-type]
                             RestartPlanner.from_config(""))
    devices = FakeDevices(id_reader=FakeDevice(Reader()), receipt_printer=FakeDevice(Printer()),
                          document_printer=FakeDevice(Printer()), camera=FakeDevice(None, deferred=True),
                          code_scanner=FakeDevice(None, deferred=True))
    sync = Sync()
    runtime.attach_services(devices, writer=None, sync=sync)  # type: ignore[arg-type]
    runtime.begin(catalog, Journey(lambda: clock[0], lambda d, i: FormSession(d, prefill_values(i)), 120, 30, 20))
    yield runtime
    runtime.stopped.set()
    runtime.thread.stop()


def test_stored_nudges_sync_and_starts_printing(runtime: Any, catalog: Any) -> None:
    walk_to(runtime, catalog, "review")
    journey = runtime.journey
    assert journey.review_confirmed(True)
    journey.submission_queued("R-1")
    runtime.submission_stored(Accepted("s", "R-1", dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
    runtime.post(lambda: None).result(timeout=10)  # the printer's answer comes back through post
    assert runtime.sync.nudged == 1
    assert [r.receipt_number for r in runtime.devices["receipt_printer"].driver.receipts] == ["R-1"]
    assert journey.state is JourneyState.DONE


def test_a_wipe_makes_every_step_forget_the_citizen(runtime: Any, catalog: Any) -> None:
    walk_to(runtime, catalog, "identify")
    runtime.identify.access_key_view = {"needed": True, "error": ""}
    runtime.staff_called = True
    runtime.language = "en"
    runtime.session_wiped(runtime.journey.wipe(WipeReason.CANCELLED))
    assert runtime.identify.access_key_view["needed"] is False
    assert runtime.devices["id_reader"].driver.keys == [None]  # the reader forgot the access key
    assert not runtime.staff_called and runtime.language == runtime.config.ui.language
    assert runtime.journey.state is JourneyState.ATTRACT


def test_a_document_read_clears_what_the_identify_screen_said_about_netid(
        runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cleared: list[bool] = []
    monkeypatch.setattr(runtime.netid, "clear", lambda: cleared.append(True))
    runtime.document_read()
    assert cleared == [True]


def test_a_scanned_receipt_opens_the_progress_of_its_case(runtime: Any, catalog: Any) -> None:
    """``receipt_code_scanned`` (published by the scanner's loop) reaches the runtime, which
    opens the progress screen and asks for that case on the lookup runner."""
    from concurrent.futures import Future

    from kiosk import events as ev
    from kiosk.core.progress import ProgressStep

    from .test_receipt_progress_step import TOKEN, ReceiptLookup, case

    lookup = ReceiptLookup(case(1))

    class Inline:
        def submit(self, fn: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_result(fn())
            return future

    runtime.progress = ProgressStep(runtime, lambda: catalog, lookup=lambda _ctx: lookup, runner=Inline())
    runtime.events.publish(ev.RECEIPT_CODE_SCANNED, receipt_number=case(1).receipt_number, token=TOKEN)
    for _ in range(3):  # the scan's hand-off, then the lookup's answer, each through post
        runtime.post(lambda: None).result(timeout=10)
    assert runtime.journey.state is JourneyState.PROGRESS
    assert lookup.asked == [(case(1).receipt_number, TOKEN)]
    assert runtime.snapshot()["progress"]["phase"] == "ready"


class CompleteForm:
    def is_complete(self) -> bool:
        return True


def test_form_completed_starts_the_scanning_step_and_leaving_it_stops_it(runtime: Any, catalog: Any) -> None:
    runtime.devices["document_camera"] = doccam = FakeDevice(None, deferred=True)
    journey = runtime.journey
    journey.service_chosen(catalog.service("individual_business"), catalog.form_for("individual_business"))
    journey.notice_accepted()
    journey.document_read(None)
    journey.photo_taken(b"\xff\xd8jpeg")
    journey.session.form = CompleteForm()
    journey.state = JourneyState.FORM
    runtime.form_completed()
    assert journey.state is JourneyState.MATERIALS and journey.session.materials is not None
    assert doccam.calls == 1  # the preview loop's first frame is queued on the document camera
    runtime.publish()
    assert runtime.snapshot()["materials"]["items"][0]["required"] is True
    runtime.session_wiped(journey.went_back())  # back to the form
    runtime.state_entered()
    assert journey.state is JourneyState.FORM and runtime.materials.latest_frame() is None
    runtime.session_wiped(journey.wipe(WipeReason.CANCELLED))
    runtime.publish()
    assert runtime.snapshot()["materials"] is None
