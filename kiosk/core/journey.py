"""The citizen's journey as a state machine, driven by events and a clock.

An application:       attract → notice → identify → face → form → review → submitting → printing → done
                      (form → materials → review when the service asks for paper materials to scan)
Checking progress:    attract → identify → progress (→ face → form …: a 补正 re-submission)
                      attract → progress (a receipt's QR code scanned: that one case, no identity)
Printing a certificate: attract → identify → face → certificates

Which of these the citizen came for is the session's :class:`Errand`; the shared steps (reading
the document, the face photo) lead on to the errand's own next state.

The machine is plain Python with no threads and no I/O: the :class:`~kiosk.core.KioskCore` feeds it
events on its journey thread, and tests feed it events directly with a fake clock. Everything that
belongs to the citizen at the terminal lives in one :class:`CitizenSession`, so wiping it is one
assignment and nothing can be forgotten.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class JourneyState(enum.StrEnum):
    """Where the citizen is; the UI shows one screen per state."""

    ATTRACT = "attract"
    NOTICE = "notice"
    IDENTIFY = "identify"
    FACE = "face"
    FORM = "form"
    MATERIALS = "materials"  # scanning the paper materials the service needs (document camera)
    REVIEW = "review"
    SUBMITTING = "submitting"
    PRINTING = "printing"
    DONE = "done"
    PROGRESS = "progress"  # the citizen's cases with their statuses (errand "progress")
    CERTIFICATES = "certificates"  # the certificates the citizen can print (errand "certificate")


class Errand(enum.StrEnum):
    """What the citizen came for, chosen on the start screen."""

    APPLY = "apply"  # submit an application for a service
    PROGRESS = "progress"  # follow the cases already submitted
    CERTIFICATE = "certificate"  # print a certificate the platform issued


#: Where each errand goes after the document is read, and after the face photo is accepted.
_AFTER_DOCUMENT: dict[Errand, JourneyState] = {
    Errand.APPLY: JourneyState.FACE,
    Errand.PROGRESS: JourneyState.PROGRESS,
    Errand.CERTIFICATE: JourneyState.FACE,
}


#: ``session.extras`` key of the receipt whose code opened the progress screen without an
#: identity: ``{"receipt_number", "token"}`` (the token opens the case: it goes with the session).
RECEIPT_FIELD = "progress_receipt"


#: The step indicator: (state, step number shown to the citizen). Submitting and printing are one step.
STEP_OF_STATE: dict[JourneyState, int] = {
    JourneyState.ATTRACT: 1,
    JourneyState.NOTICE: 2,
    JourneyState.IDENTIFY: 3,
    JourneyState.FACE: 4,
    JourneyState.FORM: 5,
    JourneyState.MATERIALS: 5,  # filling in the application: the form, then its paper materials
    JourneyState.REVIEW: 6,
    JourneyState.SUBMITTING: 7,
    JourneyState.PRINTING: 7,
    JourneyState.DONE: 8,
    JourneyState.PROGRESS: 3,
    JourneyState.CERTIFICATES: 4,
}
STEP_COUNT = 8

#: Errands whose indicator numbers the states their own way (no notice, form or review steps).
STEP_OF_ERRAND_STATE: dict[Errand, dict[JourneyState, int]] = {
    Errand.PROGRESS: {JourneyState.ATTRACT: 1, JourneyState.IDENTIFY: 2, JourneyState.PROGRESS: 3},
    Errand.CERTIFICATE: {JourneyState.ATTRACT: 1, JourneyState.IDENTIFY: 2, JourneyState.FACE: 3,
                         JourneyState.CERTIFICATES: 4},
}

#: How many steps each errand shows in the indicator.
STEP_COUNT_OF_ERRAND: dict[Errand, int] = {Errand.APPLY: STEP_COUNT, Errand.PROGRESS: 3, Errand.CERTIFICATE: 4}

#: States in which the citizen must wait for the terminal: no back, no idle wipe.
BUSY_STATES = frozenset({JourneyState.SUBMITTING, JourneyState.PRINTING})

_BACK_TARGET: dict[JourneyState, JourneyState] = {
    JourneyState.IDENTIFY: JourneyState.NOTICE,
    JourneyState.FACE: JourneyState.IDENTIFY,
    JourneyState.FORM: JourneyState.FACE,
    JourneyState.REVIEW: JourneyState.FORM,
    JourneyState.MATERIALS: JourneyState.FORM,
    JourneyState.PROGRESS: JourneyState.IDENTIFY,
    JourneyState.CERTIFICATES: JourneyState.FACE,
}


class WipeReason(enum.StrEnum):
    """Why a citizen's session was wiped; recorded in the audit log."""

    FINISHED = "finished"
    IDLE_TIMEOUT = "idle_timeout"
    CANCELLED = "cancelled"
    ERROR = "error"  # an unexpected error: the crash handler returned the terminal to the start
    CARD_REMOVED = "card_removed"  # journey.card_removal = "wipe": the document left the reader


