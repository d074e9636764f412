"""The application core: the journey, the devices, the outbox and sync, wired together.

Threads (DESIGN §3): the ``journey`` thread owns the :class:`~kiosk.journey.Journey` and every
piece of citizen data; each device has its owner thread (:mod:`kiosk.devices`); the outbox writer
and the sync worker have one each; a ticker drives the idle clock. Public commands only post work
to the journey thread, so the GUI thread can call them freely and never waits. Results come back
as events (:mod:`kiosk.events`).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from typing import TYPE_CHECKING

from drivers import camera as camera_family
from drivers.common import DeviceError, NoDocumentPresent

from . import events as ev
from .applicant import applicant_record, prefill_values
from .config import KioskConfig
from .journey import Journey, JourneyState, TransitionRefused, WipeReason
from .receipts import build_receipt
from .view import build_snapshot

if TYPE_CHECKING:
    from .catalog import Catalog
    from .devices import DeviceManager
    from .forms import FormSession
    from .submission import Accepted, SubmissionWriter
    from .sync_service import SyncService

log = logging.getLogger(__name__)

_RETRY_AFTER_READ_ERROR_S = 1.5


class KioskCore:
    """The whole terminal minus its screen. Construct, :meth:`start`, drive, :meth:`stop`."""

    def __init__(
        self,
        config: KioskConfig,
        *,
        data_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        tick_interval_s: float = 0.5,
    ) -> None:
        self.config = config
        self.events = ev.EventHub()
        self.data_dir = Path(data_dir) if data_dir else config.storage.resolved_data_dir()
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
        self._frame: Any = None
        self._frame_lock = threading.Lock()
        self._previewing = False
        self._reading_epoch = 0
        self._staff_called = False
        self._stopping = threading.Event()
        self._ticker: threading.Thread | None = None
        self._last_countdown: int | None = None

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the terminal and return at once; the attract screen's data follows as an event.

        Everything else (catalog, devices, store, sync) starts on the journey thread, so the
        window can appear while it loads; commands posted meanwhile queue behind it.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._journey_thread.submit(self._start_services)
        self._ticker = threading.Thread(target=self._tick_loop, name="journey-clock", daemon=True)
        self._ticker.start()

    def _start_services(self) -> None:
        # Imported here, on the journey thread, to keep their libraries (jsonschema, OpenCV,
        # sqlite-utils, cryptography, httpx) off the GUI thread's path to the first frame.
        from .catalog import Catalog

        self.catalog = Catalog.load_bundled()
        timing = self.config.journey
        self._journey = Journey(
            self._clock, self._make_form, timing.idle_timeout_s, timing.idle_warning_s, timing.done_timeout_s
        )
        self._publish_snapshot()  # the attract screen needs nothing more

        from .devices import DeviceManager
        from .enrollment import Enrollment
        from .submission import SubmissionWriter
        from .sync_service import SyncService

        output = self.data_dir / "printed"
        self._devices = DeviceManager(
            self.config.devices,
            self.events,
            defaults={
                "receipt_printer": {"output_dir": str(output / "receipts")},
                "document_printer": {"output_dir": str(output / "documents")},
            },
        )
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
        self._writer.start()
        self._sync = SyncService(self.data_dir / "kiosk.db", enrollment, self.config.central, self.events)
        self._sync.start()
        self._publish_snapshot()

    def stop(self) -> None:
        """Stop every worker and join it; safe to call twice."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._previewing = False
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
        with self._frame_lock:
            return self._frame

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
            self._start_reading()
        self._post(accept)

    def present_demo_document(self, key: str) -> None:
        """Demo mode: place a sample document on the simulated reader."""
        def present() -> None:
            reader = self._devices["id_reader"].driver
            if not hasattr(reader, "present"):
                raise TransitionRefused("the configured reader is not simulated")
            reader.present(key)
        self._post(present, changed=False)

    def capture_photo(self) -> None:
        """Take the photo from the newest preview frame."""
        self._post(self._capture)

    def retake_photo(self) -> None:
        """Drop the captured photo and show the live preview again."""
        def retake() -> None:
            self._journey.photo_discarded()
            self._start_preview()
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
                self._submit()
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

    def call_staff(self) -> None:
        """Alert staff that this citizen needs help (works on every screen)."""
        def call() -> None:
            self._staff_called = True
            self.events.publish(ev.STAFF_CALLED, terminal_id=self.config.terminal.terminal_id,
                                screen=self._journey.state.value)
            log.warning("staff called at screen %s", self._journey.state.value)
        self._post(call)

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
            except Exception:  # noqa: BLE001 - the journey thread must survive any bug
                log.exception("journey action failed")
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
        )
        with self._snapshot_lock:
            self._snapshot = snapshot
        self.events.publish(ev.JOURNEY_CHANGED, snapshot=snapshot)

    def _demo_documents(self) -> list[dict[str, str]]:
        if self._devices is None:
            return []
        reader = self._devices["id_reader"].driver
        if not self.config.ui.demo_controls or not hasattr(reader, "available_documents"):
            return []
        return [{"key": key, "label": label} for key, label in reader.available_documents()]

    def _make_form(self, definition: Any, identity: Any) -> FormSession:
        from .forms import FormSession

        return FormSession(definition, prefill_values(identity))

    def _after_wipe(self, reason: WipeReason | None) -> None:
        if reason is None:
            return
        self._previewing = False
        with self._frame_lock:
            self._frame = None
        self._reading_epoch += 1
        self._staff_called = False
        self.events.publish(ev.SESSION_WIPED, reason=reason.value)
        log.info("session wiped: %s", reason.value)

    def _enter_state_effects(self) -> None:
        state = self._journey.state
        if state is JourneyState.IDENTIFY:
            self._start_reading()
        elif state is JourneyState.FACE and self._journey.session.photo_jpeg is None:
            self._start_preview()
        else:
            self._previewing = False

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
        if countdown != self._last_countdown:
            self._publish_snapshot()

    # ---- identify -------------------------------------------------------------------------
    def _start_reading(self) -> None:
        self._reading_epoch += 1
        self._request_read(self._reading_epoch)

    def _request_read(self, epoch: int) -> None:
        wait_s = self.config.journey.document_wait_s
        future = self._devices["id_reader"].submit(lambda reader: reader.read_document(wait_s))
        future.add_done_callback(lambda f: self._post(lambda: self._on_read(f, epoch), changed=False))

    def _on_read(self, future: Future[Any], epoch: int) -> None:
        journey = self._journey
        if epoch != self._reading_epoch or journey.state is not JourneyState.IDENTIFY:
            return  # the citizen moved on; whatever was read is dropped, not kept
        try:
            identity = future.result()
        except NoDocumentPresent:
            self._request_read(epoch)
            return
        except DeviceError as exc:
            log.warning("document read failed: %s (%s)", type(exc).__name__, exc.action)
            journey.document_failed("document_unreadable")
            self._publish_snapshot()
            timer = threading.Timer(
                _RETRY_AFTER_READ_ERROR_S, lambda: self._post(lambda: self._retry_read(epoch), changed=False)
            )
            timer.daemon = True
            timer.start()
            return
        log.info("document read: %s", identity.redacted())
        journey.document_read(identity)
        self.events.publish(ev.CARD_READ, document_type=identity.document_type.value)
        self._start_preview()
        self._publish_snapshot()

    def _retry_read(self, epoch: int) -> None:
        if epoch == self._reading_epoch and self._journey.state is JourneyState.IDENTIFY:
            self._request_read(epoch)

    # ---- face -----------------------------------------------------------------------------
    def _start_preview(self) -> None:
        if self._previewing:
            return
        self._previewing = True
        self._devices["camera"].submit(self._preview_step)

    def _preview_step(self, camera: Any) -> None:
        """Runs on the camera's owner thread: one frame, then re-queue itself while previewing."""
        if not self._previewing or self._stopping.is_set():
            return
        try:
            frame = camera.read_frame(1.0)
        except DeviceError as exc:
            log.warning("camera frame failed: %s", type(exc).__name__)
            time.sleep(0.2)
        else:
            with self._frame_lock:
                self._frame = frame
            self.events.publish(ev.PREVIEW_FRAME_UPDATED)
        if self._previewing and not self._stopping.is_set():
            self._devices["camera"].submit(self._preview_step)

    def _capture(self) -> None:
        journey = self._journey
        if journey.state is not JourneyState.FACE:
            raise TransitionRefused("not on the face screen")
        frame = self.latest_frame()
        if frame is None:
            journey.photo_failed("camera_unavailable")
            return
        journey.photo_taken(camera_family.encode_jpeg(frame))
        self._previewing = False
        self.events.publish(ev.FACE_CAPTURED)

    # ---- submit and print -----------------------------------------------------------------
    def _submit(self) -> None:
        from .submission import Draft

        session = self._journey.session
        photos = {"face.jpg": session.photo_jpeg}
        if session.identity.photo_jpeg:
            photos["document_photo.jpg"] = session.identity.photo_jpeg
        definition = session.form_definition
        draft = Draft(
            service_id=session.service.id,
            form_id=definition.id,
            form_version=definition.version,
            language=self.language,
            applicant=applicant_record(session.identity),
            answers=session.form.answers(),
            photos=photos,
        )
        future = self._writer.submit(draft)
        future.add_done_callback(lambda f: self._post(lambda: self._on_stored(f), changed=False))

    def _on_stored(self, future: Future[Accepted]) -> None:
        from .submission import SubmissionRefused

        journey = self._journey
        try:
            accepted = future.result()
        except SubmissionRefused as exc:
            log.warning("submission refused: %s", exc.code)
            journey.submission_failed(exc.code)
            self._publish_snapshot()
            return
        except Exception:  # noqa: BLE001 - nothing was stored; tell the citizen, keep the terminal up
            log.exception("submission could not be stored")
            journey.submission_failed("submission_failed")
            self._publish_snapshot()
            return
        journey.submission_queued(accepted.receipt_number)
        self.events.publish(ev.SUBMISSION_QUEUED, receipt_number=accepted.receipt_number)
        self._sync.sync_now()
        self._print_receipt(accepted)
        self._publish_snapshot()

    def _print_receipt(self, accepted: Accepted) -> None:
        session = self._journey.session
        service = session.service
        receipt = build_receipt(
            service_title=service.title.text("zh-CN"),
            receipt_number=accepted.receipt_number,
            accepted_at=accepted.accepted_at.astimezone(),
            hall_name=self.config.terminal.hall_name,
            terminal_id=self.config.terminal.terminal_id,
            applicant_name=session.identity.name,
            processing_time=service.notice.processing_time.text("zh-CN"),
            collect=service.notice.collection.text("zh-CN"),
            lookup_url=self.config.receipt.lookup_url,
            hotline=self.config.receipt.hotline,
        )
        future = self._devices["receipt_printer"].submit(lambda printer: printer.print_receipt(receipt))
        future.add_done_callback(lambda f: self._post(lambda: self._on_printed(f, accepted.receipt_number), changed=False))

    def _on_printed(self, future: Future[Any], receipt_number: str) -> None:
        journey = self._journey
        if journey.state is not JourneyState.PRINTING or journey.session.receipt_number != receipt_number:
            return
        try:
            future.result()
        except DeviceError as exc:
            log.warning("receipt %s not printed: %s", receipt_number, type(exc).__name__)
            journey.receipt_print_failed("printer_unavailable")
            self.events.publish(ev.RECEIPT_PRINT_FAILED, receipt_number=receipt_number, action=exc.action.value)
        else:
            journey.receipt_printed()
            self.events.publish(ev.RECEIPT_PRINTED, receipt_number=receipt_number)
        self._publish_snapshot()

    # ---- devices --------------------------------------------------------------------------
    def _on_device_event(self, event: ev.Event) -> None:
        if event.name == ev.DEVICE_STATUS_CHANGED and not self._stopping.is_set():
            self._post(lambda: None)

    def outbox_counts(self) -> dict[str, int]:
        """Outbox counts by state; blocks briefly on the writer thread (not for the GUI thread)."""
        return self._writer.counts().result()
