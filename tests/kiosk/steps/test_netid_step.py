"""The 网证 step against a fake port: the scanner loop, verification off the journey thread,
refusals with their reasons, the service's required level, stale answers, receipts on the start
screen and the demo buttons."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.common import DeviceIOError
from drivers.scanner import ScannedCode
from egov_protocol.identity_proof import PROOF_FIELD
from kiosk import events as ev
from kiosk.config import KioskConfig
from kiosk.core.journey import Errand, JourneyState, WipeReason
from kiosk.core.netid import RETRY_AFTER_SCAN_ERROR_S, NetIdStep
from sync.netid import NetIdRefused, RefusalReason, VerifiedIdentity

from .conftest import FakeContext, FakeDevice

CODE = "NETID1.eyJpZCI6IjEifQ.c2lnbmF0dXJl"
DEMO_PERSON = VerifiedIdentity("张三", "11010519491231002X", "netid", 1)


class Scanner:
    """Answers reads from a script (texts, exceptions); an empty script reads nothing."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.presented: list[str] = []
        self.forgotten = 0

    def read_code(self, timeout_s: float) -> ScannedCode | None:
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        return None if answer is None else ScannedCode(answer, "qr", 0.0)

    def forget_repeats(self) -> None:
        self.forgotten += 1

    def present_code(self, text: str, symbology: str = "qr") -> None:
        self.presented.append(text)


class Verifier:
    """The 网证 service: answers from a script; remembers what it was asked."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.issued: list[tuple[str, int]] = []

    def verify(self, code: str) -> VerifiedIdentity:
        self.asked.append(code)
        answer = self.answers.pop(0) if self.answers else NetIdRefused(RefusalReason.UNKNOWN)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def issue_demo_code(self, kind: str = "valid", level: int = 1) -> str:
        self.issued.append((kind, level))
        return f"{CODE}{len(self.issued)}"


class Worker:
    """The ``netid`` thread, run by hand: submitted calls wait until :meth:`pump`."""

    def __init__(self) -> None:
        self.pending: list[tuple[Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.pending.append((future, lambda: fn(*args)))
        return future

    def pump(self) -> None:
        while self.pending:
            future, call = self.pending.pop(0)
            try:
                future.set_result(call())
            except Exception as exc:
                future.set_exception(exc)


def started(ctx: FakeContext, catalog: Any, scanner: Scanner, verifier: Verifier | None,
            service: str = "residence_permit", state: str = "identify") -> tuple[NetIdStep, FakeDevice, Worker]:
    device = FakeDevice(scanner, deferred=True)
    ctx.devices["code_scanner"] = device
    if state == "identify":
        journey = ctx.journey
        journey.service_chosen(catalog.service(service), catalog.form_for(service))
        journey.notice_accepted()
    step = NetIdStep(ctx)
    worker = Worker()
    step.attach(verifier, worker)
    return step, device, worker


def scan(ctx: FakeContext, device: FakeDevice) -> None:
    """One read on the scanner's thread, and its result handled on the journey thread."""
    assert device.pump() == 1
    ctx.run(limit=1)


def test_a_netid_code_identifies_off_the_journey_thread(ctx: FakeContext, catalog: Any) -> None:
    verifier = Verifier(DEMO_PERSON)
    step, device, worker = started(ctx, catalog, Scanner(CODE), verifier, service="flexible_employment_insurance")
    scan(ctx, device)
    assert step.view("zh-CN")["status"] == "verifying" and verifier.asked == []  # not on this thread
    worker.pump()
    ctx.run(limit=1)
    journey = ctx.journey
    assert journey.state is JourneyState.FACE and verifier.asked == [CODE]
    assert journey.session.identity.name == "张三"
    assert journey.session.identity.document_number == "11010519491231002X"
    assert journey.session.identity.birth_date.isoformat() == "1949-12-31"
    assert journey.session.extras[PROOF_FIELD] == "netid"
    assert ("document_read", None) in ctx.handoffs and ev.NETID_VERIFIED in ctx.event_names()
    assert step.view("zh-CN")["status"] == "idle"


def test_the_loop_reads_again_after_every_read(ctx: FakeContext, catalog: Any) -> None:
    _, device, _ = started(ctx, catalog, Scanner(), Verifier())
    for _ in range(3):
        scan(ctx, device)
    assert device.calls == 4  # three reads done, the fourth waiting


