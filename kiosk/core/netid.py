"""The scanner's reading loop, and identifying with a 网证 (national network identity) QR code.

Threads: the step lives on the journey thread. Each read (``read_code``) runs on the code
scanner's owner thread, one after another for as long as the terminal runs; every code read comes
back through the port's ``post``. What a code means depends on the screen:

* on the identify screen, a 网证 code (:func:`kiosk.scanned_codes.netid_code`) is verified by the
  configured service (:mod:`sync.netid`) on the ``netid`` thread, never the journey's, since it
  waits on the network. The answer comes back with the epoch it was asked in: after a wipe or a
  document read meanwhile it is dropped. A verified identity goes into the journey like a
  document read (``Journey.document_read``), with how it was proved
  (``session.extras["identity_proof"]``, :mod:`egov_protocol.identity_proof`), unless the
  service needs a stronger proof (catalog ``identity_level``);
* on the start screen, and on the identify screen of the progress errand, a receipt's progress
  address of this platform (:class:`kiosk.scanned_codes.ReceiptLinks`) is published as
  ``receipt_code_scanned`` (``receipt_number``, ``token``); the runtime opens that case's progress
  (``JourneyRuntime.receipt_scanned``).

Elsewhere codes are dropped. Neither codes nor identities are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol

from drivers.common import DeviceError, OwnerThread
from drivers.scanner import PresentsCodes
from egov_protocol.identity_proof import NETID, NETID_FACE, PROOF_FIELD, level_of

from .. import events as ev
from ..netid_view import DEMO_CODES, netid_view
from ..safe_log import log_exception
from ..scanned_codes import ReceiptLinks, netid_code
from .journey import Errand, JourneyState, TransitionRefused

if TYPE_CHECKING:
    from drivers.idcard import Identity
    from sync.netid import IdentityVerifier, VerifiedIdentity

    from .port import StepContext

log = logging.getLogger(__name__)

#: One wait of the scanner for a code; the loop asks again at once.
SCAN_WAIT_S = 1.0
#: Pause after a failed read, so a scanner in trouble is not hammered.
RETRY_AFTER_SCAN_ERROR_S = 2.0
#: Demo button → (kind of code the simulator issues, level, used up before it is shown).
_DEMO_KINDS: dict[str, tuple[str, int, bool]] = {
    "netid": ("valid", 1, False), "netid_face": ("valid", 2, False), "expired": ("expired", 1, False),
    "used": ("valid", 1, True), "forged": ("forged", 1, False),
}


class Submitter(Protocol):
    """Where verification runs: an :class:`~drivers.common.OwnerThread` (tests: inline)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue ``fn(*args)``; its future."""
        ...


def netid_identity(verified: VerifiedIdentity) -> Identity:
    """The identity a 网证 verification proved, as a resident's (the 网证 is for PRC citizens):
    sex and birth date from the GB 11643 number; no document photo. :class:`ValueError` when the
    number the service gave is not a valid GB 11643 number."""
    from drivers.idcard import DocumentType, Identity, Sex, gb11643

    number = gb11643.normalize(verified.id_number).upper()
    gb11643.validate(number)
    return Identity(
        document_type=DocumentType.RESIDENT_ID, name=verified.name, name_latin=None,
        sex=Sex.MALE if gb11643.is_male(number) else Sex.FEMALE, birth_date=gb11643.birth_date(number),
        nationality="CHN", document_number=number,
        photo_missing_reason="identified with 网证 (national network identity): no document photo")


class NetIdStep:
    """Keeps the scanner reading; verifies 网证 codes on the identify screen (journey thread)."""

    def __init__(self, ctx: StepContext) -> None:
        """``ctx`` gives the journey, the scanner and the configuration (any thread)."""
        self._ctx = ctx
        self._verifier: IdentityVerifier | None = None
        self._worker: Submitter | None = None
        self._thread: OwnerThread | None = None
        self._receipts = ReceiptLinks(ctx.config.progress_address())
        self._epoch = 0
        self._status = "idle"  # "verifying", "refused"
        self._reason = ""

    @property
    def offered(self) -> bool:
        """Whether the identify screen offers 网证: a verification service is configured."""
        return self._verifier is not None

    def attach(self, verifier: IdentityVerifier | None = None, worker: Submitter | None = None) -> None:
        """The devices are open: start reading codes; with ``netid.url`` (or a ``verifier``),
        verify 网证 codes on ``worker`` (by default a ``netid`` thread of its own; journey thread)."""
        settings = self._ctx.config.netid
        if verifier is None and settings.url:
            from sync.netid import HttpNetIdVerifier

            verifier = HttpNetIdVerifier(settings.url, settings.timeout_s)
        if verifier is not None:
            self._verifier = verifier
            if worker is None:
                self._thread = OwnerThread("netid")
                worker = self._thread
            self._worker = worker
        self._request_scan()

    def stop(self) -> None:
        """Close the service's client on its thread and join the thread (shutdown; any thread)."""
        thread, verifier = self._thread, self._verifier
        if thread is None:
            return
        close = getattr(verifier, "close", None)
        if close is not None:
            thread.post(close)
        thread.stop(wait=True, cancel_pending=False)

    def clear(self) -> None:
        """The citizen was identified (by a document or 网证), or the session wiped: drop
        verifications in flight and what the identify screen said (journey thread)."""
        self._epoch += 1
        self._status, self._reason = "idle", ""

    def view(self, language: str) -> dict[str, Any]:
        """The ``netid`` part of the screen model (journey thread)."""
        return netid_view(offered=self.offered, status=self._status, reason=self._reason,
                          demo=self._demo_available(), language=language)

    # ---- the reading loop ------------------------------------------------------------------
    def _request_scan(self) -> None:
        ctx = self._ctx
        if ctx.stopping:
            return
        devices = ctx.devices
        scanner = devices["code_scanner"]

        def read(driver: Any) -> Any:
            try:
                return driver.read_code(SCAN_WAIT_S)
            finally:
                devices.refresh(scanner)  # e.g. HARDWARE_ERROR while unplugged, and back
        try:
            future = scanner.submit(read)
        except RuntimeError:  # the scanner's thread stopped: shutting down
            return
        future.add_done_callback(lambda f: ctx.post(lambda: self._on_scan(f)))

    def _on_scan(self, future: Future[Any]) -> None:
        try:
            code = future.result()
        except DeviceError as exc:
            log.warning("code scanner read failed: %s (%s)", type(exc).__name__, exc.action)
            self._ctx.post_later(RETRY_AFTER_SCAN_ERROR_S, self._request_scan)
            return
        except Exception:
            if self._ctx.stopping:
                return  # the scanner's thread was stopped under the read
            log_exception(log, "code scanner read failed unexpectedly")
            self._ctx.post_later(RETRY_AFTER_SCAN_ERROR_S, self._request_scan)  # the loop lives on
            return
        if code is not None:
            self._handle(code.text)
        self._request_scan()

    def _handle(self, text: str) -> None:
        ctx = self._ctx
        state = ctx.journey.state
        receipt_taken = state is JourneyState.ATTRACT or (
            state is JourneyState.IDENTIFY and ctx.journey.session.errand is Errand.PROGRESS)
        link = self._receipts.parse(text) if receipt_taken else None
        if link is not None:
            ctx.events.publish(ev.RECEIPT_CODE_SCANNED, receipt_number=link.receipt_number, token=link.token)
        elif state is JourneyState.IDENTIFY and self.offered:
            ctx.journey.touched()
            code = netid_code(text)
            if code is None:
                self._refused("not_netid")
            else:
                self._verify(code)
            ctx.publish()

    # ---- verification ----------------------------------------------------------------------
    def _verify(self, code: str) -> None:
        if self._status == "verifying" or self._verifier is None or self._worker is None:
            return  # one at a time; the citizen sees "checking"
        self._status, self._reason = "verifying", ""
        epoch, ctx = self._epoch, self._ctx
        future = self._worker.submit(self._verifier.verify, code)
        future.add_done_callback(lambda f: ctx.post(lambda: self._verified(f, epoch), publish=True))

    def _verified(self, future: Future[VerifiedIdentity], epoch: int) -> None:
        from sync.netid import NetIdRefused

        journey = self._ctx.journey
        if epoch != self._epoch:
            return  # wiped meanwhile: dropped, not kept
        self._status = "idle"
        if journey.state is not JourneyState.IDENTIFY:
            return  # identified by a document meanwhile, or went back: dropped
        try:
            verified = future.result()
        except NetIdRefused as refused:
            self._refused(refused.reason.value)
            return
        except Exception:
            log_exception(log, "网证 verification failed")
            self._refused("unreachable")
            return
        proof = verified.proved_by
        if proof not in (NETID, NETID_FACE):
            self._refused("invalid_answer")
            return
        service = journey.session.service
        if service is not None and level_of(proof) < service.identity_level:
            self._refused("level_too_low")
            return
        try:
            identity = netid_identity(verified)
        except ValueError:
            self._refused("invalid_answer")
            return
        log.info("identified with 网证: %s", proof)
        journey.document_read(identity)
        journey.session.extras[PROOF_FIELD] = proof
        self._ctx.events.publish(ev.NETID_VERIFIED, proved_by=proof)
        self._ctx.document_read()

    def _refused(self, reason: str) -> None:
        log.info("网证 code refused: %s", reason)
        self._status, self._reason = "refused", reason
        self._ctx.events.publish(ev.NETID_REFUSED, reason=reason)

    # ---- demo buttons ----------------------------------------------------------------------
    def _demo_available(self) -> bool:
        ctx = self._ctx
        if self._verifier is None or not ctx.config.ui.demo_controls:
            return False  # before the services start too: nothing imported on the first screen's path
        from sync.netid import IssuesDemoCodes

        return isinstance(self._verifier, IssuesDemoCodes) and isinstance(
            ctx.devices["code_scanner"].driver, PresentsCodes)

    def show_demo_code(self, key: str) -> None:
        """Demo button ``key`` (:data:`~kiosk.netid_view.DEMO_CODES`): ask the simulator for such
        a code on the ``netid`` thread (a "used" one is verified once there first), then hold it
        up to the simulated scanner (journey thread)."""
        from sync.netid import IssuesDemoCodes

        if key not in DEMO_CODES or not self._demo_available():
            raise TransitionRefused("no such demo code here")
        verifier, worker = self._verifier, self._worker
        assert isinstance(verifier, IssuesDemoCodes) and worker is not None
        kind, level, used_up = _DEMO_KINDS[key]
        ctx, epoch = self._ctx, self._epoch
        ctx.journey.touched()

        def fetch() -> str:
            code = verifier.issue_demo_code(kind, level)
            if used_up and self._verifier is not None:
                self._verifier.verify(code)  # as if shown at another terminal before
            return code
        future = worker.submit(fetch)
        future.add_done_callback(lambda f: ctx.post(lambda: self._demo_fetched(f, epoch), publish=True))

    def _demo_fetched(self, future: Future[str], epoch: int) -> None:
        if epoch != self._epoch:
            return
        try:
            code = future.result()
        except Exception:
            self._refused("unreachable")
            return
        scanner = self._ctx.devices["code_scanner"]

        def hold_up(_: object) -> None:  # on the scanner's thread, after it forgot earlier reads
            driver = scanner.driver
            if isinstance(driver, PresentsCodes):
                driver.present_code(code)
        scanner.submit(lambda driver: driver.forget_repeats()).add_done_callback(hold_up)


class NetIdCommands:
    """The UI's 网证 commands (``KioskCore.netid``); each posts to the journey thread and returns."""

    def __init__(self, post: Callable[..., Future[None]], step: NetIdStep) -> None:
        """``post`` is the runtime's (action, publish=...) poster (any thread)."""
        self._post = post
        self._step = step

    def show_demo_code(self, key: str) -> None:
        """Demo mode: hold a fresh simulated 网证 code of kind ``key`` up to the scanner (any thread)."""
        self._post(lambda: self._step.show_demo_code(key), publish=True)
