"""A camera's live preview: frames read one after another on the camera's owner thread, the
newest kept for the screen, every one handed to whoever analyses it.

Written once for every preview the terminal shows (the face step, the maintenance camera test,
the document camera): the loop queues itself on the device's owner thread one frame at a time, so
other work for that device (a capture, a close) gets its turn between frames, and a frame that
was not yet drawn is replaced, never queued.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Schedules one call on the camera's owner thread with the driver: ``submit(step)``.
Submit = Callable[[Callable[[Any], None]], object]

#: How long a frame may take before the read is retried; a camera that stalls is reported by
#: its device status, the preview just keeps asking.
FRAME_TIMEOUT_S = 1.0
#: Pause after a failed read, so a camera that fails at once does not spin its thread.
FAILED_READ_PAUSE_S = 0.2


class FramePump:
    """The preview loop of one camera. :meth:`start`, :meth:`stop`, :meth:`clear` and
    :meth:`latest` may be called from any thread; ``on_frame`` runs on the camera's owner thread.

    ``submit`` queues a call on the owner thread (looked up at each frame, so a camera reopened
    by staff is used from its next frame); ``keep_going`` is asked before every frame (e.g. "the
    terminal is not stopping"); ``name`` only labels log lines.
    """

    def __init__(self, submit: Submit, on_frame: Callable[[Any], object], *,
                 keep_going: Callable[[], bool] = lambda: True, name: str = "camera") -> None:
        self._submit = submit
        self._on_frame = on_frame
        self._keep_going = keep_going
        self._name = name
        self._running = False
        self._frame: Any = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """True while frames are being read."""
        return self._running

    def latest(self) -> Any:
        """The newest frame, or ``None`` (before the first one and after :meth:`clear`)."""
        with self._lock:
            return self._frame

    def start(self) -> bool:
        """Start reading frames; ``False`` (and nothing changes) when already running."""
        if self._running:
            return False
        self._running = True
        self._submit(self._step)
        return True

    def stop(self) -> None:
        """Stop after the frame being read now; the newest frame stays for the screen."""
        self._running = False

    def clear(self) -> None:
        """Stop and forget the newest frame (a wipe: nothing of the citizen stays on screen)."""
        self._running = False
        with self._lock:
            self._frame = None

    def _step(self, camera: Any) -> None:
        # The camera's owner thread: one frame, then queue itself again while running.
        if not self._running or not self._keep_going():
            return
        try:
            frame = camera.read_frame(FRAME_TIMEOUT_S)
        except Exception as exc:  # the device thread must never die of a bad frame
            log.warning("%s frame failed: %s", self._name, type(exc).__name__)
            time.sleep(FAILED_READ_PAUSE_S)
        else:
            with self._lock:
                self._frame = frame
            self._on_frame(frame)
        if self._running and self._keep_going():
            self._submit(self._step)
