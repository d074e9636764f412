"""The progress errand (办理进度查询): the citizen's cases from the platform, a printed slip, and
the way to a corrected submission.

The lookup is by person once the document is read, or, when the citizen scanned a receipt's QR
code instead (``Journey.receipt_scanned``: ``session.extras[RECEIPT_FIELD]``), of the one case
that receipt's progress token opens. Without an identity there is no 补正 from here: the screen
asks for the ID document, which leads to the person's lookup and its "Submit corrections".

Threads: the step's state and commands run on the core's journey thread (commands called from
any thread post there first). The lookup blocks on the network, so it runs on a thread of its
own, ``person-cases`` (an :class:`~drivers.common.OwnerThread`, started on the first lookup);
the slip prints on the receipt printer's owner thread. Both answers come back through the
port's ``post`` and carry the epoch they were asked in: one that arrives after the citizen went
back or left is dropped, never shown.

What the platform answered lives in the session (``session.extras["progress"]``), so the wipe
that ends the session takes it too; only the document number's keyed hash leaves the terminal
(:mod:`sync.person_cases`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from drivers.common import DeviceError, OwnerThread

from ..safe_log import log_exception
from .journey import RECEIPT_FIELD, JourneyState, TransitionRefused

if TYPE_CHECKING:
    from egov_protocol.cases import CaseStatus

    from ..catalog import Catalog
    from .port import StepContext

log = logging.getLogger(__name__)


class CasesLookup(Protocol):
    """Asks the platform for a person's cases (``sync.person_cases.PersonCasesClient``)."""

    def cases_of(self, document_number: str) -> list[CaseStatus]:
        """The person's cases, newest first; blocks on the network (lookup thread)."""
        ...

    def case_by_receipt(self, receipt_number: str, token: str) -> CaseStatus | None:
        """The case a receipt's code opens, or None; blocks on the network (lookup thread)."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


class LookupRunner(Protocol):
    """Where lookups run: ``submit(fn)`` returns a future (an ``OwnerThread`` in the terminal)."""

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn`` off the journey thread."""
        ...


def platform_lookup(ctx: StepContext) -> CasesLookup | None:
    """The terminal's client for the configured platform, or None while not enrolled (lookup
    thread: reads the key files)."""
    from sync.person_cases import PersonCasesClient

    from ..enrollment import Enrollment

    enrollment = Enrollment(ctx.data_dir, ctx.config.central.platform_keys_file)
    keys = enrollment.platform_keys()
    if keys is None:
        return None
    return PersonCasesClient(ctx.config.central.url, keys.terminal_id, enrollment.signing_key())


