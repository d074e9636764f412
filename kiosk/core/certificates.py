"""The certificate step (证明打印): the citizen's certificates, a preview, and the A4 print.

In the journey state ``certificates`` (after the document and a face photo), the step asks the
platform for the documents issued to the holder of the document just read, shows them, fetches
the one the citizen picks (its signed PDF, held in memory only), and sends it to the document
printer. Only a face that *matched the document photo* (the face step's verification record)
opens the list; otherwise the screen says a member of staff can help.

Threads: the commands (:meth:`CertificateStep.select` …) may be called from any thread and
only post to the journey thread, which owns everything here; the platform requests run on the
step's own ``certificates`` worker thread, the print on the document printer's owner thread.
Results come back through the port's ``post`` and are dropped when the citizen has gone (each
visit is one :class:`CertificateVisit` in the session's extras, replaced on every wipe).

The PDF never touches the terminal's disk: it lives in a ``bytearray`` of the visit, zeroed when
the session is wiped; the printer's own copy (the simulator's file, a CUPS spool) is discarded
after the job like the A4 form's. Neither the PDF nor the document number is logged.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .certificate_texts import phase_text
from .journey import JourneyState, TransitionRefused

if TYPE_CHECKING:
    from sync.certificates import Certificate

    from .port import StepContext

log = logging.getLogger(__name__)

T = TypeVar("T")
#: Key of the visit in ``CitizenSession.extras``.
VISIT_KEY = "certificates"
#: How long the list waits for the face comparison to finish before sending the citizen to staff.
VERIFICATION_WAIT_S = 60.0
_POLL_S = 0.25


class Phase(enum.StrEnum):
    """What the certificates screen shows."""

    CHECKING = "checking"        # waiting for the face comparison
    LOADING = "loading"          # asking the platform
    LIST = "list"                # the citizen's current certificates
    NONE = "none"                # the platform has none for this person
    OFFLINE = "offline"          # the platform cannot be reached: this needs the network
    FAILED = "failed"            # the platform refused or answered nonsense: staff can help
    NOT_VERIFIED = "not_verified"  # the face did not match the document: staff can help
    FETCHING = "fetching"        # downloading the chosen certificate
    PREVIEW = "preview"          # its first page on screen, "Print" offered
    PRINTING = "printing"
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"


class CertificateSource(Protocol):
    """What the step asks the platform (:class:`sync.certificates.CertificateClient`)."""

    def search(self, document_number: str) -> list[Certificate]:
        """The holder's documents (worker thread; blocks)."""
        ...

    def pdf(self, document_id: str, document_number: str) -> bytes:
        """One document's signed PDF (worker thread; blocks)."""
        ...


@dataclass
class CertificateVisit:
    """One citizen's time on the certificates screen (journey thread only)."""

    phase: Phase = Phase.CHECKING
    items: list[Certificate] = field(default_factory=list)
    selected: Certificate | None = None
    pdf: bytearray | None = None
    revision: int = 0
    waited_s: float = 0.0
    jobs: list[str] = field(default_factory=list)

    def drop_pdf(self) -> None:
        """Overwrite and forget the PDF held in memory."""
        if self.pdf is not None:
            self.pdf[:] = bytes(len(self.pdf))
            self.pdf = None


def face_matched(record: dict[str, Any] | None) -> bool | None:
    """Whether the live face matched the document photo: ``None`` while the comparison runs."""
    if record is None:
        return None
    match = record.get("match")
    return isinstance(match, dict) and match.get("matched") is True


