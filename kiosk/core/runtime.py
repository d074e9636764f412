"""The journey thread and everything it owns: the journey, the steps, the screen model, the clock.

:class:`JourneyRuntime` implements the steps' port (:class:`~kiosk.core.port.StepContext`) and is
the one place where a step's hand-off turns into the next step. :class:`~kiosk.core.KioskCore`
is the terminal's public face (lifecycle and commands) and delegates here.

Threads: one :class:`~drivers.common.OwnerThread` named ``journey`` owns the
:class:`~kiosk.core.journey.Journey` and every piece of citizen data; its timers drive the idle
clock and the steps' polls, so no thread is started per tick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.common import OwnerThread
from drivers.idcard import DemoDocuments

from .. import events as ev
from ..face import FaceStep, face_view
from ..preferences import SessionPreferences
from ..restart_window import RESTART_EXIT_CODE, RestartPlanner
from .certificates import CertificateStep
from .face_preview import FacePreview
from .identify import IdentifyStep
from .journey import Journey, JourneyState, TransitionRefused, WipeReason
from .left_document import LeftDocumentGuard
from .materials import MaterialsCommands, MaterialsStep
from .netid import NetIdStep
from .printing import PrintStep
from .progress import ProgressStep
from .storing import StoreStep
from .view import build_snapshot

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config import KioskConfig
    from ..devices import DeviceManager
    from ..submission import Accepted, SubmissionWriter
    from ..sync_service import SyncService

log = logging.getLogger(__name__)


class JourneyRuntime:
    """The journey thread's world; implements :class:`~kiosk.core.port.StepContext`."""

    def __init__(self, config: KioskConfig, events: ev.EventHub, data_dir: Path, clock: Callable[[], float],
                 face: FaceStep, restart: RestartPlanner) -> None:
        """Build the steps; nothing runs until :meth:`post` (any thread)."""
        self.config = config
        self.events = events
        self.data_dir = data_dir
        self.now = clock
        self.language: str = config.ui.language
        self.catalog: Catalog | None = None
        self.thread = OwnerThread("journey", on_failure=self._failed)
        self.writer: SubmissionWriter | None = None
        self.sync: SyncService | None = None
        #: Checks that must all be False for the nightly restart to happen (journey thread).
        self.restart_blockers: list[Callable[[], bool]] = []
        self.staff_called = False
        self.preferences = SessionPreferences()  # elder mode, voice: reset on every wipe
        self.stopped = threading.Event()
        self._restart = restart
        self._journey: Journey | None = None
        self._devices: DeviceManager | None = None
        self._snapshot: dict[str, Any] = {}
        self._snapshot_lock = threading.Lock()
        self._last_countdown: int | None = None
        self.preview = FacePreview(self, face)
        self.printing = PrintStep(self)
        self.storing = StoreStep(self, self._writer, self.printing.receipt_factory)
        self.identify = IdentifyStep(self)
        self.left_document = LeftDocumentGuard(self)
        self.progress = ProgressStep(self, lambda: self.catalog)
        self.netid = NetIdStep(self)
        self.materials = MaterialsStep(self)
        self.materials_commands = MaterialsCommands(self, self.materials)
        self.certificates = CertificateStep(self)

    # ---- the port: state ------------------------------------------------------------------
    @property
    def journey(self) -> Journey:
        """The journey; raises until :meth:`begin` (journey thread)."""
        if self._journey is None:
            raise RuntimeError("KioskCore.start() has not been called")
        return self._journey

    @property
    def devices(self) -> DeviceManager:
        """The devices; raises until :meth:`attach_services` (any thread)."""
        if self._devices is None:
            raise RuntimeError("the devices are not open yet")
        return self._devices

    @property
    def devices_open(self) -> bool:
        """True once the devices are open (any thread)."""
        return self._devices is not None

    @property
    def started(self) -> bool:
        """True once the journey exists (any thread)."""
        return self._journey is not None

    @property
    def stopping(self) -> bool:
        """True once shutdown began (any thread)."""
        return self.stopped.is_set()

    def _writer(self) -> SubmissionWriter:
        if self.writer is None:
            raise RuntimeError("the outbox writer is not open yet")
        return self.writer

    # ---- the port: scheduling ---------------------------------------------------------------
    def post(self, action: Callable[[], object], *, publish: bool = False) -> Future[None]:
        """Run ``action`` on the journey thread, then publish if asked (any thread; see the port)."""
        def run() -> None:
            try:
                action()
            except TransitionRefused as exc:
                log.debug("ignored: %s", exc)
                return
            if publish:
                self.publish()
        return self.thread.post(run)

    def post_later(self, delay_s: float, action: Callable[[], object]) -> Future[None]:
        """Run ``action`` on the journey thread after ``delay_s`` seconds (any thread)."""
        def run() -> None:
            try:
                action()
            except TransitionRefused as exc:
                log.debug("ignored: %s", exc)
        return self.thread.post_later(delay_s, run)

    def _failed(self, exc: BaseException) -> None:
        # Logged already (type and stack only); the UI's supervisor decides: back to the start,
        # or restart (ui/supervisor.py).
        self.events.publish(ev.UNEXPECTED_ERROR, where="journey", error=type(exc).__name__)

    # ---- set-up (journey thread) ------------------------------------------------------------
    def begin(self, catalog: Catalog, journey: Journey) -> None:
        """The catalog and the journey are ready: the attract screen can be shown."""
        self.catalog = catalog
        self._journey = journey
        self.publish()

    def attach_services(self, devices: DeviceManager, writer: SubmissionWriter, sync: SyncService) -> None:
        """The devices are open, the outbox writer and sync started."""
        self._devices, self.writer, self.sync = devices, writer, sync
        self.events.subscribe(self._on_service_event)
        self.netid.attach()

    # ---- the screen model -------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The newest screen model; never mutated (any thread)."""
        with self._snapshot_lock:
            return self._snapshot

    def publish(self) -> None:
        """Rebuild the screen model and publish ``journey_changed`` (journey thread)."""
        journey = self.journey
        left = journey.idle_seconds_left()
        self._last_countdown = None if left is None else int(left + 0.999)
        snapshot = build_snapshot(
            journey=journey,
            catalog=self.catalog,
            language=self.language,
            config=self.config,
            idle_seconds_left=self._last_countdown,
            staff_called=self.staff_called,
            devices=self._devices.statuses() if self._devices else {},
            demo_documents=self._demo_documents(),
            face=face_view(self.preview.view, journey.session.extras.get("face_verification"), self.language),
            sync_paused=self.sync is not None and self.sync.paused_reason is not None,
        )
        snapshot["access_key"] = dict(self.identify.access_key_view)
        snapshot.update(self.preferences.view())
        snapshot.update(self.left_document.view())
        snapshot["progress"] = self.progress.view()
        snapshot["netid"] = self.netid.view(self.language)
        snapshot["materials"] = self.materials.view(self.language)
        snapshot["certificates"] = self.certificates.view()
        with self._snapshot_lock:
            self._snapshot = snapshot
        self.events.publish(ev.JOURNEY_CHANGED, snapshot=snapshot)

    def _demo_documents(self) -> list[dict[str, str]]:
        if self._devices is None:
            return []
        reader = self._devices["id_reader"].driver
        if not self.config.ui.demo_controls or not isinstance(reader, DemoDocuments):
            return []
        return [{"key": key, "label": label} for key, label in reader.available_documents()]

    # ---- hand-offs: what follows what (journey thread) --------------------------------------
    def document_read(self) -> None:
        """Identify read a document (or a 网证 code): the face step's preview starts, or, in the
        progress errand, the lookup of the citizen's cases."""
        self.netid.clear()  # a refusal shown before is not shown again on coming back
        if self.journey.state is JourneyState.PROGRESS:
            self.progress.start()
        else:
            self.preview.start()

    def receipt_scanned(self, receipt_number: str, token: str) -> None:
        """A receipt's QR code was scanned on the start screen (or on the progress errand's
        identify screen): the progress of that one case, asked without an identity."""
        self.journey.receipt_scanned(receipt_number, token)
        self.identify.forget_session()  # from identify: the wait for a document ends
        self.netid.clear()
        self.progress.start()

    def when_reader_clear(self, then: Callable[[], None]) -> None:
        """Identify starts: ``then`` runs once no document from before lies on the reader."""
        self.left_document.before_read(then)

    def submission_stored(self, accepted: Accepted) -> None:
        """Stored: sync sends it soon, and printing starts."""
        if self.sync is not None:
            self.sync.sync_now()
        self.printing.start(accepted)

    def form_completed(self) -> None:
        """The citizen finished the form: on to the scanning step or the review."""
        if self.journey.form_completed() and self.journey.state is JourneyState.MATERIALS:
            self.materials.start()

    def photo_accepted(self) -> None:
        """The citizen accepted the photo: the form, or the certificates (their step starts)."""
        self.journey.photo_accepted()
        self.certificates.entered()

    def receipt_settled(self) -> None:
        """The done screen: remind to take the document back."""
        self.left_document.remind()

    def session_wiped(self, reason: WipeReason | None) -> None:
        """Everything of the citizen is forgotten; the next one starts from the defaults."""
        if reason is None:
            return
        self.preview.forget()
        self.materials.forget()
        self.identify.forget_session()
        self.progress.forget()
        self.netid.clear()
        self.certificates.forget()
        self.staff_called = False
        self.preferences.reset()
        self.language = self.config.ui.language
        if self._devices is not None:
            self.identify.forget_access_key()
            self.left_document.remind()  # a document still on the reader is not the next citizen's
            self.printing.discard_form_jobs()
        self.events.publish(ev.SESSION_WIPED, reason=reason.value)
        log.info("session wiped: %s", reason.value)

    def state_entered(self) -> None:
        """After a step back: start what the screen now shown needs."""
        journey = self.journey
        if journey.state is JourneyState.IDENTIFY:
            self.identify.start()
        elif journey.state is JourneyState.FACE and journey.session.photo_jpeg is None:
            self.preview.start()
        else:
            self.preview.stop()
        if journey.state is JourneyState.MATERIALS:
            self.materials.start()
        else:
            self.materials.stop()

    # ---- the idle clock (journey thread) ----------------------------------------------------
    def start_clock(self, interval_s: float) -> None:
        """Tick every ``interval_s`` on the journey thread until shutdown (any thread)."""
        def ticking() -> None:
            self.tick()
            if not self.stopping:
                self.thread.post_later(interval_s, ticking)
        self.thread.post_later(interval_s, ticking)

    def tick(self) -> None:
        """Idle timeouts, the countdown on screen, preference expiry, the nightly restart."""
        journey = self._journey
        if journey is None:
            return
        reason = journey.tick()
        if reason is not None:
            self.session_wiped(reason)
            self.publish()
            return
        left = journey.idle_seconds_left()
        countdown = None if left is None else int(left + 0.999)
        expired = journey.state is JourneyState.ATTRACT and self.preferences.expire(
            self.now(), journey.last_activity, self.config.journey.idle_timeout_s)
        if countdown != self._last_countdown or expired:
            self.publish()
        if not any(blocked() for blocked in self.restart_blockers) and self._restart.check(
                journey.state is JourneyState.ATTRACT, self.now() - journey.last_activity):
            log.info("planned restart (the restart window, or a new version to start)")
            self.events.publish(ev.RESTART_DUE, exit_code=RESTART_EXIT_CODE)

    @property
    def countdown_shown(self) -> bool:
        """True while the screen shows the idle countdown (journey thread)."""
        return self._last_countdown is not None

    def _on_service_event(self, event: ev.Event) -> None:
        if event.name == ev.RECEIPT_CODE_SCANNED and not self.stopping:
            number, token = event.data["receipt_number"], event.data["token"]
            self.post(lambda: self.receipt_scanned(number, token), publish=True)
            return
        # A device's status, or a sync pause (or its end), changes the screen model: refresh it.
        sync_turn = event.name == ev.SYNC_PROGRESSED and event.data.get("step") in (
            "sync_paused", "sync_resumed", "sync_completed")
        if (event.name == ev.DEVICE_STATUS_CHANGED or sync_turn) and not self.stopping:
            self.post(lambda: None, publish=True)
