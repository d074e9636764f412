"""The progress errand opened by a receipt's QR code (no identity presented), against a fake port:
the one case asked by receipt number and token off the journey thread, a receipt that opens no
case yet, throttling and the network's absence said in words, the slip without a name, 补正
asking for the ID document first, and back to the identify screen forgetting the receipt."""

from __future__ import annotations

import pytest

from egov_protocol.cases import CaseStatus
from egov_protocol.errors import CentralUnavailable
from kiosk.catalog import Catalog
from kiosk.core.journey import RECEIPT_FIELD, Errand, JourneyState, TransitionRefused, WipeReason
from kiosk.core.progress import ProgressStep
from sync.person_cases import TooManyLookups

from .conftest import FakeContext, FakeDevice
from .test_progress_step import IDENTITY, Runner, answered, case
from .test_storing_and_printing_steps import Printer

TOKEN = "tok-EN_123"


class ReceiptLookup:
    """Answers a receipt's lookup with ``outcome`` (a case, None, or an exception to raise)."""

    def __init__(self, outcome: CaseStatus | Exception | None) -> None:
        self.outcome = outcome
        self.asked: list[tuple[str, str]] = []
        self.persons: list[str] = []

    def cases_of(self, document_number: str) -> list[CaseStatus]:
        self.persons.append(document_number)
        return [case(1), case(2)]

    def case_by_receipt(self, receipt_number: str, token: str) -> CaseStatus | None:
        self.asked.append((receipt_number, token))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def close(self) -> None:
        pass


def scanned(ctx: FakeContext, catalog: Catalog, outcome: CaseStatus | Exception | None,
            receipt_number: str | None = None) -> tuple[ProgressStep, ReceiptLookup, Runner]:
    """The progress screen after a receipt's code was scanned on the start screen."""
    lookup, runner = ReceiptLookup(outcome), Runner()
    step = ProgressStep(ctx, lambda: catalog, lookup=lambda _ctx: lookup, runner=runner)
    ctx.journey.receipt_scanned(receipt_number or case(1).receipt_number, TOKEN)
    assert ctx.journey.state is JourneyState.PROGRESS and ctx.journey.session.identity is None
    step.start()
    return step, lookup, runner


def test_the_receipts_case_shows_without_an_identity(ctx: FakeContext, catalog: Catalog) -> None:
    step, lookup, runner = scanned(ctx, catalog, case(1, "accepted"))
    view = step.view()
    assert view is not None and view["phase"] == "loading" and view["by_receipt"]
    assert lookup.asked == []  # nothing on the journey thread itself
    answered(ctx, runner)
    assert lookup.asked == [(case(1).receipt_number, TOKEN)] and lookup.persons == []
    view = step.view()
    assert view is not None and view["phase"] == "ready" and view["message"] == ""
    (row,) = view["cases"]
    assert row["receipt_number"] == case(1).receipt_number and row["status_text"] == "已受理"
    assert TOKEN not in str(view)  # the token opens the case: never on the screen
    assert ctx.journey.step == 3 and ctx.journey.step_count == 3


def test_corrections_from_a_receipt_ask_for_the_id_document_first(ctx: FakeContext, catalog: Catalog) -> None:
    step, lookup, runner = scanned(ctx, catalog, case(1, "corrections_requested", note="请补拍户口簿"))
    answered(ctx, runner)
    view = step.view()
    assert view is not None
    (row,) = view["cases"]
    assert row["correction_requested"] and not row["can_correct"] and row["needs_identity"]
    step.submit_corrections(case(1).receipt_number)
    with pytest.raises(TransitionRefused):
        ctx.run()
    assert ctx.journey.state is JourneyState.PROGRESS
    # "Present ID document": back to identify, the receipt forgotten; the document read leads to
    # the person's cases, where the correction can start.
    ctx.journey.went_back()
    session = ctx.journey.session
    assert ctx.journey.state is JourneyState.IDENTIFY and session.errand is Errand.PROGRESS
    assert RECEIPT_FIELD not in session.extras and "progress" not in session.extras
    ctx.journey.document_read(IDENTITY)
    step.start()
    answered(ctx, runner)
    assert lookup.persons == [IDENTITY.document_number]
    view = step.view()
    assert view is not None and not view["by_receipt"] and len(view["cases"]) == 2