class ProgressStep:
    """Looks the citizen's cases up, shows them, prints slips, starts a corrected submission."""

    def __init__(self, ctx: StepContext, catalog: Callable[[], Catalog | None], *,
                 lookup: Callable[[StepContext], CasesLookup | None] = platform_lookup,
                 runner: LookupRunner | None = None) -> None:
        """``catalog()`` gives the catalog in use (service titles, the form of a correction);
        ``lookup(ctx)`` builds the platform client on the lookup thread; ``runner`` replaces the
        lookup thread (tests). Any thread; nothing starts until the first lookup."""
        self._ctx = ctx
        self._catalog = catalog
        self._make_lookup = lookup
        self._lookup: CasesLookup | None = None
        self._runner = runner
        self._thread: OwnerThread | None = None
        self._epoch = 0

    # ---- commands (any thread: each posts to the journey thread) ----------------------------
    def retry(self) -> None:
        """Ask the platform again after it could not be reached."""
        self._ctx.post(self._retry, publish=True)

    def print_slip(self) -> None:
        """Print a progress slip per case shown on the receipt printer."""
        self._ctx.post(self._print, publish=True)

    def submit_corrections(self, receipt_number: str) -> None:
        """Start the application for the case's service, linked to that case (补正)."""
        self._ctx.post(lambda: self._correct(receipt_number), publish=True)

    # ---- hand-offs from the runtime (journey thread) ----------------------------------------
    def start(self) -> None:
        """The progress screen is shown: ask the platform for the person's cases (the document was
        read) or for the case of the receipt scanned."""
        ctx = self._ctx
        if ctx.stopping:
            return
        session = ctx.journey.session
        self._epoch += 1
        epoch, receipt = self._epoch, session.extras.get(RECEIPT_FIELD)
        ask: Callable[[CasesLookup], list[CaseStatus] | None]
        if receipt is None:
            ask = partial(_cases_of, session.identity.document_number)
        else:
            ask = partial(_case_of, receipt["receipt_number"], receipt["token"])
        session.extras["progress"] = {"phase": "loading", "cases": [], "printing": ""}
        future = self._run(lambda: self._fetch(ask))
        future.add_done_callback(lambda f: ctx.post(lambda: self._on_cases(f, epoch), publish=True))

    def forget(self) -> None:
        """The session is wiped: a lookup or print still under way is dropped when it answers."""
        self._epoch += 1

    def stop(self) -> None:
        """Shutdown: stop the lookup thread (a lookup under way finishes) and close the client."""
        if self._thread is not None:
            self._thread.stop(wait=True)
        if self._lookup is not None:
            self._lookup.close()

    def view(self) -> dict[str, Any] | None:
        """``snapshot.progress`` on the progress screen, else None (journey thread)."""
        from ..case_progress import PHASE_MESSAGES, PRINT_MESSAGES, READY, case_rows

        journey = self._ctx.journey
        held = journey.session.extras.get("progress")
        if journey.state is not JourneyState.PROGRESS or held is None:
            return None
        language = self._ctx.language
        identified = journey.session.identity is not None
        rows = case_rows(held["cases"], language, self._service_title,
                         identified=identified) if held["phase"] == READY else []
        phase_message = "empty" if held["phase"] == READY and not rows else held["phase"]
        message = PHASE_MESSAGES.get(phase_message, {}).get(language, "")
        printing = held["printing"]
        return {"phase": held["phase"], "cases": rows, "message": message, "by_receipt": not identified,
                "printing": printing, "print_message": PRINT_MESSAGES[printing][language] if printing else ""}

    # ---- journey thread -------------------------------------------------------------------
    def _run(self, fn: Callable[[], Any]) -> Future[Any]:
        if self._runner is None:
            if self._thread is None:
                self._thread = OwnerThread("person-cases")
            self._runner = self._thread
        return self._runner.submit(fn)

    def _fetch(self, ask: Callable[[CasesLookup], list[CaseStatus] | None]) -> list[CaseStatus] | None:
        # On the lookup thread. The client is built here (it reads the key files) and kept.
        if self._lookup is None:
            self._lookup = self._make_lookup(self._ctx)
            if self._lookup is None:
                from sync.person_cases import NotEnrolled

                raise NotEnrolled()
        from egov_protocol.errors import CentralRejected

        try:
            return ask(self._lookup)
        except CentralRejected:
            # Refused (re-keyed or re-enrolled since?): the next lookup builds the client afresh.
            self._lookup.close()
            self._lookup = None
            raise

    def _held(self) -> dict[str, Any]:
        journey = self._ctx.journey
        held: dict[str, Any] | None = journey.session.extras.get("progress")
        if journey.state is not JourneyState.PROGRESS or held is None:
            raise TransitionRefused("not on the progress screen")
        journey.touched()
        return held

    def _on_cases(self, future: Future[list[CaseStatus] | None], epoch: int) -> None:
        from egov_protocol.errors import CentralProtocolError, CentralRejected, CentralUnavailable
        from sync.person_cases import TooManyLookups

        from ..case_progress import NOT_FOUND, OFFLINE, READY, THROTTLED, UNAVAILABLE, UNREADABLE

        journey = self._ctx.journey
        if epoch != self._epoch or journey.state is not JourneyState.PROGRESS:
            return  # the citizen went back or left: nothing of the answer is kept
        held = journey.session.extras["progress"]
        try:
            cases = future.result()
            if cases is None:  # the receipt's code opens no case there (yet)
                held["phase"] = NOT_FOUND
                log.info("progress: no case for the receipt scanned")
                return
            held["cases"], held["phase"] = cases, READY
            log.info("progress: %d case(s) found", len(held["cases"]))
            return
        except CentralProtocolError as exc:  # before CentralUnavailable: it is one too
            held["phase"] = UNREADABLE
            log.warning("progress: the platform's answer was not understood: %s", type(exc).__name__)
        except TooManyLookups:  # before CentralUnavailable: it is one too
            # The platform throttles receipt lookups; a 429 to a person's lookup came from elsewhere.
            held["phase"] = THROTTLED if RECEIPT_FIELD in journey.session.extras else OFFLINE
            log.warning("progress: the lookup was throttled")
        except CentralUnavailable as exc:
            held["phase"] = OFFLINE
            log.warning("progress: the platform is not reachable: %s", type(exc).__name__)
        except CentralRejected as exc:
            held["phase"] = UNAVAILABLE
            log.warning("progress: the platform refused the lookup: %s", exc.status)
        except Exception:
            held["phase"] = UNREADABLE
            log_exception(log, "progress: the lookup failed")

    def _retry(self) -> None:
        from ..case_progress import LOADING, READY

        if self._held()["phase"] not in (LOADING, READY):
            self.start()

    def _service_title(self, service_id: str) -> str | None:
        catalog = self._catalog()
        try:
            return None if catalog is None else str(catalog.service(service_id).title.text(self._ctx.language))
        except KeyError:
            return None

    def _print(self) -> None:
        from ..case_progress import READY, progress_slips

        held = self._held()
        if held["phase"] != READY or not held["cases"] or held["printing"] == "printing":
            raise TransitionRefused("nothing to print now")
        ctx = self._ctx
        config = ctx.config
        slips = progress_slips(
            held["cases"], language=ctx.language, applicant_name=_name(ctx.journey.session.identity),
            hall_name=config.terminal.hall_name, terminal_id=config.terminal.terminal_id,
            service_title=self._service_title, checked_at=dt.datetime.now(dt.UTC), hotline=config.receipt.hotline)
        held["printing"] = "printing"
        devices, epoch = ctx.devices, self._epoch

        def job(printer: Any) -> None:
            try:
                for slip in slips:
                    printer.print_receipt(slip)
            finally:  # paper out, cover open: staff and the fleet page see the state after a job
                devices.refresh(devices["receipt_printer"])

        future = devices["receipt_printer"].submit(job)
        future.add_done_callback(lambda f: ctx.post(lambda: self._on_printed(f, epoch), publish=True))

    def _on_printed(self, future: Future[None], epoch: int) -> None:
        journey = self._ctx.journey
        if epoch != self._epoch or journey.state is not JourneyState.PROGRESS:
            return
        held = journey.session.extras["progress"]
        try:
            future.result()
            held["printing"] = "printed"
        except DeviceError as exc:
            held["printing"] = "failed"
            log.warning("progress slip not printed: %s (%s)", type(exc).__name__, exc.action)
        except Exception:
            held["printing"] = "failed"
            log_exception(log, "progress slip not printed")

    def _correct(self, receipt_number: str) -> None:
        held = self._held()
        if self._ctx.journey.session.identity is None:
            raise TransitionRefused("corrections need the citizen's identity")
        case = next((c for c in held["cases"] if c.receipt_number == receipt_number), None)
        catalog = self._catalog()
        if case is None or not case.correction_requested or catalog is None:
            raise TransitionRefused("no correction asked for that case")
        try:
            service, form = catalog.service(case.service_id), catalog.form_for(case.service_id)
        except KeyError:
            raise TransitionRefused("this terminal does not offer that service") from None
        self._epoch += 1  # a print under way is no longer this screen's
        self._ctx.journey.corrections_started(service, form, receipt_number)
        self._ctx.document_read()  # the document was read: the face step starts


def _cases_of(document_number: str, lookup: CasesLookup) -> list[CaseStatus]:
    """The person's cases (lookup thread)."""
    return lookup.cases_of(document_number)


def _case_of(receipt_number: str, token: str, lookup: CasesLookup) -> list[CaseStatus] | None:
    """The receipt's one case as the list the screen shows, None when it opens none (lookup thread)."""
    case = lookup.case_by_receipt(receipt_number, token)
    return None if case is None else [case]


def _name(identity: Any) -> str | None:
    """The name a slip shows masked: none for a receipt's lookup (no identity presented)."""
    return None if identity is None else str(identity.name)