class CertificateStep:
    """Lists, previews and prints the citizen's certificates (see the module docstring)."""

    def __init__(self, ctx: StepContext,
                 connect: Callable[[], CertificateSource] | None = None,
                 run_off_thread: Callable[[Callable[[], Any]], Future[Any]] | None = None) -> None:
        """``connect`` builds the platform client (default: from the terminal's enrollment);
        ``run_off_thread`` runs a request on the worker (default: the ``certificates`` thread).
        Both are seams for the unit tests. Any thread."""
        self._ctx = ctx
        self._connect = connect or self._enrolled_client
        self._run_off_thread = run_off_thread
        self._source: CertificateSource | None = None
        self._worker: Any = None
        #: The latest visit, kept here too: a wipe replaces the session before :meth:`forget`.
        self._last: CertificateVisit | None = None

    # ---- commands (any thread) ---------------------------------------------------------------
    def select(self, document_id: str) -> None:
        """The citizen picked a certificate from the list: fetch it for the preview."""
        self._ctx.post(lambda: self._select(document_id), publish=True)

    def print_selected(self) -> None:
        """The citizen confirmed the preview: print it on the document printer."""
        self._ctx.post(self._print, publish=True)

    def back_to_list(self) -> None:
        """From the preview (or a print result) back to the list; the PDF is dropped."""
        self._ctx.post(self._back_to_list, publish=True)

    def retry(self) -> None:
        """Ask the platform again (after 'needs the network')."""
        self._ctx.post(self._retry, publish=True)

    # ---- reading (any thread) ----------------------------------------------------------------
    def preview_pdf(self) -> bytes | None:
        """A copy of the PDF on preview, for the screen to render (``ui``); ``None`` otherwise."""
        visit = self._last
        pdf = visit.pdf if visit is not None else None
        return bytes(pdf) if pdf is not None else None

    # ---- journey thread ----------------------------------------------------------------------
    def entered(self) -> None:
        """The journey entered ``certificates``: wait for the face comparison, then search."""
        journey = self._ctx.journey
        if journey.state is not JourneyState.CERTIFICATES:
            return
        self._forget_visit()
        visit = self._last = CertificateVisit()
        journey.session.extras[VISIT_KEY] = visit
        self._await_verification(visit)

    def view(self) -> dict[str, Any] | None:
        """The screen model's ``certificates`` part; ``None`` outside the state."""
        journey = self._ctx.journey
        visit = journey.session.extras.get(VISIT_KEY)
        if journey.state is not JourneyState.CERTIFICATES or not isinstance(visit, CertificateVisit):
            return None
        language = self._ctx.language
        selected = visit.selected
        return {
            "phase": visit.phase.value,
            "text": phase_text(visit.phase.value, language),
            "items": [_item_view(item, language) for item in visit.items],
            "selected": _item_view(selected, language) if selected is not None else None,
            "preview_revision": visit.revision if visit.pdf is not None else 0,
        }

    def forget(self) -> None:
        """The session is being wiped: zero the PDF and discard the printer's copies."""
        self._forget_visit()

    def stop(self) -> None:
        """Shutdown: close the platform client (a request in flight ends with an error) and join
        the worker thread (any thread but the worker)."""
        close = getattr(self._source, "close", None)
        if callable(close):
            close()
        if self._worker is not None:
            self._worker.stop(wait=True, cancel_pending=True)

    # ---- internals (journey thread) ----------------------------------------------------------
    def _visit_or_none(self) -> CertificateVisit | None:
        try:
            visit = self._ctx.journey.session.extras.get(VISIT_KEY)
        except RuntimeError:  # not started
            return None
        return visit if isinstance(visit, CertificateVisit) else None

    def _current(self, visit: CertificateVisit) -> bool:
        journey = self._ctx.journey
        return journey.state is JourneyState.CERTIFICATES and journey.session.extras.get(VISIT_KEY) is visit

    def _visit(self) -> CertificateVisit:
        visit = self._visit_or_none()
        if visit is None or self._ctx.journey.state is not JourneyState.CERTIFICATES:
            raise TransitionRefused("the certificates screen is not shown")
        return visit

    def _await_verification(self, visit: CertificateVisit) -> None:
        if not self._current(visit):
            return
        matched = face_matched(self._ctx.journey.session.extras.get("face_verification"))
        if matched is None and visit.waited_s < VERIFICATION_WAIT_S:
            visit.waited_s += _POLL_S
            self._ctx.post_later(_POLL_S, lambda: self._await_verification(visit))
            return
        if not matched:
            visit.phase = Phase.NOT_VERIFIED
            log.info("certificates: the face did not match the document; staff can help")
            self._ctx.publish()
            return
        self._search(visit)
        self._ctx.publish()

    def _search(self, visit: CertificateVisit) -> None:
        visit.phase = Phase.LOADING
        number = self._ctx.journey.session.identity.document_number

        def ask() -> list[Certificate]:
            return self._client().search(number)
        self._off_thread(ask).add_done_callback(
            lambda f: self._ctx.post(lambda: self._on_listed(visit, f), publish=True))

    def _answered(self, visit: CertificateVisit, future: Future[T], waiting_in: Phase, what: str) -> T | None:
        # What a request made off the journey thread brought back; None when the visit has
        # moved on meanwhile, or when it failed (the visit then says why).
        if not self._current(visit) or visit.phase is not waiting_in:
            return None
        try:
            return future.result()
        except Exception as exc:
            visit.phase = _failure_phase(exc)
            log.warning("certificates: %s failed: %s", what, type(exc).__name__)
            return None

    def _on_listed(self, visit: CertificateVisit, future: Future[list[Certificate]]) -> None:
        found = self._answered(visit, future, Phase.LOADING, "search")
        if found is None:
            return
        visit.items = [item for item in found if item.current]
        visit.phase = Phase.LIST if visit.items else Phase.NONE
        log.info("certificates: %d current of %d listed", len(visit.items), len(found))

    def _select(self, document_id: str) -> None:
        visit = self._visit()
        if visit.phase is not Phase.LIST:
            raise TransitionRefused(f"no list to choose from ({visit.phase})")
        chosen = next((item for item in visit.items if item.document_id == document_id), None)
        if chosen is None:
            raise TransitionRefused("no such certificate in the list")
        self._ctx.journey.touched()
        visit.selected, visit.phase = chosen, Phase.FETCHING
        number = self._ctx.journey.session.identity.document_number

        def fetch() -> bytes:
            return self._client().pdf(document_id, number)
        self._off_thread(fetch).add_done_callback(
            lambda f: self._ctx.post(lambda: self._on_fetched(visit, chosen, f), publish=True))

    def _on_fetched(self, visit: CertificateVisit, chosen: Certificate, future: Future[bytes]) -> None:
        if visit.selected is not chosen:
            return
        pdf = self._answered(visit, future, Phase.FETCHING, "fetching a PDF")
        if pdf is None:
            return
        visit.drop_pdf()
        visit.pdf = bytearray(pdf)
        visit.revision += 1
        visit.phase = Phase.PREVIEW

    def _print(self) -> None:
        visit = self._visit()
        if visit.phase not in (Phase.PREVIEW, Phase.PRINT_FAILED) or visit.pdf is None or visit.selected is None:
            raise TransitionRefused("nothing to print")
        self._ctx.journey.touched()
        visit.phase = Phase.PRINTING
        pdf, title = bytes(visit.pdf), f"certificate-{visit.selected.kind}"

        def job(printer: Any) -> Any:
            return printer.print_document(pdf, title)
        future = self._ctx.devices["document_printer"].submit(job)
        future.add_done_callback(lambda f: self._ctx.post(lambda: self._on_printed(visit, f), publish=True))

    def _on_printed(self, visit: CertificateVisit, future: Future[Any]) -> None:
        try:
            result = future.result()
        except Exception as exc:
            log.warning("certificate not printed: %s", type(exc).__name__)
            if self._current(visit) and visit.phase is Phase.PRINTING:
                visit.phase = Phase.PRINT_FAILED
                # As for a receipt: staff are alerted to the printer (paper, jam), never left unaware.
                from drivers.common import DeviceError

                from .. import events as ev

                action = exc.action.value if isinstance(exc, DeviceError) else "software"
                ctx = self._ctx
                ctx.events.publish(ev.STAFF_CALLED, terminal_id=ctx.config.terminal.terminal_id,
                                   screen="certificates", reason="document_printer", action=action)
            return
        visit.jobs.append(result.job_id)
        if self._current(visit) and visit.phase is Phase.PRINTING:
            visit.phase = Phase.PRINTED
            self._ctx.journey.touched()
        else:
            self._discard_jobs(visit)  # the citizen has gone already

    def _back_to_list(self) -> None:
        visit = self._visit()
        if visit.phase not in (Phase.PREVIEW, Phase.PRINTED, Phase.PRINT_FAILED, Phase.FAILED):
            raise TransitionRefused(f"no way back to the list from {visit.phase}")
        visit.drop_pdf()
        visit.selected = None
        if visit.items:
            visit.phase = Phase.LIST
        else:
            self._search(visit)

    def _retry(self) -> None:
        visit = self._visit()
        if visit.phase not in (Phase.OFFLINE, Phase.FAILED):
            raise TransitionRefused("nothing to retry")
        self._search(visit)

    def _forget_visit(self) -> None:
        visit, self._last = self._last, None
        if visit is not None:
            visit.drop_pdf()
            visit.items, visit.selected = [], None
            self._discard_jobs(visit)

    def _discard_jobs(self, visit: CertificateVisit) -> None:
        jobs, visit.jobs = visit.jobs, []
        if jobs:
            def discard(printer: Any) -> None:
                for job in jobs:
                    printer.discard(job)
            self._ctx.devices["document_printer"].submit(discard)

    # ---- the platform ------------------------------------------------------------------------
    def _off_thread(self, work: Callable[[], T]) -> Future[T]:
        if self._run_off_thread is not None:
            return self._run_off_thread(work)
        if self._worker is None:
            from drivers.common import OwnerThread

            self._worker = OwnerThread("certificates")
        submitted: Future[T] = self._worker.submit(work)
        return submitted

    def _client(self) -> CertificateSource:
        """The platform client, built on first use (worker thread: reading keys is I/O)."""
        if self._source is None:
            self._source = self._connect()
        return self._source

    def _enrolled_client(self) -> CertificateSource:
        from sync.certificates import CertificateClient

        from ..enrollment import Enrollment

        config = self._ctx.config
        enrollment = Enrollment(self._ctx.data_dir, config.central.platform_keys_file)
        keys = enrollment.platform_keys()
        if keys is None:
            raise NotEnrolled("this terminal is not enrolled")
        return CertificateClient(config.central.url, keys.terminal_id,
                                 signing_key=enrollment.signing_key(), platform_key=keys.ed25519_public)


class NotEnrolled(Exception):
    """The terminal has no platform keys, so it cannot ask the platform anything."""


def _failure_phase(exc: BaseException) -> Phase:
    from egov_protocol.errors import CentralProtocolError, CentralUnavailable

    if isinstance(exc, CentralUnavailable) and not isinstance(exc, CentralProtocolError):
        return Phase.OFFLINE
    return Phase.FAILED


def _item_view(item: Certificate, language: str) -> dict[str, Any]:
    issued = item.issued_at.astimezone()
    return {
        "id": item.document_id,
        "title": item.title_en if language == "en" and item.title_en else item.title,
        "issuer": item.issuer,
        "issued": issued.strftime("%Y年%m月%d日" if language == "zh-CN" else "%d %b %Y"),
        "receipt_number": item.receipt_number,
    }
