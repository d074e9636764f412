"""The certificate step on the fake port: listed only after a face that matched the document,
'needs the network' offline, preview and print on the document printer, and nothing of the
citizen (the PDF, the printer's copy) left after the wipe, even for answers that come late."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import pytest

from drivers.common import DeviceUserError
from drivers.idcard.simulated.samples import sample_identity
from egov_protocol.errors import CentralProtocolError, CentralRejected, CentralUnavailable
from kiosk.core.certificates import VERIFICATION_WAIT_S, CertificateStep
from kiosk.core.journey import Errand, TransitionRefused, WipeReason
from sync.certificates import Certificate

from .conftest import FakeContext, FakeDevice

PDF = b"%PDF-1.7\n" + b"certificate " * 50 + b"\n%%EOF\n"
MATCHED = {"decision": "staff_review", "reasons": ["liveness:not_performed"], "match": {"matched": True}}
MISMATCH = {"decision": "staff_review", "reasons": ["face_mismatch"], "match": {"matched": False}}


def certificate(document_id: str = "DOC000000001", status: str = "valid") -> Certificate:
    return Certificate(document_id, "insurance_certificate", "灵活就业人员参保证明", "flexible_employment_insurance",
                       "S01-T01-20261201-0007", datetime(2026, 12, 3, 15, tzinfo=UTC), status,
                       "示范市政务服务中心", "Certificate of social insurance enrollment")


class FakePlatform:
    """Answers like the platform, or raises what it is told to."""

    def __init__(self, found: list[Certificate] | None = None) -> None:
        self.found = [certificate()] if found is None else found
        self.failure: Exception | None = None
        self.asked: list[str] = []

    def search(self, document_number: str) -> list[Certificate]:
        self.asked.append("search")
        if self.failure is not None:
            raise self.failure
        return self.found

    def pdf(self, document_id: str, document_number: str) -> bytes:
        self.asked.append("pdf")
        if self.failure is not None:
            raise self.failure
        return PDF


class FakeDocumentPrinter:
    def __init__(self) -> None:
        self.printed: list[bytes] = []
        self.discarded: list[str] = []
        self.failure: Exception | None = None

    def print_document(self, pdf: bytes, title: str) -> Any:
        if self.failure is not None:
            raise self.failure
        self.printed.append(pdf)
        return type("Result", (), {"job_id": f"job-{len(self.printed)}"})()

    def discard(self, job_id: str) -> None:
        self.discarded.append(job_id)


class Worker:
    """The step's worker thread as a queue the test runs."""

    def __init__(self, deferred: bool = False) -> None:
        self.deferred = deferred
        self.pending: list[tuple[Future[Any], Callable[[], Any]]] = []

    def __call__(self, work: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self.pending.append((future, work))
        if not self.deferred:
            self.run()
        return future

    def run(self) -> None:
        while self.pending:
            future, work = self.pending.pop(0)
            try:
                future.set_result(work())
            except Exception as exc:
                future.set_exception(exc)


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
def printer(ctx: FakeContext) -> FakeDocumentPrinter:
    driver = FakeDocumentPrinter()
    ctx.devices["document_printer"] = FakeDevice(driver)
    return driver


def at_certificates(ctx: FakeContext, platform: FakePlatform, verification: dict[str, Any] | None,
                    worker: Worker | None = None) -> CertificateStep:
    step = CertificateStep(ctx, connect=lambda: platform, run_off_thread=worker or Worker())
    journey = ctx.journey
    journey.errand_chosen(Errand.CERTIFICATE)
    journey.document_read(sample_identity("resident_id"))
    journey.photo_taken(b"\xff\xd8jpeg")
    if verification is not None:
        journey.session.extras["face_verification"] = verification
    journey.photo_accepted()
    step.entered()
    ctx.run()
    return step


def phase(step: CertificateStep) -> str:
    view = step.view()
    assert view is not None
    return str(view["phase"])


def test_a_matched_face_lists_the_current_certificates(ctx, platform):
    platform.found = [certificate("DOC000000001"), certificate("DOC000000002", "superseded")]
    step = at_certificates(ctx, platform, MATCHED)
    view = step.view()
    assert view is not None and view["phase"] == "list" and view["text"] == "请选择要打印的证明。"
    assert [item["id"] for item in view["items"]] == ["DOC000000001"]
    item = view["items"][0]
    assert item["title"] == "灵活就业人员参保证明" and item["issuer"] == "示范市政务服务中心"
    assert item["issued"] == "2026年12月03日" or item["issued"] == "2026年12月04日"  # local time
    assert ctx.published > 0


def test_english_shows_the_english_title(ctx, platform):
    ctx.language = "en"
    step = at_certificates(ctx, platform, MATCHED)
    view = step.view()
    assert view is not None and view["items"][0]["title"].startswith("Certificate")


def test_a_face_that_did_not_match_lists_nothing_and_sends_to_staff(ctx, platform):
    step = at_certificates(ctx, platform, MISMATCH)
    assert phase(step) == "not_verified" and platform.asked == []
    step.select("DOC000000001")
    with pytest.raises(TransitionRefused):  # the runtime ignores a refused command
        ctx.run()
    assert phase(step) == "not_verified" and platform.asked == []


def test_the_list_waits_for_the_face_comparison(ctx, platform):
    step = at_certificates(ctx, platform, None)
    assert phase(step) == "checking" and platform.asked == []
    ctx.journey.session.extras["face_verification"] = MATCHED
    ctx.advance(0.5)
    assert phase(step) == "list"


def test_a_comparison_that_never_ends_sends_to_staff(ctx, platform):
    step = at_certificates(ctx, platform, None)
    for _ in range(int(VERIFICATION_WAIT_S / 0.25) + 2):
        ctx.advance(0.25)
    assert phase(step) == "not_verified" and platform.asked == []


def test_none_issued_says_so(ctx):
    step = at_certificates(ctx, FakePlatform([]), MATCHED)
    assert phase(step) == "none"


@pytest.mark.parametrize("failure,expected", [
    (CentralUnavailable("connection refused"), "offline"),
    (CentralProtocolError("not JSON"), "failed"),
    (CentralRejected(403, "terminal disabled"), "failed"),
])
def test_failures_say_what_they_mean_and_retry_works(ctx, platform, failure, expected):
    platform.failure = failure
    step = at_certificates(ctx, platform, MATCHED)
    assert phase(step) == expected
    platform.failure = None
    step.retry()
    ctx.run()
    assert phase(step) == "list"


def test_preview_print_and_the_wipe_leave_nothing(ctx, platform, printer):
    step = at_certificates(ctx, platform, MATCHED)
    step.select("DOC000000001")
    ctx.run()
    view = step.view()
    assert view is not None and view["phase"] == "preview" and view["preview_revision"] > 0
    assert view["selected"]["id"] == "DOC000000001"
    assert step.preview_pdf() == PDF
    held = ctx.journey.session.extras["certificates"].pdf
    step.print_selected()
    ctx.run()
    assert phase(step) == "printed" and printer.printed == [PDF]

    reason = ctx.journey.finished()
    assert reason is WipeReason.CANCELLED
    step.forget()
    assert step.preview_pdf() is None and step.view() is None
    assert bytes(held) == bytes(len(PDF))  # the bytes held were overwritten
    assert printer.discarded == ["job-1"]


def test_a_failed_print_can_be_tried_again(ctx, platform, printer):
    step = at_certificates(ctx, platform, MATCHED)
    step.select("DOC000000001")
    ctx.run()
    printer.failure = DeviceUserError("paper out")
    step.print_selected()
    ctx.run()
    assert phase(step) == "print_failed" and printer.printed == []
    alert = [e for e in ctx.seen if e.name == "staff_called"]
    assert alert and alert[0].data["reason"] == "document_printer" and alert[0].data["screen"] == "certificates"
    printer.failure = None
    step.print_selected()
    ctx.run()
    assert phase(step) == "printed" and printer.printed == [PDF]


def test_back_to_the_list_drops_the_pdf(ctx, platform):
    step = at_certificates(ctx, platform, MATCHED)
    step.select("DOC000000001")
    ctx.run()
    step.back_to_list()
    ctx.run()
    assert phase(step) == "list" and step.preview_pdf() is None


def test_a_pdf_arriving_after_the_wipe_is_dropped(ctx, platform):
    worker = Worker()
    step = at_certificates(ctx, platform, MATCHED, worker)
    worker.deferred = True
    step.select("DOC000000001")
    ctx.run()
    assert phase(step) == "fetching"
    step.forget()
    ctx.journey.wipe(WipeReason.IDLE_TIMEOUT)
    worker.run()
    ctx.run()
    assert step.preview_pdf() is None and step.view() is None


def test_choosing_what_is_not_listed_is_refused(ctx, platform):
    step = at_certificates(ctx, platform, MATCHED)
    step.select("NOTLISTED0001")
    with pytest.raises(TransitionRefused):
        ctx.run()
    assert phase(step) == "list" and platform.asked == ["search"]


def test_an_application_never_enters_the_step(ctx, catalog, platform):
    from .conftest import walk_to

    step = CertificateStep(ctx, connect=lambda: platform, run_off_thread=Worker())
    walk_to(ctx, catalog, "form")
    step.entered()
    assert step.view() is None and platform.asked == []


def test_nothing_of_the_citizen_reaches_the_log(ctx, platform, printer, caplog):
    caplog.set_level(logging.DEBUG)
    step = at_certificates(ctx, platform, MATCHED)
    step.select("DOC000000001")
    ctx.run()
    step.print_selected()
    ctx.run()
    platform.failure = CentralUnavailable("connection refused")
    step.back_to_list()
    ctx.run()
    number = sample_identity("resident_id").document_number
    assert phase(step) == "list" and caplog.records
    assert number not in caplog.text and "certificate " not in caplog.text  # no PDF bytes either