@pytest.mark.parametrize("reason", ["expired", "already_used", "bad_signature", "unreachable"])
def test_refusals_say_why_and_stay_on_identify(ctx: FakeContext, catalog: Any, reason: str) -> None:
    step, device, worker = started(ctx, catalog, Scanner(CODE), Verifier(NetIdRefused(RefusalReason(reason))))
    scan(ctx, device)
    worker.pump()
    ctx.run(limit=1)
    assert ctx.journey.state is JourneyState.IDENTIFY
    view = step.view("en")
    assert view["status"] == "refused" and view["reason"] == reason and view["message"]
    assert ev.NETID_REFUSED in ctx.event_names()
    step.clear()  # identified by a document meanwhile: not said again on coming back
    assert step.view("en")["status"] == "idle" and step.view("en")["message"] == ""


def test_messages_differ_by_reason() -> None:
    from kiosk.netid_view import netid_message

    texts = {reason: netid_message(reason, "en") for reason in ("expired", "already_used", "bad_signature",
                                                                 "unreachable", "level_too_low", "not_netid")}
    assert len(set(texts.values())) == len(texts)
    assert "expired" in texts["expired"] and "already been used" in texts["already_used"]
    assert netid_message("malformed", "en") == texts["bad_signature"]


def test_a_service_needing_a_face_check_refuses_netid_alone(ctx: FakeContext, catalog: Any) -> None:
    assert catalog.service("residence_permit").identity_level == 2
    step, device, worker = started(ctx, catalog, Scanner(CODE), Verifier(DEMO_PERSON))
    scan(ctx, device)
    worker.pump()
    ctx.run(limit=1)
    assert ctx.journey.state is JourneyState.IDENTIFY and ctx.journey.session.identity is None
    assert step.view("en")["reason"] == "level_too_low"


def test_netid_with_face_meets_level_two(ctx: FakeContext, catalog: Any) -> None:
    person = VerifiedIdentity("张三", "11010519491231002X", "netid+face", 2)
    _, device, worker = started(ctx, catalog, Scanner(CODE), Verifier(person))
    scan(ctx, device)
    worker.pump()
    ctx.run(limit=1)
    assert ctx.journey.state is JourneyState.FACE
    assert ctx.journey.session.extras[PROOF_FIELD] == "netid+face"


def test_an_answer_with_an_invalid_id_number_is_refused(ctx: FakeContext, catalog: Any) -> None:
    person = VerifiedIdentity("张三", "110105194912310021", "netid", 1)
    step, device, worker = started(ctx, catalog, Scanner(CODE), Verifier(person),
                                   service="flexible_employment_insurance")
    scan(ctx, device)
    worker.pump()
    ctx.run(limit=1)
    assert ctx.journey.state is JourneyState.IDENTIFY and step.view("en")["reason"] == "invalid_answer"


def test_a_code_that_is_no_netid_code_is_not_sent(ctx: FakeContext, catalog: Any) -> None:
    verifier = Verifier()
    step, device, worker = started(ctx, catalog, Scanner("https://example.org/x"), verifier)
    scan(ctx, device)
    assert worker.pending == [] and step.view("en")["reason"] == "not_netid"


def test_an_answer_after_a_wipe_is_dropped(ctx: FakeContext, catalog: Any) -> None:
    step, device, worker = started(ctx, catalog, Scanner(CODE), Verifier(DEMO_PERSON),
                                   service="flexible_employment_insurance")
    scan(ctx, device)
    ctx.journey.wipe(WipeReason.CANCELLED)
    step.clear()
    worker.pump()
    ctx.run(limit=1)
    assert ctx.journey.state is JourneyState.ATTRACT and ctx.journey.session.identity is None


def test_codes_are_dropped_on_other_screens(ctx: FakeContext, catalog: Any) -> None:
    verifier = Verifier(DEMO_PERSON)
    _, device, worker = started(ctx, catalog, Scanner(CODE), verifier, state="attract")
    scan(ctx, device)
    assert worker.pending == [] and ctx.journey.state is JourneyState.ATTRACT


