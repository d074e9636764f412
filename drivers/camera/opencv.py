"""A real camera through OpenCV's ``VideoCapture`` (V4L2 on Linux, or a GStreamer pipeline).

Resolution is negotiated: the requested size is asked for and the size the driver actually
delivers is read back and reported (cameras snap to their nearest mode). When a read fails —
typically the USB cable was pulled — the capture is released and reopened on later reads, at
most every ``reopen_interval_s``, so plugging the camera back in recovers without a restart.
"""

from __future__ import annotations

import logging
import os
import time

import cv2

from ..common import (
    DeviceInfo,
    DeviceIOError,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    ErrorAction,
)
from .base import Camera, camera_backends
from .frame import Frame, bgr_to_rgb_frame

log = logging.getLogger(__name__)


@camera_backends.register("opencv")
class OpenCvCamera(Camera):
    """A USB/V4L2 camera: ``device`` is an index (0) or a path such as ``/dev/video2``.

    OpenCV's ``read()`` has no timeout of its own; V4L2 gives up after about 10 s, so
    ``timeout_s`` is only checked after the call returns. Everything runs on the owner thread.
    """

    def __init__(self, device: str | int = 0, width: int = 640, height: int = 480, fourcc: str = "",
                 reopen_interval_s: float = 2.0) -> None:
        if fourcc and len(fourcc) != 4:
            raise ValueError(f"fourcc must be 4 characters such as 'MJPG', not {fourcc!r}")
        if reopen_interval_s < 0:
            raise ValueError("reopen_interval_s must not be negative")
        self._device = device
        self._width = int(width)
        self._height = int(height)
        self._fourcc = fourcc
        self._reopen_interval_s = float(reopen_interval_s)
        self._capture: cv2.VideoCapture | None = None
        self._index = 0
        self._failed = False
        self._wanted_open = False
        self._last_attempt = 0.0
        self.negotiated: tuple[int, int] | None = None

    def open(self) -> None:
        """Open the capture device at the configured size; :class:`DeviceNotFound` if absent."""
        if self._capture is not None:
            return
        self._capture = self._connect()
        self._index = 0
        self._failed = False
        self._wanted_open = True

    def _connect(self) -> cv2.VideoCapture:
        source = _source(self._device)
        if isinstance(source, str) and source.startswith("/dev/") and not os.path.exists(source):
            raise DeviceNotFound(f"camera {source!r} does not exist")
        try:
            if isinstance(source, str) and "appsink" in source:
                capture = cv2.VideoCapture(source, cv2.CAP_GSTREAMER)
            else:
                capture = cv2.VideoCapture(source)
        except cv2.error as exc:
            raise DeviceNotFound(f"camera {self._device!r} could not be opened") from exc
        if not capture.isOpened():
            capture.release()
            raise DeviceNotFound(f"camera {self._device!r} could not be opened")
        if self._fourcc:
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self._fourcc))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
        self.negotiated = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        if self.negotiated != (self._width, self._height):
            log.info("camera delivers %d×%d (asked for %d×%d)", *self.negotiated, self._width, self._height)
        return capture

    def close(self) -> None:
        """Release the capture device (owner thread)."""
        self._wanted_open = False
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def status(self) -> DeviceStatus:
        """ONLINE when open and the last read worked (owner thread)."""
        if not self._wanted_open:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        if self._failed or self._capture is None:
            return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, "read failed")
        return DeviceStatus(DeviceState.ONLINE)

    def info(self) -> DeviceInfo:
        """The capture backend name as model; V4L2 exposes no serial or firmware here."""
        model = self._capture.getBackendName() if self._capture is not None else "unknown"
        return DeviceInfo("camera", "opencv", f"OpenCV {model} {self._device}", "", cv2.__version__)

    def is_usable(self) -> bool:
        """True when open, or when a configured ``/dev`` path exists (any thread; never raises)."""
        try:
            if self._capture is not None:
                return bool(self._capture.isOpened())
            source = _source(self._device)
            if isinstance(source, int):
                return os.path.exists(f"/dev/video{source}")
            return os.path.exists(source)
        except Exception:
            return False

    def read_frame(self, timeout_s: float = 1.0) -> Frame:
        """Grab and convert the next frame to RGB (owner thread).

        After a failure the device is reopened here (at most every ``reopen_interval_s``);
        until that works, reads raise :class:`DeviceIOError`.
        """
        if not self._wanted_open:
            raise DeviceNotOpen("the camera is not open")
        if self._capture is None and not self._reconnect():
            raise DeviceIOError("the camera is disconnected; retrying")
        assert self._capture is not None
        started = time.monotonic()
        try:
            ok, bgr = self._capture.read()
        except cv2.error as exc:
            self._lost()
            raise DeviceIOError("the camera read failed") from exc
        now = time.monotonic()
        if not ok or bgr is None:
            self._lost()
            if now - started >= timeout_s:
                raise DeviceTimeout("the camera delivered no frame in time")
            raise DeviceIOError("the camera delivered no frame")
        self._failed = False
        frame = bgr_to_rgb_frame(bgr, now, self._index)
        self._index += 1
        return frame

    def _lost(self) -> None:
        """A read failed: release the device so a later read reopens it (replug recovery)."""
        self._failed = True
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self._last_attempt = time.monotonic()

    def _reconnect(self) -> bool:
        now = time.monotonic()
        if now - self._last_attempt < self._reopen_interval_s:
            return False
        self._last_attempt = now
        try:
            self._capture = self._connect()
        except DeviceNotFound:
            return False
        log.info("camera %r reconnected", self._device)
        self._failed = False
        return True


def _source(device: str | int) -> str | int:
    """Config values arrive as text: "0" means camera index 0, anything else is a path or URL."""
    if isinstance(device, str) and device.strip().isdigit():
        return int(device.strip())
    return device
