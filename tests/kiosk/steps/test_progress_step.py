"""The progress errand's step against a fake port: the lookup off the journey thread, its
answers (cases, none, offline, refused, nonsense), the slip on the receipt printer, late answers
after a wipe, and a 补正 started from a case."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from typing import Any

import pytest

from drivers.common import DeviceUserError, ErrorAction
from drivers.idcard.simulated.samples import sample_identity
from egov_protocol.cases import CaseStatus
from egov_protocol.errors import CentralProtocolError, CentralRejected, CentralUnavailable
from kiosk.catalog import Catalog
from kiosk.core.journey import Errand, JourneyState, TransitionRefused, WipeReason
from kiosk.core.progress import ProgressStep

from .conftest import FakeContext, FakeDevice
from .test_storing_and_printing_steps import Printer

IDENTITY = sample_identity("resident_id")
AT = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def case(n: int, status: str = "received", service: str = "flexible_employment_insurance",
         note: str = "") -> CaseStatus:
    return CaseStatus(receipt_number=f"GZ01-T01-20260301-{n:06d}", service_id=service, status=status,
                      received_at=AT, updated_at=AT + dt.timedelta(days=1), next_step="platform text",
                      note=note, correction_requested=status == "corrections_requested")


class Lookup:
    """Answers with ``outcome`` (cases, or an exception to raise); remembers what it was asked."""

    def __init__(self, outcome: list[CaseStatus] | Exception) -> None:
        self.outcome = outcome
        self.asked: list[str] = []
        self.closed = False

    def cases_of(self, document_number: str) -> list[CaseStatus]:
        self.asked.append(document_number)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def close(self) -> None:
        self.closed = True


class Runner:
    """The lookup thread, stood in for: runs a lookup when the test says (``pump``)."""

    def __init__(self) -> None:
        self.pending: list[tuple[Future[Any], Any]] = []

    def submit(self, fn: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.pending.append((future, fn))
        return future

    def pump(self) -> None:
        while self.pending:
            future, fn = self.pending.pop(0)
            try:
                future.set_result(fn())
            except Exception as exc:
                future.set_exception(exc)


def at_progress(ctx: FakeContext, catalog: Catalog, outcome: list[CaseStatus] | Exception | None
                ) -> tuple[ProgressStep, Lookup | None, Runner]:
    """The progress screen after the document was read, the lookup asked and (not yet) answered."""
    lookup = None if outcome is None else Lookup(outcome)
    runner = Runner()
    step = ProgressStep(ctx, lambda: catalog, lookup=lambda _ctx: lookup, runner=runner)
    ctx.journey.errand_chosen(Errand.PROGRESS)
    ctx.journey.document_read(IDENTITY)
    assert ctx.journey.state is JourneyState.PROGRESS
    step.start()
    return step, lookup, runner


def answered(ctx: FakeContext, runner: Runner) -> None:
    runner.pump()
    ctx.run()


def test_the_cases_show_with_statuses_and_next_steps_in_the_session_language(
        ctx: FakeContext, catalog: Catalog) -> None:
    step, lookup, runner = at_progress(ctx, catalog, [case(2, "corrections_requested", note="请补拍户口簿"),
                                                       case(1, "completed")])
    view = step.view()
    assert view is not None and view["phase"] == "loading" and "查询" in view["message"]
    assert lookup is not None and lookup.asked == []  # nothing on the journey thread itself
    answered(ctx, runner)
    assert lookup.asked == [IDENTITY.document_number]
    view = step.view()
    assert view is not None and view["phase"] == "ready" and view["message"] == ""
    first, second = view["cases"]
    assert first["status_text"] == "待补正" and first["note"] == "请补拍户口簿" and first["can_correct"]
    assert first["service"] == catalog.service("flexible_employment_insurance").title.text("zh-CN")
    assert first["received"] == "2026-03-01" and "补正" in first["next_step"]
    assert second["status_text"] == "已办结" and not second["can_correct"]
    ctx.language = "en"
    english = step.view()
    assert english is not None and english["cases"][0]["status_text"] == "Corrections requested"
    assert english["cases"][1]["next_step"].startswith("Completed")
    assert ctx.published >= 1


def test_no_cases_is_said_in_words(ctx: FakeContext, catalog: Catalog) -> None:
    step, _, runner = at_progress(ctx, catalog, [])
    answered(ctx, runner)
    view = step.view()
    assert view is not None and view["phase"] == "ready" and view["cases"] == []
    assert "没有查到" in view["message"]
    with pytest.raises(TransitionRefused):  # nothing to print
        step.print_slip()
        ctx.run()


@pytest.mark.parametrize(("failure", "phase", "words"), [
    (CentralUnavailable("no route"), "offline", "联网"),
    (CentralProtocolError("not JSON"), "unreadable", "无法识别"),
    (CentralRejected(403, "revoked"), "unavailable", "工作人员"),
    (None, "unavailable", "工作人员"),  # not enrolled: no client at all
    (RuntimeError("a bug"), "unreadable", "无法识别"),
])
def test_without_the_platform_the_screen_says_why_and_offers_only_a_retry(
        ctx: FakeContext, catalog: Catalog, failure: Exception | None, phase: str, words: str) -> None:
    step, _, runner = at_progress(ctx, catalog, failure)
    answered(ctx, runner)
    view = step.view()
    assert view is not None and view["phase"] == phase and words in view["message"]
    assert view["cases"] == []
    with pytest.raises(TransitionRefused):
        step.print_slip()
        ctx.run()


def test_a_refused_lookup_builds_its_client_afresh_next_time(ctx: FakeContext, catalog: Catalog) -> None:
    built: list[Lookup] = []

    def build(_ctx: object) -> Lookup:
        built.append(Lookup(CentralRejected(401, "unknown key") if not built else [case(1)]))
        return built[-1]

    runner = Runner()
    step = ProgressStep(ctx, lambda: catalog, lookup=build, runner=runner)
    ctx.journey.errand_chosen(Errand.PROGRESS)
    ctx.journey.document_read(IDENTITY)
    step.start()
    answered(ctx, runner)
    step.retry()
    ctx.run()
    answered(ctx, runner)
    view = step.view()
    assert view is not None and view["phase"] == "ready" and len(built) == 2 and built[0].closed


def test_a_retry_after_the_network_returns_shows_the_cases(ctx: FakeContext, catalog: Catalog) -> None:
    step, lookup, runner = at_progress(ctx, catalog, CentralUnavailable("down"))
    answered(ctx, runner)
    assert lookup is not None
    lookup.outcome = [case(1)]
    step.retry()
    ctx.run()
    view = step.view()
    assert view is not None and view["phase"] == "loading"
    answered(ctx, runner)
    view = step.view()
    assert view is not None and [c["receipt_number"] for c in view["cases"]] == [case(1).receipt_number]


def test_an_answer_after_the_citizen_left_is_dropped(ctx: FakeContext, catalog: Catalog) -> None:
    step, _, runner = at_progress(ctx, catalog, [case(1)])
    ctx.journey.wipe(WipeReason.IDLE_TIMEOUT)
    step.forget()
    answered(ctx, runner)
    assert ctx.journey.state is JourneyState.ATTRACT and ctx.journey.session.extras == {}
    assert step.view() is None


def test_going_back_forgets_the_cases_and_a_late_answer(ctx: FakeContext, catalog: Catalog) -> None:
    step, _, runner = at_progress(ctx, catalog, [case(1)])
    ctx.journey.went_back()
    answered(ctx, runner)
    assert ctx.journey.state is JourneyState.IDENTIFY and "progress" not in ctx.journey.session.extras
    assert step.view() is None


def test_the_slip_prints_each_case_without_the_id_number(ctx: FakeContext, catalog: Catalog) -> None:
    printer = Printer()
    ctx.devices["receipt_printer"] = FakeDevice(printer)
    step, _, runner = at_progress(ctx, catalog, [case(2, "corrections_requested", note="请补拍户口簿"), case(1)])
    answered(ctx, runner)
    step.print_slip()
    ctx.run()
    view = step.view()
    assert view is not None and view["printing"] == "printed" and "请取走" in view["print_message"]
    assert [slip.receipt_number for slip in printer.receipts] == [case(2).receipt_number, case(1).receipt_number]
    text = printer.receipts[0].as_text()
    assert "待补正" in text and "请补拍户口簿" in text and "2026-03-01" in text
    assert catalog.service("flexible_employment_insurance").title.text("zh-CN") in text
    for slip in printer.receipts:
        assert IDENTITY.document_number not in slip.as_text() and IDENTITY.name not in slip.as_text()
    assert ctx.devices.refreshed == 1


def test_a_printer_failure_is_a_message_not_a_crash(ctx: FakeContext, catalog: Catalog) -> None:
    ctx.devices["receipt_printer"] = FakeDevice(Printer(DeviceUserError("paper out", ErrorAction.CLEAR)))
    step, _, runner = at_progress(ctx, catalog, [case(1)])
    answered(ctx, runner)
    step.print_slip()
    ctx.run()
    view = step.view()
    assert view is not None and view["printing"] == "failed" and "打印机" in view["print_message"]
    assert view["phase"] == "ready" and len(view["cases"]) == 1  # the list stays on screen


def test_submit_corrections_starts_the_application_linked_to_the_case(ctx: FakeContext, catalog: Catalog) -> None:
    step, _, runner = at_progress(ctx, catalog, [case(2, "corrections_requested", note="请补拍户口簿"),
                                                 case(1, "corrections_requested", service="not_offered_here"),
                                                 case(3)])
    answered(ctx, runner)
    view = step.view()
    assert view is not None and [c["can_correct"] for c in view["cases"]] == [True, False, False]
    for refused in (case(1).receipt_number, case(3).receipt_number, "GZ01-T01-20990101-000009"):
        step.submit_corrections(refused)
        with pytest.raises(TransitionRefused):
            ctx.run()
    step.submit_corrections(case(2).receipt_number)
    ctx.run()
    session = ctx.journey.session
    assert ctx.journey.state is JourneyState.FACE and session.errand is Errand.APPLY
    assert session.service.id == "flexible_employment_insurance" and session.identity is IDENTITY
    assert session.extras == {"corrects_receipt": case(2).receipt_number}
    assert ctx.handoffs[-1] == ("document_read", None)  # the face step starts
    assert step.view() is None


def test_a_corrected_application_names_the_case_it_corrects(ctx: FakeContext, catalog: Catalog) -> None:
    from kiosk.core.storing import StoreStep

    from .conftest import walk_to
    from .test_storing_and_printing_steps import ACCEPTED, Writer

    walk_to(ctx, catalog, "review")
    ctx.journey.session.extras["corrects_receipt"] = case(2).receipt_number
    assert ctx.journey.review_confirmed(True)
    writer = Writer(ACCEPTED)
    StoreStep(ctx, lambda: writer, lambda: lambda number, at, token: None).start()
    assert writer.drafts[0].corrects_receipt == case(2).receipt_number
