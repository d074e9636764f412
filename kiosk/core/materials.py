"""The scanning step (材料扫描): the document camera's live preview, guidance and automatic capture.

:class:`MaterialsStep` runs the preview loop on the document camera's owner thread, the way
:class:`~kiosk.core.face_preview.FacePreview` runs the face camera: every frame is read, offered to
the screen latest-only (a smaller copy in one slot, ``page_frame_updated``) and analysed there
(:mod:`drivers.doccam.page`: the sheet, guidance, :class:`~drivers.doccam.SteadyCapture`). A page
that lies still, wholly in the picture and without glare is rectified, checked and compressed on
that same thread; only the result goes to the journey thread (the port's ``post``), where it joins
the session's :class:`~kiosk.core.material_scans.MaterialScans`. An epoch drops whatever arrives
after a wipe or after the step was left.

:class:`MaterialsCommands` is what the UI calls (any thread, never blocking): each command only
posts to the journey thread. Threads of each method are named in its docstring.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drivers.common import DeviceError
from drivers.doccam import PresentsPages

from .. import events as ev
from ..safe_log import log_exception
from .journey import JourneyState, TransitionRefused
from .material_scans import MaterialScans, ScannedPage, guidance_text

if TYPE_CHECKING:
    from .port import StepContext

log = logging.getLogger(__name__)

#: The preview shown on screen is at most this wide (the document camera delivers 5 MP).
PREVIEW_WIDTH = 800
#: Thumbnails are about this wide (an A4 page at 150 dpi is 1240 pixels wide).
THUMBNAIL_WIDTH = 240


class MaterialsStep:
    """Owns the document camera's preview loop and the guidance of the citizen at the terminal."""

    def __init__(self, ctx: StepContext) -> None:
        """``ctx`` gives the document camera, the journey and the configuration (any thread)."""
        self._ctx = ctx
        self.guidance = "starting"  # what the screen says (journey thread)
        self._epoch = 0
        self._previewing = False
        self._capture_requested = False
        self._steady: Any = None
        self._last_sent: str | None = None
        self._frame: Any = None
        self._frame_lock = threading.Lock()

    def latest_frame(self) -> Any:
        """The newest preview image (H×W×3 RGB array) or ``None``; any thread."""
        with self._frame_lock:
            return self._frame

    def view(self, language: str) -> dict[str, Any] | None:
        """The scanning screen's model: materials, guidance, whether the citizen may go on
        (journey thread)."""
        scans = self._ctx.journey.session.materials
        if not isinstance(scans, MaterialScans):
            return None
        return {"items": scans.view(language), "guidance": self.guidance,
                "guidance_text": guidance_text(self.guidance, language),
                "can_continue": not scans.missing(), "page_count": scans.page_count,
                "demo_pages": self._demo_pages()}

    def _demo_pages(self) -> list[str]:
        if not self._ctx.config.ui.demo_controls:
            return []
        driver = self._ctx.devices["document_camera"].driver
        return list(driver.variants) if isinstance(driver, PresentsPages) else []

    # ---- journey thread -------------------------------------------------------------------
    def start(self) -> None:
        """The scanning screen is shown: make the session's materials, start the preview (once)."""
        session = self._ctx.journey.session
        if session.materials is None:
            session.materials = MaterialScans.for_service(session.service)
        if self._previewing:
            return
        from drivers.doccam import SteadyCapture

        self._previewing = True
        self._epoch += 1
        self._steady = SteadyCapture(self._ctx.config.materials.steady_frames)
        self._last_sent = None
        self.guidance = "starting"
        self._ctx.devices["document_camera"].submit(self._step, self._epoch)

    def stop(self) -> None:
        """End the preview loop after its current frame, and drop the picture of the desk (any
        thread)."""
        self._previewing = False
        with self._frame_lock:
            self._frame = None

    def forget(self) -> None:
        """A wipe: drop the preview image, the guidance and anything still in flight."""
        self._previewing = False
        self._epoch += 1
        self._capture_requested = False
        self.guidance = "starting"
        with self._frame_lock:
            self._frame = None

    def capture(self) -> None:
        """Take the page as it lies now, still or not (the citizen's "take it" button)."""
        if self._ctx.journey.state is not JourneyState.MATERIALS:
            raise TransitionRefused("not on the scanning screen")
        self._capture_requested = True

    def _current(self, epoch: int) -> bool:
        return epoch == self._epoch and self._ctx.journey.state is JourneyState.MATERIALS

    def _on_guidance(self, code: str, epoch: int) -> None:
        if self._current(epoch):
            self.guidance = code

    def _on_page(self, page: ScannedPage, epoch: int) -> None:
        journey = self._ctx.journey
        if not self._current(epoch) or not isinstance(journey.session.materials, MaterialScans):
            return
        journey.session.materials.add(page)
        journey.session.message = None
        journey.touched()
        self.guidance = "captured"
        self._ctx.events.publish(ev.PAGE_SCANNED, pages=journey.session.materials.page_count)

    def _on_refused(self, problem: str, epoch: int) -> None:
        if self._current(epoch):
            self.guidance = problem

    # ---- document camera owner thread -----------------------------------------------------
    def _step(self, camera: Any, epoch: int) -> None:
        """One frame, then re-queue itself while the screen is shown."""
        ctx = self._ctx
        if not self._previewing or epoch != self._epoch or ctx.stopping:
            return
        try:
            frame = camera.read_frame(1.0)
        except DeviceError as exc:
            log.warning("document camera frame failed: %s", type(exc).__name__)
            self._send("unavailable", epoch)
            time.sleep(0.2)
        else:
            pixels = frame.pixels
            step = max(1, -(-pixels.shape[1] // PREVIEW_WIDTH))  # ceiling: at most PREVIEW_WIDTH wide
            with self._frame_lock:
                if self._previewing:  # not after a stop while this frame was being read
                    self._frame = pixels[::step, ::step].copy()
            ctx.events.publish(ev.PAGE_FRAME_UPDATED)
            try:
                self._analyse(pixels, epoch)
            except Exception:
                log_exception(log, "page analysis failed")
        if self._previewing and epoch == self._epoch and not ctx.stopping:
            ctx.devices["document_camera"].submit(self._step, epoch)

    def _send(self, code: str, epoch: int) -> None:
        """Hand a guidance change to the journey thread (only changes, so the screen is not
        rebuilt for every frame)."""
        if code != self._last_sent:
            self._last_sent = code
            self._ctx.post(lambda: self._on_guidance(code, epoch), publish=True)

    def _analyse(self, pixels: Any, epoch: int) -> None:
        from drivers.doccam import detect_page, guidance

        detection = detect_page(pixels)
        fire = self._steady.update(detection)
        code = guidance(detection, self._steady.steady)
        manual = self._capture_requested and detection is not None
        if manual or (fire and code == "ok"):
            self._capture_requested = False
            self._take(pixels, detection, manual, epoch)
            return
        if self._last_sent in ("captured", "blurred", "low_resolution") and code in ("ok", "hold_still"):
            return  # the page just taken (or refused) still lies there: keep saying so
        self._send(code, epoch)

    def _take(self, pixels: Any, detection: Any, manual: bool, epoch: int) -> None:
        """Rectify, check and compress the page; hand it (or why it was refused) back."""
        from drivers.doccam import check_quality, encode_page, rectify

        settings = self._ctx.config.materials
        page = rectify(pixels, detection.quad)
        quality = check_quality(page, detection, min_dpi=settings.min_dpi)
        if not quality.ok and not manual:
            problem = quality.problems[0]
            log.info("page refused: %s", ", ".join(quality.problems))
            self._last_sent = problem
            self._ctx.post(lambda: self._on_refused(problem, epoch), publish=True)
            return
        try:
            image = encode_page(page, colour=settings.colour, image_format=settings.image_format,
                                max_bytes=settings.max_page_kb * 1000)
            step = max(1, page.shape[1] // THUMBNAIL_WIDTH)
            thumbnail = encode_page(page[::step, ::step], colour=settings.colour, quality=70)
        except ValueError:
            log_exception(log, "page could not be compressed", level=logging.WARNING)
            self._ctx.post(lambda: self._on_refused("blurred", epoch), publish=True)
            return
        media_type = "image/webp" if settings.image_format == "webp" else "image/jpeg"
        scanned = ScannedPage(image, thumbnail, media_type, page.shape[1], page.shape[0], manual)
        self._last_sent = "captured"
        self._ctx.post(lambda: self._on_page(scanned, epoch), publish=True)


class MaterialsCommands:
    """The scanning screen's commands (any thread, never blocking: each only posts to the journey
    thread) and its images for the UI's image providers (any thread)."""

    def __init__(self, ctx: StepContext, step: MaterialsStep) -> None:
        """``ctx`` runs the commands on the journey thread; ``step`` is the scanning step."""
        self._ctx = ctx
        self._step = step

    def _edit(self, change: Callable[[MaterialScans], object]) -> None:
        """Apply ``change`` to the session's pages (journey thread); a page or material that is
        not there (a double tap) is refused, not an error."""
        journey = self._ctx.journey
        if journey.state is not JourneyState.MATERIALS or not isinstance(journey.session.materials, MaterialScans):
            raise TransitionRefused("not on the scanning screen")
        journey.touched()
        try:
            change(journey.session.materials)
        except IndexError as exc:
            raise TransitionRefused(str(exc)) from None

    def latest_frame(self) -> Any:
        """The newest preview image, or ``None``; older ones are dropped, never queued."""
        return self._step.latest_frame()

    def thumbnail(self, page_id: str) -> bytes | None:
        """The thumbnail (JPEG) of a page of the citizen at the terminal, or ``None``."""
        try:
            scans = self._ctx.journey.session.materials
        except RuntimeError:  # not started
            return None
        page = scans.page(page_id) if isinstance(scans, MaterialScans) else None
        return page.thumbnail if page is not None else None

    def capture(self) -> None:
        """Take the page as it lies now."""
        self._ctx.post(self._step.capture, publish=True)

    def choose(self, index: int) -> None:
        """Scan for material ``index`` next."""
        self._ctx.post(lambda: self._edit(lambda scans: scans.choose(index)), publish=True)

    def delete_page(self, index: int, page: int) -> None:
        """Remove page ``page`` of material ``index``."""
        self._ctx.post(lambda: self._edit(lambda scans: scans.delete(index, page)), publish=True)

    def retake_page(self, index: int, page: int) -> None:
        """Remove that page; the next one taken goes in its place."""
        self._ctx.post(lambda: self._edit(lambda scans: scans.retake(index, page)), publish=True)

    def done(self) -> None:
        """Go on to the review when every required material has a page."""
        def done() -> None:
            if self._ctx.journey.materials_completed():
                self._step.stop()
        self._ctx.post(done, publish=True)

    def present_demo_page(self, variant: str = "clean") -> None:
        """Demo: lay the next sheet on the simulated document camera."""
        def present() -> None:
            driver = self._ctx.devices["document_camera"].driver
            if not isinstance(driver, PresentsPages):
                raise TransitionRefused("the configured document camera is not simulated")
            driver.present_page(variant)
        self._ctx.post(present)