@pytest.mark.parametrize(("outcome", "phase", "words"), [
    (None, "not_found", "暂未查到此回执"),
    (TooManyLookups("429"), "throttled", "次数过多"),
    (CentralUnavailable("no route"), "offline", "联网"),
])
def test_a_receipt_that_opens_nothing_is_said_in_words(ctx: FakeContext, catalog: Catalog,
                                                        outcome: Exception | None, phase: str, words: str) -> None:
    step, lookup, runner = scanned(ctx, catalog, outcome)
    answered(ctx, runner)
    view = step.view()
    assert view is not None and view["phase"] == phase and words in view["message"]
    assert view["cases"] == []
    ctx.language = "en"
    english = step.view()
    assert english is not None and ("ID document" in english["message"] or "network" in english["message"])
    with pytest.raises(TransitionRefused):
        step.print_slip()
        ctx.run()
    # Try again: asked again with the same receipt, and found once it has synced.
    lookup.outcome = case(1)
    step.retry()
    ctx.run()
    answered(ctx, runner)
    view = step.view()
    assert view is not None and view["phase"] == "ready" and len(lookup.asked) == 2


def test_a_429_to_a_persons_lookup_reads_as_offline(ctx: FakeContext, catalog: Catalog) -> None:
    from .test_progress_step import at_progress

    step, _, runner = at_progress(ctx, catalog, TooManyLookups("429 from a proxy"))
    answered(ctx, runner)
    view = step.view()
    assert view is not None and view["phase"] == "offline" and not view["by_receipt"]


def test_the_slip_of_a_receipts_case_names_nobody(ctx: FakeContext, catalog: Catalog) -> None:
    printer = Printer()
    ctx.devices["receipt_printer"] = FakeDevice(printer)
    step, _, runner = scanned(ctx, catalog, case(1, "completed"))
    answered(ctx, runner)
    step.print_slip()
    ctx.run()
    view = step.view()
    assert view is not None and view["printing"] == "printed"
    (slip,) = printer.receipts
    text = slip.as_text()
    assert slip.receipt_number == case(1).receipt_number and "已办结" in text
    assert "申请人" not in text and TOKEN not in text


def test_a_receipt_is_taken_on_the_progress_errands_identify_screen_only(ctx: FakeContext,
                                                                        catalog: Catalog) -> None:
    journey = ctx.journey
    journey.errand_chosen(Errand.PROGRESS)
    journey.receipt_scanned(case(1).receipt_number, TOKEN)
    assert journey.state is JourneyState.PROGRESS
    assert journey.session.extras[RECEIPT_FIELD] == {"receipt_number": case(1).receipt_number, "token": TOKEN}
    journey.wipe(WipeReason.CANCELLED)
    assert journey.session.extras == {}
    service = "flexible_employment_insurance"
    journey.service_chosen(catalog.service(service), catalog.form_for(service))
    journey.notice_accepted()
    with pytest.raises(TransitionRefused):  # an application's identify screen wants a document
        journey.receipt_scanned(case(1).receipt_number, TOKEN)


def test_an_answer_after_the_citizen_left_is_dropped(ctx: FakeContext, catalog: Catalog) -> None:
    step, _, runner = scanned(ctx, catalog, case(1))
    ctx.journey.wipe(WipeReason.IDLE_TIMEOUT)
    step.forget()
    answered(ctx, runner)
    assert ctx.journey.state is JourneyState.ATTRACT and ctx.journey.session.extras == {}
