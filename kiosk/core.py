"""The application core: the journey, the devices, the outbox and sync, wired together.

Threads (DESIGN §3): the ``journey`` thread owns the :class:`~kiosk.journey.Journey` and every
piece of citizen data; each device has its owner thread (:mod:`kiosk.devices`); the outbox writer
and the sync worker have one each; a ticker drives the idle clock. Public commands only post work
to the journey thread, so the GUI thread can call them freely and never waits. Results come back
as events (:mod:`kiosk.events`).

Over 400 lines, knowingly: the steps reach into this class's members, so splitting it by job
means first giving them a narrow port of their own (the core redesign); a split before that would
only move the private reaches into more files.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.idcard import DemoDocuments

from . import events as ev
from .applicant import prefill_values
from .audit import AuditLog
from .audit_hooks import SessionAuditor
from .config import KioskConfig
from .face import FaceStep, face_view
from .face_preview import FacePreview
from .fleet_status import FleetStatus
from .identify import IdentifyStep
from .journey import Journey, JourneyState, TransitionRefused, WipeReason
from .left_document import LeftDocumentGuard
from .preferences import DEFAULTS as PREFERENCE_DEFAULTS
from .preferences import SessionPreferences
from .printing import PrintStep
from .restart_window import RESTART_EXIT_CODE, RestartPlanner
from .safe_log import describe_exception
from .storing import StoreStep
from .view import build_snapshot

if TYPE_CHECKING:
    from .catalog import Catalog
    from .devices import DeviceManager
    from .forms import FormSession
    from .submission import SubmissionWriter
    from .sync_service import SyncService

log = logging.getLogger(__name__)

#: How long services wait for the UI's first frame before starting anyway.
_SERVICES_AFTER_SCREEN_WAIT_S = 3.0


class KioskCore:
    """The whole terminal minus its screen. Construct, :meth:`start`, drive, :meth:`stop`."""

    def __init__(
        self,
        config: KioskConfig,
        *,
        data_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        tick_interval_s: float = 0.5,
        restart_planner: RestartPlanner | None = None,
    ) -> None:
        self.config = config
        self.events = ev.EventHub()
        self.data_dir = Path(data_dir) if data_dir else config.storage.resolved_data_dir()
        # Hash-linked trail of staff actions, sessions and device faults (no personal data).
        self.audit = AuditLog.for_terminal(self.data_dir, config.central.platform_keys_file)
        SessionAuditor(self.audit).attach(self.events)
        self._fleet = FleetStatus(self.audit.head)  # devices, alerts, audit head for heartbeats
        self._fleet.attach(self.events)
        self.language = config.ui.language
        self.catalog: Catalog | None = None
        self._clock = clock
        self._tick_interval_s = tick_interval_s
        self._journey_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journey")
        self._journey: Journey | None = None
        self._devices: DeviceManager | None = None
        self._writer: SubmissionWriter | None = None
        self._sync: SyncService | None = None
        self._snapshot: dict[str, Any] = {}
        self._snapshot_lock = threading.Lock()
        self._face = FaceStep(config.face)
        self._preview = FacePreview(self, self._face)
        self._staff_called = False
        self._preferences = SessionPreferences()  # elder mode, voice: reset on every wipe
        self._stopping = threading.Event()
        self._screen_shown = threading.Event()
        self._ticker: threading.Thread | None = None
        self._last_countdown: int | None = None
        self._printing = PrintStep(self)
        self._storing = StoreStep(self)
        self._identify = IdentifyStep(self)
        self._left_document = LeftDocumentGuard(self)  # kiosk/left_document.py
        # terminal.restart_window: asked on every clock tick (kiosk/restart_window.py).
        self._restart = restart_planner or RestartPlanner.from_config(config.terminal.restart_window)
        #: Checks that must all be False for the nightly restart to happen (maintenance mode adds
        #: one); called on the journey thread.
        self.restart_blockers: list[Callable[[], bool]] = []

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self, *, services_after_screen: bool = False) -> None:
        """Start the terminal and return at once; the attract screen's data follows as an event.

        Everything else (catalog, devices, store, sync) starts on the journey thread, so the
        window can appear while it loads; commands posted meanwhile queue behind it. With
        ``services_after_screen`` the devices, store and sync start only once the UI calls
        :meth:`screen_shown` (or after a few seconds): their imports and device warm-up would
        otherwise compete with the GUI thread for the interpreter while it builds the first frame.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not services_after_screen:
            self._screen_shown.set()
        self._journey_thread.submit(self._start_services)
        self._ticker = threading.Thread(target=self._tick_loop, name="journey-clock", daemon=True)
        self._ticker.start()

    def _start_services(self) -> None:
        # Imported here, on the journey thread, to keep their libraries (jsonschema, OpenCV,
        # sqlite-utils, cryptography, httpx) off the GUI thread's path to the first frame.
        from .pulled_catalog import load_catalog

        # The platform's last good catalog when the worker has pulled one, else the packaged one.
        self.catalog = load_catalog(self.data_dir / "kiosk.db")
        timing = self.config.journey
        self._journey = Journey(
            self._clock, self._make_form, timing.idle_timeout_s, timing.idle_warning_s, timing.done_timeout_s
        )
        self._publish_snapshot()  # the attract screen needs nothing more
        self._screen_shown.wait(_SERVICES_AFTER_SCREEN_WAIT_S)
        # Recorded only now: the audit writer's first event imports the store's libraries, which
        # would compete with the GUI thread for the interpreter while it builds the first frame.
        self.audit.record("terminal.started", terminal=self.config.terminal.terminal_id)

        from .devices import DeviceManager
        from .enrollment import Enrollment
        from .receipts import report_unprinted
        from .submission import SubmissionWriter
        from .sync_service import SyncService

        self._devices = DeviceManager(self.config.devices, self.events, self.data_dir)
        self.events.subscribe(self._on_device_event)
        self._devices.open_all()
        enrollment = Enrollment(self.data_dir, self.config.central.platform_keys_file)
        self._writer = SubmissionWriter(
            self.data_dir / "kiosk.db",
            enrollment,
            self.config.terminal.site_code,
            self.config.terminal.terminal_id,
            self.config.storage.min_free_mb * 1024 * 1024,
        )
        # Once the store is open: receipts owed since the last run (it died before printing).
        self._writer.start().add_done_callback(lambda _: report_unprinted(self.data_dir, self.audit))
        self._sync = SyncService(
            self.data_dir / "kiosk.db", enrollment, self.config.central, self.events,
            status=self._fleet.heartbeat_fields,
        )
        self._fleet.seed_devices(self._devices.statuses())
        self._fleet.on_alert = self._sync.heartbeat_now
        self._sync.start()
        self._publish_snapshot()

    def screen_shown(self) -> None:
        """The UI has shown its first frame: devices, store and sync may start now (any thread)."""
        self._screen_shown.set()

    def stop(self) -> None:
        """Stop every worker and join it; safe to call twice."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._screen_shown.set()
        self._preview.stop()
        if self._ticker is not None:
            self._ticker.join()
        self._journey_thread.submit(self._wipe_for_shutdown).result()
        self._journey_thread.shutdown(wait=True)
        if self._sync is not None:
            self._sync.stop()
        if self._writer is not None:
            self._writer.stop()
        if self._devices is not None:
            self._devices.close_all()
        self._face.shutdown()
        self.audit.record("terminal.stopped")
        self.audit.close()

    def _wipe_for_shutdown(self) -> None:
        if self._journey is not None and self._journey.state is not JourneyState.ATTRACT:
            self._journey.wipe(WipeReason.CANCELLED)

    # ---- reading state (any thread) -------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The current screen model (see :func:`kiosk.view.build_snapshot`); never mutated."""
        with self._snapshot_lock:
            return self._snapshot

    def latest_frame(self) -> Any:
        """The newest preview frame, or ``None``; older frames are dropped, never queued."""
        return self._preview.latest_frame()

    def current_photo(self) -> bytes | None:
        """The captured photo (JPEG) of the citizen at the terminal, if any."""
        journey = self._journey
        return journey.session.photo_jpeg if journey is not None else None

    # ---- commands (any thread, never blocking) ---------------------------------------------
    def touched(self) -> None:
        """Any touch on the screen: extends the idle time."""
        self._post(self._journey_required().touched, changed=self._last_countdown is not None)

    def set_language(self, language: str) -> None:
        """Switch the language of everything the core hands to the screen."""
        def switch() -> None:
            if language not in ("zh-CN", "en"):
                raise TransitionRefused(f"unsupported language {language}")
            self.language = language
        self._post(switch)

    def choose_service(self, service_id: str) -> None:
        """The citizen picked a service on the attract screen."""
        def choose() -> None:
            service = self.catalog.service(service_id)
            self._journey.service_chosen(service, self.catalog.form_for(service_id))
        self._post(choose)

    def accept_notice(self) -> None:
        """The citizen has read the notice: wait for a document."""
        def accept() -> None:
            self._journey.notice_accepted()
            self._identify.start()
        self._post(accept)

    def present_demo_document(self, key: str) -> None:
        """Demo mode: place a sample document on the simulated reader."""
        def present() -> None:
            reader = self._devices["id_reader"].driver
            if not isinstance(reader, DemoDocuments):
                raise TransitionRefused("the configured reader is not simulated")
            self._left_document.after_check(lambda: reader.present(key))
        self._post(present, changed=False)

    def take_back_demo_document(self) -> None:
        """Demo mode: the citizen takes the document off the simulated reader."""
        def take_back() -> None:
            reader = self._devices["id_reader"].driver
            if not isinstance(reader, DemoDocuments):
                raise TransitionRefused("the configured reader is not simulated")
            reader.remove()
        self._post(take_back, changed=False)

    def enter_access_key(self, document_number: str, birth_date: str, expiry_date: str, can: str = "") -> None:
        """The citizen typed a passport's access key (dates YYMMDD), or its 6-digit CAN."""
        self._post(lambda: self._identify.access_key_entered(document_number, birth_date, expiry_date, can))

    def capture_photo(self) -> None:
        """Take the photo from the newest preview frame."""
        self._post(self._preview.capture)

    def retake_photo(self) -> None:
        """Drop the captured photo and show the live preview again."""
        def retake() -> None:
            self._journey.photo_discarded()
            self._preview.retake()
        self._post(retake)

    def accept_photo(self) -> None:
        """Use the captured photo and go on to the form."""
        self._post(self._journey_required().photo_accepted)

    def set_field_value(self, field_id: str, value: Any) -> None:
        """The citizen changed one answer on the form."""
        def set_value() -> None:
            if self._journey.state is not JourneyState.FORM:
                raise TransitionRefused("no form is open")
            self._journey.touched()
            self._journey.session.form.set_value(field_id, value)
        self._post(set_value)

    def complete_form(self) -> None:
        """The citizen finished the form: review it if everything is valid."""
        self._post(self._journey_required().form_completed)

    def confirm_submission(self, consented: bool) -> None:
        """The citizen confirmed the review: store, then print."""
        def confirm() -> None:
            if self._journey.review_confirmed(consented):
                self._storing.start()
        self._post(confirm)

    def back(self) -> None:
        """One step back (from the notice: cancel the session)."""
        def back() -> None:
            self._after_wipe(self._journey.went_back())
            self._enter_state_effects()
        self._post(back)

    def finish(self) -> None:
        """Finish or cancel: wipe everything of this citizen and return to the start."""
        self._post(lambda: self._after_wipe(self._journey.finished()))

    def rate_service(self, level: int, reasons: list[str]) -> None:
        """好差评 on the done screen: one touch rates the service (once per session); queued
        like a submission (``kiosk/rating.py``)."""
        from .rating import rate_session

        self._post(lambda: rate_session(self._journey, self._writer, self._sync, level, reasons))

    def call_staff(self) -> None:
        """Alert staff that this citizen needs help (works on every screen)."""
        def call() -> None:
            self._staff_called = True
            self.events.publish(ev.STAFF_CALLED, terminal_id=self.config.terminal.terminal_id,
                                screen=self._journey.state.value)
            log.warning("staff called at screen %s", self._journey.state.value)
        self._post(call)

    def recover(self) -> None:
        """After an unexpected error: wipe the session, whatever its state, and show the start."""
        def recover() -> None:
            if self._journey is not None and self._journey.state is not JourneyState.ATTRACT:
                self._after_wipe(self._journey.wipe(WipeReason.ERROR))
        self._post(recover)

    def set_preference(self, name: str, value: bool) -> None:
        """This citizen's choice of ``elder_mode`` or ``voice_muted`` (see :mod:`kiosk.preferences`)."""
        def choose() -> None:
            if name not in PREFERENCE_DEFAULTS:
                raise TransitionRefused(f"unknown preference {name}")
            self._preferences.set(name, value, self._clock())
            self._journey.touched()
        self._post(choose)

    def set_document_renderer(self, renderer: Callable[[dict[str, Any], dict[str, Any]], bytes] | None) -> None:
        """Register how A4 forms become PDF bytes (the UI registers Qt's; the core imports no Qt).

        ``renderer(printable, meta)`` gets the form's filled print layout
        (:meth:`~kiosk.forms.FormSession.printable`) and ``{"receipt_number", "service",
        "accepted_at", "hall"}``, and returns a PDF. It runs on the document printer's owner
        thread, so it must not touch GUI objects. ``None`` turns A4 printing off.
        """
        self._printing.document_renderer = renderer

    # ---- journey thread internals ---------------------------------------------------------
    def _journey_required(self) -> Journey:
        if self._journey is None:
            raise RuntimeError("KioskCore.start() has not been called")
        return self._journey

    def _post(self, action: Callable[[], Any], changed: bool = True) -> Future[None]:
        def run() -> None:
            try:
                action()
                if changed:
                    self._publish_snapshot()
            except TransitionRefused as exc:
                log.debug("ignored: %s", exc)
            except Exception as exc:
                # Type and stack only: the message may hold the citizen's data.
                log.error("journey action failed: %s", describe_exception(type(exc), exc.__traceback__))
                # The crash handler (ui/crash.py) decides: back to the start, or restart.
                self.events.publish(ev.UNEXPECTED_ERROR, where="journey", error=type(exc).__name__)
        try:
            return self._journey_thread.submit(run)
        except RuntimeError:  # shut down: late device callbacks have nowhere to go
            future: Future[None] = Future()
            future.set_result(None)
            return future

    def _publish_snapshot(self) -> None:
        journey = self._journey
        left = journey.idle_seconds_left()
        self._last_countdown = None if left is None else int(left + 0.999)
        snapshot = build_snapshot(
            journey=journey,
            catalog=self.catalog,
            language=self.language,
            config=self.config,
            idle_seconds_left=self._last_countdown,
            staff_called=self._staff_called,
            devices=self._devices.statuses() if self._devices else {},
            demo_documents=self._demo_documents(),
            face=face_view(self._preview.view, journey.session.extras.get("face_verification"), self.language),
            sync_paused=self._sync is not None and self._sync.paused_reason is not None,
        )
        snapshot["access_key"] = dict(self._identify.access_key_view)
        snapshot.update(self._preferences.view())
        snapshot.update(self._left_document.view())
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

    def _make_form(self, definition: Any, identity: Any) -> FormSession:
        from .forms import FormSession

        return FormSession(definition, prefill_values(identity))

    def _after_wipe(self, reason: WipeReason | None) -> None:
        if reason is None:
            return
        self._preview.forget()
        self._identify.forget()
        self._staff_called = False
        self._preferences.reset()
        self.language = self.config.ui.language  # each citizen starts from the terminal's defaults
        self._left_document.remind()  # a document still on the reader is not the next citizen's
        self._printing.discard_form_jobs()
        self.events.publish(ev.SESSION_WIPED, reason=reason.value)
        log.info("session wiped: %s", reason.value)

    def _enter_state_effects(self) -> None:
        state = self._journey.state
        if state is JourneyState.IDENTIFY:
            self._identify.start()
        elif state is JourneyState.FACE and self._journey.session.photo_jpeg is None:
            self._preview.start()
        else:
            self._preview.stop()

    def _tick_loop(self) -> None:
        while not self._stopping.wait(self._tick_interval_s):
            self._post(self._tick, changed=False)

    def _tick(self) -> None:
        journey = self._journey
        if journey is None:
            return
        reason = journey.tick()
        if reason is not None:
            self._after_wipe(reason)
            self._publish_snapshot()
            return
        left = journey.idle_seconds_left()
        countdown = None if left is None else int(left + 0.999)
        expired = journey.state is JourneyState.ATTRACT and self._preferences.expire(
            self._clock(), journey.last_activity, self.config.journey.idle_timeout_s)
        if countdown != self._last_countdown or expired:
            self._publish_snapshot()
        if not any(blocked() for blocked in self.restart_blockers) and self._restart.check(
                journey.state is JourneyState.ATTRACT, self._clock() - journey.last_activity):
            log.info("nightly restart window: restarting")
            self.events.publish(ev.RESTART_DUE, exit_code=RESTART_EXIT_CODE)

    # ---- devices --------------------------------------------------------------------------
    def _on_device_event(self, event: ev.Event) -> None:
        # A sync pause (or its end) changes the staff notice: refresh the screen model too.
        sync_turn = event.name == ev.SYNC_PROGRESSED and event.data.get("step") in (
            "sync_paused", "sync_resumed", "sync_completed")
        if (event.name == ev.DEVICE_STATUS_CHANGED or sync_turn) and not self._stopping.is_set():
            self._post(lambda: None)

    def outbox_counts(self) -> dict[str, int]:
        """Outbox counts by state; blocks briefly on the writer thread (not for the GUI thread)."""
        return self._writer.counts().result()
