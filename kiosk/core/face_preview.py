"""The face step's live side: preview frames, guidance, capture and verification, for the core.

Threads: :meth:`FacePreview.start`, :meth:`capture`, :meth:`retake` and :meth:`forget` run on the
journey thread; the preview loop (:class:`~kiosk.frame_pump.FramePump`) and ``_analyse`` on the
camera's owner thread, which hands every result
back to the journey thread through the port's ``post``. Each session (and each retake) has an epoch,
so a frame, photo or verdict that arrives after a wipe or a retake is dropped, never applied to
the next citizen. :meth:`latest_frame` may be called from any thread (the UI's image provider).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from drivers.idcard import Identity

from .. import events as ev
from ..face import FaceStep, pending_record
from ..frame_pump import FramePump
from ..safe_log import log_exception
from .journey import JourneyState, TransitionRefused

if TYPE_CHECKING:
    from .port import StepContext

log = logging.getLogger(__name__)


class FacePreview:
    """Owns the preview loop and the face state of the citizen at the terminal."""

    def __init__(self, ctx: StepContext, face: FaceStep) -> None:
        """``face`` analyses frames and verifies photos; ``ctx`` gives the camera and the journey."""
        self._ctx = ctx
        self._face = face
        self.view: dict[str, Any] = {}  # guidance for the screen (journey thread)
        self._epoch = 0
        self._pump = FramePump(lambda step: ctx.devices["camera"].submit(step), self._on_frame,
                               keep_going=lambda: not ctx.stopping)

    def latest_frame(self) -> Any:
        """The newest preview frame, or ``None``; older frames are dropped, never queued."""
        return self._pump.latest()

    def start(self) -> None:
        """Journey thread: start the preview loop on the camera's thread (once)."""
        if self._pump.running:
            return
        self._face.reset()
        self.view = {}
        self._pump.start()

    def stop(self) -> None:
        """Any thread: end the preview loop after its current frame."""
        self._pump.stop()

    def retake(self) -> None:
        """Journey thread: forget the photo's verdict and preview again."""
        self._ctx.journey.session.extras.pop("face_verification", None)
        self._epoch += 1
        self.start()

    def forget(self) -> None:
        """Journey thread: a wipe: drop the frame, the guidance and anything still in flight."""
        self._pump.clear()
        self._epoch += 1
        self.view = {}

    def capture(self) -> None:
        """Journey thread: take the photo from the next frame."""
        journey = self._ctx.journey
        if journey.state is not JourneyState.FACE:
            raise TransitionRefused("not on the face screen")
        if self.latest_frame() is None:
            journey.photo_failed("camera_unavailable")
            return
        self._face.request_capture()  # taken from the next frame, on the camera's thread

    # ---- camera owner thread --------------------------------------------------------------
    def _on_frame(self, frame: Any) -> None:
        self._ctx.events.publish(ev.PREVIEW_FRAME_UPDATED)
        self._analyse(frame)

    def _analyse(self, frame: Any) -> None:
        """Guidance for this frame, and the photo when it is due."""
        epoch = self._epoch
        try:
            outcome = self._face.on_frame(frame, time.monotonic())
        except Exception:
            log_exception(log, "face analysis failed")
            return
        post = self._ctx.post
        if outcome.photo is not None:
            self._pump.stop()
            photo = outcome.photo
            post(lambda: self._on_photo(photo, epoch), publish=True)
        elif outcome.error is not None:
            error = outcome.error
            post(lambda: self._on_error(error, epoch), publish=True)
        elif outcome.view is not None:
            view = outcome.view
            post(lambda: self._on_view(view, epoch), publish=True)

    # ---- journey thread -------------------------------------------------------------------
    def _current(self, epoch: int) -> bool:
        return epoch == self._epoch and self._ctx.journey.state is JourneyState.FACE

    def _on_view(self, view: dict[str, Any], epoch: int) -> None:
        if self._current(epoch):
            self.view = view

    def _on_error(self, error: str, epoch: int) -> None:
        if self._current(epoch):
            self._ctx.journey.photo_failed(error)

    def _on_photo(self, photo: Any, epoch: int) -> None:
        journey = self._ctx.journey
        if not self._current(epoch) or journey.session.photo_jpeg is not None:
            return
        journey.photo_taken(photo.jpeg)
        self.view = {}
        self._ctx.events.publish(ev.FACE_CAPTURED)
        identity = journey.session.identity
        future = self._face.verify(
            photo,
            identity.photo_jpeg if isinstance(identity, Identity) else None,
            identity.photo_missing_reason if isinstance(identity, Identity) else None,
        )
        post = self._ctx.post
        future.add_done_callback(lambda f: post(lambda: self._on_verified(f, epoch, photo.jpeg), publish=True))

    def _on_verified(self, future: Future[dict[str, Any]], epoch: int, jpeg: bytes) -> None:
        session = self._ctx.journey.session
        if epoch != self._epoch or session.photo_jpeg is not jpeg:
            return  # retaken or wiped meanwhile
        try:
            record = future.result()
        except Exception:
            log_exception(log, "face verification failed")
            record = {**pending_record(), "reasons": ["verification_error"]}
        session.extras["face_verification"] = record
        log.info("identity verification: %s (%s)", record["decision"],
                 ", ".join(record["reasons"]) or "all checks passed")