def test_a_receipt_link_on_the_start_screen_is_published(ctx: FakeContext, catalog: Any) -> None:
    link = KioskConfig().progress_address().format(receipt_number="110105-T01-20260101-0001", token="abcDEF_-1")
    _, device, _ = started(ctx, catalog, Scanner(link, "https://elsewhere.example/progress/1?t=x"), Verifier(),
                           state="attract")
    scan(ctx, device)
    scan(ctx, device)
    scanned = [e.data for e in ctx.seen if e.name == ev.RECEIPT_CODE_SCANNED]
    assert scanned == [{"receipt_number": "110105-T01-20260101-0001", "token": "abcDEF_-1"}]


def test_a_receipt_link_on_the_progress_errands_identify_screen_is_published_not_refused(
        ctx: FakeContext, catalog: Any) -> None:
    link = KioskConfig().progress_address().format(receipt_number="110105-T01-20260101-0001", token="abc")
    step, device, worker = started(ctx, catalog, Scanner(link, link, CODE), Verifier(DEMO_PERSON), state="attract")
    scan(ctx, device)  # the start screen
    ctx.journey.errand_chosen(Errand.PROGRESS)
    scan(ctx, device)  # identify, progress errand
    assert step.view("en")["status"] == "idle"  # a receipt is no refused 网证 code
    scanned = [e.data["receipt_number"] for e in ctx.seen if e.name == ev.RECEIPT_CODE_SCANNED]
    assert scanned == ["110105-T01-20260101-0001"] * 2
    scan(ctx, device)  # a 网证 code there is still verified
    assert step.view("en")["status"] == "verifying" and len(worker.pending) == 1


def test_a_failed_read_is_retried_later(ctx: FakeContext, catalog: Any) -> None:
    _, device, _ = started(ctx, catalog, Scanner(DeviceIOError("unplugged")), Verifier())
    scan(ctx, device)
    assert device.calls == 1 and ctx.timers == 1
    ctx.advance(RETRY_AFTER_SCAN_ERROR_S)
    assert device.calls == 2


def test_without_a_service_configured_netid_is_not_offered(ctx: FakeContext, catalog: Any) -> None:
    step, device, _ = started(ctx, catalog, Scanner(CODE), None)
    assert not step.view("en")["offered"]
    scan(ctx, device)
    assert ctx.journey.state is JourneyState.IDENTIFY and step.view("en")["status"] == "idle"


def test_demo_buttons_hold_a_fresh_code_up_to_the_scanner(tmp_path: Any, catalog: Any) -> None:
    ctx = FakeContext(tmp_path, KioskConfig().with_overrides(ui={"demo_controls": True}))
    scanner = Scanner()
    verifier = Verifier(DEMO_PERSON)
    step, device, worker = started(ctx, catalog, scanner, verifier)
    assert [b["key"] for b in step.view("en")["demo"]] == ["netid", "netid_face", "expired", "used", "forged"]
    step.show_demo_code("used")
    worker.pump()
    ctx.run()
    device.pump(limit=5)
    assert verifier.issued == [("valid", 1)] and verifier.asked == [f"{CODE}1"]  # used up first
    assert scanner.forgotten == 1 and scanner.presented == [f"{CODE}1"]


def test_no_demo_buttons_outside_demo_mode(ctx: FakeContext, catalog: Any) -> None:
    step, _, _ = started(ctx, catalog, Scanner(), Verifier())
    assert step.view("en")["demo"] == []
    with pytest.raises(Exception, match="demo"):
        step.show_demo_code("netid")


@given(st.text(max_size=40), st.text(max_size=30))
def test_any_identity_the_service_answers_is_taken_or_refused(name: str, number: str) -> None:
    from kiosk.core.netid import netid_identity

    try:
        identity = netid_identity(VerifiedIdentity(name, number, "netid", 1))
    except ValueError:
        return
    assert len(identity.document_number) == 18 and identity.name == name


def test_a_scanner_bug_does_not_end_the_loop(ctx: FakeContext, catalog: Any) -> None:
    _, device, _ = started(ctx, catalog, Scanner(RuntimeError("a bug in a backend")), Verifier())
    scan(ctx, device)
    ctx.advance(RETRY_AFTER_SCAN_ERROR_S)
    assert device.calls == 2