class TransitionRefused(Exception):
    """An event arrived in a state that does not accept it (e.g. a double tap after moving on)."""


@dataclass
class CitizenSession:
    """Everything of the citizen now at the terminal. Replaced wholesale on every wipe."""

    errand: Errand = Errand.APPLY
    service: Any = None
    form_definition: Any = None
    identity: Any = None
    photo_jpeg: bytes | None = None
    form: Any = None
    #: The pages scanned for the service's materials (``kiosk.core.material_scans.MaterialScans``).
    materials: Any = None
    consented: bool = False
    receipt_number: str | None = None
    printed: bool | None = None
    message: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class Journey:
    """The state machine. Not thread-safe: one thread (the core's journey thread) drives it.

    ``clock`` returns monotonic seconds; ``make_form`` builds a form session from a form
    definition and the identity prefill (injected so this module needs no forms import).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        make_form: Callable[[Any, Any], Any],
        idle_timeout_s: float = 120.0,
        idle_warning_s: float = 30.0,
        done_timeout_s: float = 30.0,
    ) -> None:
        self._clock = clock
        self._make_form = make_form
        self.idle_timeout_s = idle_timeout_s
        self.idle_warning_s = idle_warning_s
        self.done_timeout_s = done_timeout_s
        self.state = JourneyState.ATTRACT
        self.session = CitizenSession()
        self.last_activity = clock()

    # ---- helpers -------------------------------------------------------------------------
    def _require(self, *states: JourneyState) -> None:
        if self.state not in states:
            raise TransitionRefused(f"not accepted in state {self.state}")

    def _go(self, state: JourneyState) -> None:
        self.state = state
        self.session.message = None
        self.last_activity = self._clock()

    @property
    def step(self) -> int:
        """The step number shown in the indicator (1-based), counted in the session's errand."""
        return STEP_OF_ERRAND_STATE.get(self.session.errand, STEP_OF_STATE).get(self.state, STEP_OF_STATE[self.state])

    @property
    def step_count(self) -> int:
        """How many steps the indicator shows for the session's errand."""
        return STEP_COUNT_OF_ERRAND[self.session.errand]

    # ---- citizen events ------------------------------------------------------------------
    def touched(self) -> None:
        """Any touch: restarts the idle countdown (and hides its warning)."""
        self.last_activity = self._clock()

    def service_chosen(self, service: Any, form_definition: Any) -> None:
        """attract → notice."""
        self._require(JourneyState.ATTRACT)
        self.session = CitizenSession(service=service, form_definition=form_definition)
        self._go(JourneyState.NOTICE)

    def errand_chosen(self, errand: Errand) -> None:
        """attract → identify for an errand without a service (progress, certificates)."""
        self._require(JourneyState.ATTRACT)
        if errand is Errand.APPLY:
            raise TransitionRefused("an application starts by choosing its service")
        self.session = CitizenSession(errand=errand)
        self._go(JourneyState.IDENTIFY)

    def corrections_started(self, service: Any, form_definition: Any, corrects_receipt: str) -> None:
        """progress → face: the citizen re-submits a case awaiting corrections (补正). The session
        becomes an application for that service, linked to the case by its receipt number; the
        document just read stays the identity (a receipt's code alone is not enough)."""
        self._require(JourneyState.PROGRESS)
        if self.session.identity is None:
            raise TransitionRefused("corrections need the citizen's identity: present the ID document")
        session = self.session
        session.errand = Errand.APPLY
        session.service, session.form_definition, session.form = service, form_definition, None
        session.extras = {"corrects_receipt": corrects_receipt}
        self._go(JourneyState.FACE)

    def receipt_scanned(self, receipt_number: str, token: str) -> None:
        """attract (or identify, in the progress errand) → progress for the one case a receipt's
        QR code opens: a new session of the progress errand, holding the receipt instead of an
        identity."""
        if not (self.state is JourneyState.ATTRACT or (
                self.state is JourneyState.IDENTIFY and self.session.errand is Errand.PROGRESS)):
            raise TransitionRefused(f"a receipt's code is not taken in state {self.state}")
        self.session = CitizenSession(errand=Errand.PROGRESS, extras={
            RECEIPT_FIELD: {"receipt_number": receipt_number, "token": token}})
        self._go(JourneyState.PROGRESS)

    def notice_accepted(self) -> None:
        """notice → identify."""
        self._require(JourneyState.NOTICE)
        self._go(JourneyState.IDENTIFY)

    def document_read(self, identity: Any) -> None:
        """identify → face (or the errand's own next state), remembering the identity."""
        self._require(JourneyState.IDENTIFY)
        self.session.identity = identity
        self.session.photo_jpeg = None
        self._go(_AFTER_DOCUMENT[self.session.errand])

    def document_failed(self, message: str) -> None:
        """A read failed: stay on identify and tell the citizen what to do."""
        self._require(JourneyState.IDENTIFY)
        self.session.message = message

    def photo_taken(self, jpeg: bytes) -> None:
        """A photo was captured on the face screen; the citizen reviews it next."""
        self._require(JourneyState.FACE)
        self.session.photo_jpeg = jpeg
        self.session.message = None
        self.last_activity = self._clock()

    def photo_failed(self, message: str) -> None:
        """The camera could not take a photo; stay on face."""
        self._require(JourneyState.FACE)
        self.session.message = message

    def photo_discarded(self) -> None:
        """Retake: drop the captured photo and show the live preview again."""
        self._require(JourneyState.FACE)
        self.session.photo_jpeg = None
        self.last_activity = self._clock()

    def photo_accepted(self) -> None:
        """face → form, with the form prefilled from the identity (kept when coming back);
        face → certificates when the citizen came to print one."""
        self._require(JourneyState.FACE)
        if self.session.photo_jpeg is None:
            raise TransitionRefused("no photo to accept")
        if self.session.errand is Errand.CERTIFICATE:
            self._go(JourneyState.CERTIFICATES)
            return
        if self.session.form is None:
            self.session.form = self._make_form(self.session.form_definition, self.session.identity)
        self._go(JourneyState.FORM)

    def needs_materials(self) -> bool:
        """Whether the service asks for a required material scanned at the terminal."""
        return any(m.required for m in getattr(self.session.service, "scanned_materials", ()))

    def form_completed(self) -> bool:
        """form → review (→ materials first when the service needs them) when every relevant field
        is valid; otherwise stay and say so."""
        self._require(JourneyState.FORM)
        if not self.session.form.is_complete():
            # Every problem is then marked beneath its question, also on questions not yet touched.
            self.session.form.reveal_errors()
            self.session.message = "form_incomplete"
            self.last_activity = self._clock()
            return False
        self._go(JourneyState.MATERIALS if self.needs_materials() else JourneyState.REVIEW)
        return True

    def materials_completed(self) -> bool:
        """materials → review once every required material has a page; otherwise stay and say so."""
        self._require(JourneyState.MATERIALS)
        scans = self.session.materials
        if scans is None or scans.missing():
            self.session.message = "materials_missing"
            self.last_activity = self._clock()
            return False
        self._go(JourneyState.REVIEW)
        return True

    def review_confirmed(self, consented: bool) -> bool:
        """review → submitting, only with the citizen's consent to submit."""
        self._require(JourneyState.REVIEW)
        if not consented:
            self.session.message = "consent_required"
            return False
        self.session.consented = True
        self._go(JourneyState.SUBMITTING)
        return True

    # ---- terminal events -----------------------------------------------------------------
    def submission_queued(self, receipt_number: str) -> None:
        """submitting → printing: the submission is stored; its receipt number is final."""
        self._require(JourneyState.SUBMITTING)
        self.session.receipt_number = receipt_number
        self._go(JourneyState.PRINTING)

    def submission_failed(self, message: str) -> None:
        """submitting → review: nothing was stored; the citizen may try again or call staff."""
        self._require(JourneyState.SUBMITTING)
        self._go(JourneyState.REVIEW)
        self.session.message = message

    def receipt_printed(self) -> None:
        """printing → done."""
        self._require(JourneyState.PRINTING)
        self.session.printed = True
        self._go(JourneyState.DONE)

    def receipt_print_failed(self, message: str) -> None:
        """printing → done without paper: the done screen shows the receipt number instead."""
        self._require(JourneyState.PRINTING)
        self.session.printed = False
        self._go(JourneyState.DONE)
        self.session.message = message

    # ---- navigation and time -------------------------------------------------------------
    def went_back(self) -> WipeReason | None:
        """One step back; from notice this cancels the session (returns the wipe reason)."""
        if self.state is JourneyState.NOTICE:
            return self.wipe(WipeReason.CANCELLED)
        if self.state is JourneyState.IDENTIFY and self.session.errand is not Errand.APPLY:
            return self.wipe(WipeReason.CANCELLED)  # these errands have no notice before it
        if self.state is JourneyState.DONE:
            return self.wipe(WipeReason.FINISHED)
        target = _BACK_TARGET.get(self.state)
        if self.state is JourneyState.REVIEW and self.needs_materials():
            target = JourneyState.MATERIALS
        if target is None:
            raise TransitionRefused(f"no way back from {self.state}")
        if target is JourneyState.IDENTIFY:
            # Going back to identification means another document may be presented:
            # nothing read from the previous one may survive into the form.
            self.session.identity = None
            self.session.photo_jpeg = None
            self.session.form = None
            self.session.extras.pop("progress", None)  # the cases found for that document
            self.session.extras.pop(RECEIPT_FIELD, None)  # or for that receipt
            self.session.materials = None
        self._go(target)
        return None

    def finished(self) -> WipeReason | None:
        """The citizen pressed 'finish' or 'cancel': wipe and return to the start."""
        if self.state in BUSY_STATES:
            raise TransitionRefused("the terminal is still storing or printing")
        if self.state is JourneyState.ATTRACT:
            return None
        reason = WipeReason.FINISHED if self.state is JourneyState.DONE else WipeReason.CANCELLED
        return self.wipe(reason)

    def idle_seconds_left(self) -> float | None:
        """Seconds until the idle wipe while the warning is shown, else ``None``."""
        if self.state is JourneyState.ATTRACT or self.state in BUSY_STATES:
            return None
        timeout = self.done_timeout_s if self.state is JourneyState.DONE else self.idle_timeout_s
        left = timeout - (self._clock() - self.last_activity)
        warn = min(self.idle_warning_s, timeout)
        return max(0.0, left) if left <= warn else None

    def tick(self) -> WipeReason | None:
        """Advance time: wipes the session when the idle time has run out."""
        left = self.idle_seconds_left()
        if left is not None and left <= 0:
            return self.wipe(WipeReason.FINISHED if self.state is JourneyState.DONE else WipeReason.IDLE_TIMEOUT)
        return None

    def wipe(self, reason: WipeReason) -> WipeReason:
        """Forget everything of the citizen and return to the attract screen."""
        self.session = CitizenSession()
        self.state = JourneyState.ATTRACT
        self.last_activity = self._clock()
        return reason
