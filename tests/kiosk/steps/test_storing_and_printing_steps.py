"""The storing and printing steps against a fake port: hand-offs, refusals, the print fallback."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any

from drivers.common import DeviceUserError
from kiosk import events as ev
from kiosk.core.journey import JourneyState
from kiosk.core.printing import PrintStep
from kiosk.core.storing import StoreStep
from kiosk.submission import Accepted, Draft, SubmissionRefused

from .conftest import FakeContext, FakeDevice, walk_to


class Writer:
    """Answers every submit with ``outcome`` (an Accepted or an exception)."""

    def __init__(self, outcome: Accepted | Exception) -> None:
        self.outcome = outcome
        self.drafts: list[Draft] = []

    def submit(self, draft: Draft) -> Future[Accepted]:
        self.drafts.append(draft)
        future: Future[Accepted] = Future()
        if isinstance(self.outcome, Exception):
            future.set_exception(self.outcome)
        else:
            future.set_result(self.outcome)
        return future


class Printer:
    def __init__(self, fault: Exception | None = None) -> None:
        self.fault = fault
        self.receipts: list[Any] = []
        self.documents: list[str] = []
        self.discarded: list[str] = []

    def print_receipt(self, receipt: Any) -> Any:
        if self.fault is not None:
            raise self.fault
        self.receipts.append(receipt)
        return SimpleNamespace(job_id="r1")

    def print_document(self, pdf: bytes, title: str) -> Any:
        self.documents.append(title)
        return SimpleNamespace(job_id=f"job-{len(self.documents)}")

    def discard(self, job_id: str) -> None:
        self.discarded.append(job_id)


ACCEPTED = Accepted("sub-1", "R-20250101-0001", dt.datetime(2025, 1, 1, 9, 30, tzinfo=dt.UTC))


def confirmed(ctx: FakeContext, catalog: Any) -> None:
    walk_to(ctx, catalog, "review")
    assert ctx.journey.review_confirmed(True)


def test_a_stored_submission_is_handed_off_for_sync_and_printing(ctx: FakeContext, catalog: Any) -> None:
    confirmed(ctx, catalog)
    writer = Writer(ACCEPTED)
    StoreStep(ctx, lambda: writer, lambda: lambda number, at: None).start()
    (draft,) = writer.drafts
    assert draft.service_id == "residence_permit" and draft.photos["face.jpg"] == b"\xff\xd8jpeg"
    assert draft.applicant["identity_verification"]["decision"]  # a record, pending when unknown
    ctx.run()
    assert ctx.handoffs == [("submission_stored", ACCEPTED)]
    assert ctx.journey.state is JourneyState.PRINTING and ev.SUBMISSION_QUEUED in ctx.event_names()


def test_the_submission_says_how_identity_was_proved(ctx: FakeContext, catalog: Any) -> None:
    confirmed(ctx, catalog)
    writer = Writer(ACCEPTED)
    step = StoreStep(ctx, lambda: writer, lambda: lambda number, at: None)
    step.start()  # walk_to read no document through the identify step: document + face
    ctx.journey.session.extras["identity_proof"] = "netid+face"
    step.start()
    assert [d.applicant["identity_proof"] for d in writer.drafts] == ["document+face", "netid+face"]


def test_a_refused_submission_goes_back_to_review_with_its_reason(ctx: FakeContext, catalog: Any) -> None:
    confirmed(ctx, catalog)
    StoreStep(ctx, lambda: Writer(SubmissionRefused("disk_full")), lambda: lambda n, a: None).start()
    ctx.run()
    assert ctx.journey.state is JourneyState.REVIEW and ctx.journey.session.message == "disk_full"
    assert ctx.handoffs == [] and ctx.published == 1


def test_a_failed_write_stores_nothing_and_says_so(ctx: FakeContext, catalog: Any) -> None:
    confirmed(ctx, catalog)
    StoreStep(ctx, lambda: Writer(OSError("disk gone")), lambda: lambda n, a: None).start()
    ctx.run()
    assert ctx.journey.session.message == "submission_failed" and ctx.handoffs == []


def printing(ctx: FakeContext, catalog: Any, printer: Printer) -> PrintStep:
    confirmed(ctx, catalog)
    ctx.journey.submission_queued(ACCEPTED.receipt_number)
    ctx.devices["receipt_printer"] = FakeDevice(printer)
    ctx.devices["document_printer"] = FakeDevice(printer)
    return PrintStep(ctx)


def test_a_printed_receipt_ends_on_the_done_screen(ctx: FakeContext, catalog: Any) -> None:
    printer = Printer()
    printing(ctx, catalog, printer).start(ACCEPTED)
    ctx.run()
    assert ctx.journey.state is JourneyState.DONE and ev.RECEIPT_PRINTED in ctx.event_names()
    assert printer.receipts[0].receipt_number == ACCEPTED.receipt_number
    assert ("receipt_settled", None) in ctx.handoffs and ctx.devices.refreshed == 1
    recent = json.loads((ctx.data_dir / "receipts" / "recent.json").read_text(encoding="utf-8"))
    assert ACCEPTED.receipt_number in json.dumps(recent)


def test_a_printer_fault_shows_the_fallback_and_calls_staff(ctx: FakeContext, catalog: Any) -> None:
    printing(ctx, catalog, Printer(DeviceUserError("paper out"))).start(ACCEPTED)
    ctx.run()
    session = ctx.journey.session
    assert ctx.journey.state is JourneyState.DONE and session.extras["receipt_fallback"]
    staff = [e for e in ctx.seen if e.name == ev.STAFF_CALLED]
    assert staff and staff[0].data["reason"] == "receipt_printer" and staff[0].data["action"] == "clear"
    assert ("receipt_settled", None) in ctx.handoffs


def test_the_a4_form_is_rendered_printed_and_its_job_discarded_after(ctx: FakeContext, catalog: Any) -> None:
    printer = Printer()
    step = printing(ctx, catalog, printer)
    step.document_renderer = lambda printable, meta: b"%PDF-" + meta["receipt_number"].encode()
    step.start(ACCEPTED)
    ctx.run()
    assert ctx.journey.session.service.needs_a4  # the residence permit prints its form on A4
    assert printer.documents == [f"form-{ACCEPTED.receipt_number}"]
    assert ctx.journey.session.extras["form_pdf"].startswith(b"%PDF-")
    step.discard_form_jobs()
    assert printer.discarded == ["job-1"]
