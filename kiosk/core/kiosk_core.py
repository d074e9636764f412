"""The application core: the journey, the devices, the outbox and sync, wired together.

Threads (``docs/architecture.md``): the ``journey`` thread owns the
:class:`~kiosk.core.journey.Journey` and every piece of citizen data
(:class:`~kiosk.core.runtime.JourneyRuntime`); each device has its owner thread
(:mod:`kiosk.devices`); the outbox writer and the sync worker have one each. Public commands only
post work to the journey thread, so the GUI thread can call them freely and never waits. Results
come back as events (:mod:`kiosk.events`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.idcard import DemoDocuments

from .. import events as ev
from ..applicant import prefill_values
from ..audit import AuditLog
from ..audit_hooks import SessionAuditor
from ..citizen_presence import FLAG_NAME, CitizenPresence
from ..config import KioskConfig
from ..face import FaceStep
from ..fleet_status import FleetStatus
from ..preferences import DEFAULTS as PREFERENCE_DEFAULTS
from ..releases import Installation, SwitchWatch
from ..restart_window import RestartPlanner
from .journey import Errand, Journey, JourneyState, TransitionRefused, WipeReason
from .netid import NetIdCommands
from .runtime import JourneyRuntime
from .services import start_services

if TYPE_CHECKING:
    from ..devices import DeviceManager
    from ..forms import FormSession
    from ..sync_service import SyncService
    from .certificates import CertificateStep
    from .materials import MaterialsCommands
    from .progress import ProgressStep

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
        # Devices, alerts, audit head and the software's version and updates, for heartbeats.
        self._fleet = FleetStatus(self.audit.head, update=Installation(
            Path(config.updates.install_dir), health_s=config.updates.health_s).summary)
        self._fleet.attach(self.events)
        # Updates download only between citizens (kiosk/citizen_presence.py).
        CitizenPresence(self.data_dir / FLAG_NAME).attach(self.events)
        self._clock = clock
        self._tick_interval_s = tick_interval_s
        self._face = FaceStep(config.face)
        # terminal.restart_window: asked on every clock tick (kiosk/restart_window.py).
        # ... and at the first quiet moment after an update was switched to (kiosk/releases.py).
        restart = restart_planner or RestartPlanner.from_config(
            config.terminal.restart_window,
            switched=SwitchWatch(Path(config.updates.install_dir)).switched)
        self._runtime = JourneyRuntime(config, self.events, self.data_dir, clock, self._face, restart)
        self._screen_shown = threading.Event()
        #: Checks that must all be False for the nightly restart to happen (maintenance mode adds
        #: one); called on the journey thread.
        self.restart_blockers: list[Callable[[], bool]] = self._runtime.restart_blockers

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
        self._runtime.thread.submit(self._start_services)
        self._runtime.start_clock(self._tick_interval_s)

    def _start_services(self) -> None:
        # Imported here, on the journey thread, to keep their libraries (jsonschema, OpenCV,
        # sqlite-utils, cryptography, httpx) off the GUI thread's path to the first frame.
        from ..pulled_catalog import load_catalog

        runtime = self._runtime
        timing = self.config.journey
        # The platform's last good catalog when the worker has pulled one, else the packaged one.
        runtime.begin(load_catalog(self.data_dir / "kiosk.db"), Journey(
            self._clock, self._make_form, timing.idle_timeout_s, timing.idle_warning_s, timing.done_timeout_s))
        self._screen_shown.wait(_SERVICES_AFTER_SCREEN_WAIT_S)
        # Recorded only now: the audit writer's first event imports the store's libraries, which
        # would compete with the GUI thread for the interpreter while it builds the first frame.
        self.audit.record("terminal.started", terminal=self.config.terminal.terminal_id)
        start_services(self.config, self.data_dir, self.events, self.audit, self._fleet, runtime)

    def screen_shown(self) -> None:
        """The UI has shown its first frame: devices, store and sync may start now (any thread)."""
        self._screen_shown.set()

    def stop(self) -> None:
        """Stop every worker and join it; safe to call twice."""
        runtime = self._runtime
        if runtime.stopping:
            return
        runtime.stopped.set()
        self._screen_shown.set()
        runtime.preview.stop()
        runtime.progress.stop()
        with contextlib.suppress(RuntimeError):  # stopped already
            runtime.thread.submit(self._wipe_for_shutdown).result()
        runtime.thread.stop(wait=True, cancel_pending=False)
        runtime.certificates.stop()
        if runtime.sync is not None:
            runtime.sync.stop()
        if runtime.writer is not None:
            runtime.writer.stop()
        if runtime.devices_open:
            runtime.devices.close_all()
        runtime.netid.stop()
        self._face.shutdown()
        self.audit.record("terminal.stopped")
        self.audit.close()

    def _wipe_for_shutdown(self) -> None:
        runtime = self._runtime
        if runtime.started and runtime.journey.state is not JourneyState.ATTRACT:
            runtime.journey.wipe(WipeReason.CANCELLED)

    # ---- reading state (any thread) -------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The current screen model (see :func:`kiosk.core.view.build_snapshot`); never mutated."""
        return self._runtime.snapshot()

    def latest_frame(self) -> Any:
        """The newest preview frame, or ``None``; older frames are dropped, never queued."""
        return self._runtime.preview.latest_frame()

    def current_photo(self) -> bytes | None:
        """The captured photo (JPEG) of the citizen at the terminal, if any."""
        runtime = self._runtime
        return runtime.journey.session.photo_jpeg if runtime.started else None

    @property
    def catalog(self) -> Any:
        """The service catalog the attract screen offers, or ``None`` before it is loaded."""
        return self._runtime.catalog

    @property
    def devices(self) -> DeviceManager | None:
        """The devices (each behind its owner thread), or ``None`` before they are open."""
        return self._runtime.devices if self._runtime.devices_open else None

    @property
    def progress(self) -> ProgressStep:
        """The progress errand's commands (``retry``, ``print_slip``, ``submit_corrections``; any
        thread, never blocking)."""
        return self._runtime.progress

    @property
    def netid(self) -> NetIdCommands:
        """The 网证 commands (demo codes; ``kiosk/core/netid.py``), posting like the others."""
        return NetIdCommands(self._runtime.post, self._runtime.netid)

    @property
    def materials(self) -> MaterialsCommands:
        """The scanning step's commands and images (any thread, never blocking)."""
        return self._runtime.materials_commands

    @property
    def certificates(self) -> CertificateStep:
        """The certificate journey's commands (select, print, back to the list); any thread."""
        return self._runtime.certificates

    @property
    def sync(self) -> SyncService | None:
        """The sync service (see :attr:`~kiosk.sync_service.SyncService.running`), or ``None``
        before it is built."""
        return self._runtime.sync

    # ---- commands (any thread, never blocking) ---------------------------------------------
    def _post(self, action: Callable[[], object], changed: bool = True) -> Future[None]:
        """Run ``action`` on the journey thread; publish the screen after it when ``changed``."""
        return self._runtime.post(action, publish=changed)

    def touched(self) -> None:
        """Any touch on the screen: extends the idle time."""
        runtime = self._runtime
        self._post(lambda: runtime.journey.touched(), changed=runtime.countdown_shown)

    def set_language(self, language: str) -> None:
        """Switch the language of everything the core hands to the screen."""
        def switch() -> None:
            if language not in ("zh-CN", "en"):
                raise TransitionRefused(f"unsupported language {language}")
            self._runtime.language = language
        self._post(switch)

    def choose_service(self, service_id: str) -> None:
        """The citizen picked a service on the attract screen."""
        def choose() -> None:
            catalog = self._runtime.catalog
            if catalog is None:
                raise TransitionRefused("no catalog yet")
            self._runtime.journey.service_chosen(catalog.service(service_id), catalog.form_for(service_id))
        self._post(choose)

    def choose_errand(self, errand: str) -> None:
        """The citizen came to follow progress (``"progress"``) or print a certificate
        (``"certificate"``): straight to presenting a document."""
        def choose() -> None:
            self._runtime.journey.errand_chosen(Errand(errand))
            self._runtime.identify.start()
        self._post(choose)

    def accept_notice(self) -> None:
        """The citizen has read the notice: wait for a document."""
        def accept() -> None:
            self._runtime.journey.notice_accepted()
            self._runtime.identify.start()
        self._post(accept)

    def present_demo_document(self, key: str) -> None:
        """Demo mode: place a sample document on the simulated reader."""
        def present() -> None:
            reader = self._runtime.devices["id_reader"].driver
            if not isinstance(reader, DemoDocuments):
                raise TransitionRefused("the configured reader is not simulated")
            self._runtime.left_document.after_check(lambda: reader.present(key))
        self._post(present, changed=False)

    def take_back_demo_document(self) -> None:
        """Demo mode: the citizen takes the document off the simulated reader."""
        def take_back() -> None:
            reader = self._runtime.devices["id_reader"].driver
            if not isinstance(reader, DemoDocuments):
                raise TransitionRefused("the configured reader is not simulated")
            reader.remove()
        self._post(take_back, changed=False)

    def enter_access_key(self, document_number: str, birth_date: str, expiry_date: str, can: str = "") -> None:
        """The citizen typed a passport's access key (dates YYMMDD), or its 6-digit CAN."""
        identify = self._runtime.identify
        self._post(lambda: identify.access_key_entered(document_number, birth_date, expiry_date, can))

    def capture_photo(self) -> None:
        """Take the photo from the newest preview frame."""
        self._post(self._runtime.preview.capture)

    def retake_photo(self) -> None:
        """Drop the captured photo and show the live preview again."""
        def retake() -> None:
            self._runtime.journey.photo_discarded()
            self._runtime.preview.retake()
        self._post(retake)

    def accept_photo(self) -> None:
        """Use the captured photo and go on to the form."""
        self._post(self._runtime.photo_accepted)

    def set_field_value(self, field_id: str, value: Any) -> None:
        """The citizen changed one answer on the form."""
        def set_value() -> None:
            journey = self._runtime.journey
            if journey.state is not JourneyState.FORM:
                raise TransitionRefused("no form is open")
            journey.touched()
            journey.session.form.set_value(field_id, value)
        self._post(set_value)

    def complete_form(self) -> None:
        """The citizen finished the form: review it if everything is valid."""
        self._post(self._runtime.form_completed)

    def confirm_submission(self, consented: bool) -> None:
        """The citizen confirmed the review: store, then print."""
        def confirm() -> None:
            if self._runtime.journey.review_confirmed(consented):
                self._runtime.storing.start()
        self._post(confirm)

    def back(self) -> None:
        """One step back (from the notice: cancel the session)."""
        def back() -> None:
            self._runtime.session_wiped(self._runtime.journey.went_back())
            self._runtime.state_entered()
        self._post(back)

    def finish(self) -> None:
        """Finish or cancel: wipe everything of this citizen and return to the start."""
        self._post(lambda: self._runtime.session_wiped(self._runtime.journey.finished()))

    def rate_service(self, level: int, reasons: list[str]) -> None:
        """好差评 on the done screen: one touch rates the service (once per session); queued
        like a submission (``kiosk/rating.py``)."""
        from ..rating import rate_session

        runtime = self._runtime
        self._post(lambda: rate_session(runtime.journey, runtime.writer, runtime.sync, level, reasons))

    def call_staff(self) -> None:
        """Alert staff that this citizen needs help (works on every screen)."""
        def call() -> None:
            self._runtime.staff_called = True
            screen = self._runtime.journey.state.value
            self.events.publish(ev.STAFF_CALLED, terminal_id=self.config.terminal.terminal_id, screen=screen)
            log.warning("staff called at screen %s", screen)
        self._post(call)

    def recover(self) -> None:
        """After an unexpected error: wipe the session, whatever its state, and show the start."""
        def recover() -> None:
            runtime = self._runtime
            if runtime.started and runtime.journey.state is not JourneyState.ATTRACT:
                runtime.session_wiped(runtime.journey.wipe(WipeReason.ERROR))
        self._post(recover)

    def set_preference(self, name: str, value: bool) -> None:
        """This citizen's choice of ``elder_mode`` or ``voice_muted`` (see :mod:`kiosk.preferences`)."""
        def choose() -> None:
            if name not in PREFERENCE_DEFAULTS:
                raise TransitionRefused(f"unknown preference {name}")
            self._runtime.preferences.set(name, value, self._clock())
            self._runtime.journey.touched()
        self._post(choose)

    def set_document_renderer(self, renderer: Callable[[dict[str, Any], dict[str, Any]], bytes] | None) -> None:
        """Register how A4 forms become PDF bytes (the UI registers Qt's; the core imports no Qt).

        ``renderer(printable, meta)`` gets the form's filled print layout
        (:meth:`~kiosk.forms.FormSession.printable`) and ``{"receipt_number", "service", "accepted_at",
        "hall", "language", "attachments"}`` (scanned materials: name, pages), and returns a PDF. It
        runs on the document printer's thread, so it must not touch GUI objects. ``None``: no A4.
        """
        self._runtime.printing.document_renderer = renderer

    def reload_catalog(self) -> Future[str]:
        """Load the newest stored catalog if no citizen is at the terminal (never under one);
        the future gives the catalog version in use afterwards (any thread)."""
        from ..pulled_catalog import load_catalog

        runtime = self._runtime

        def reload() -> str:
            if runtime.started and runtime.journey.state is JourneyState.ATTRACT:
                runtime.catalog = load_catalog(self.data_dir / "kiosk.db")
                runtime.publish()
            return runtime.catalog.version if runtime.catalog is not None else ""
        try:
            return runtime.thread.submit(reload)
        except RuntimeError:  # stopped: the catalog in use stays
            stopped: Future[str] = Future()
            stopped.set_result(runtime.catalog.version if runtime.catalog is not None else "")
            return stopped

    def _make_form(self, definition: Any, identity: Any) -> FormSession:
        from ..forms import FormSession

        return FormSession(definition, prefill_values(identity))

    def outbox_counts(self) -> dict[str, int]:
        """Outbox counts by state; blocks briefly on the writer thread (not for the GUI thread)."""
        writer = self._runtime.writer
        if writer is None:
            raise RuntimeError("the outbox writer is not open yet")
        return writer.counts().result()
