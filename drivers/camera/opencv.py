"""A real camera through OpenCV's ``VideoCapture`` (V4L2 on Linux)."""

from __future__ import annotations

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


@camera_backends.register("opencv")
class OpenCvCamera(Camera):
    """A USB/V4L2 camera: ``device`` is an index (0) or a path such as ``/dev/video2``.

    OpenCV's ``read()`` has no timeout of its own; V4L2 gives up after about 10 s, so
    ``timeout_s`` is only checked after the call returns. Everything runs on the owner thread.
    """

    def __init__(self, device: str | int = 0, width: int = 640, height: int = 480) -> None:
        self._device = device
        self._width = int(width)
        self._height = int(height)
        self._capture: cv2.VideoCapture | None = None
        self._index = 0
        self._failed = False

    def open(self) -> None:
        """Open the capture device at the configured size; :class:`DeviceNotFound` if absent."""
        if self._capture is not None:
            return
        source = _source(self._device)
        if isinstance(source, str) and source.startswith("/dev/") and not os.path.exists(source):
            raise DeviceNotFound(f"camera {source!r} does not exist")
        try:
            capture = cv2.VideoCapture(source)
        except cv2.error as exc:
            raise DeviceNotFound(f"camera {self._device!r} could not be opened") from exc
        if not capture.isOpened():
            capture.release()
            raise DeviceNotFound(f"camera {self._device!r} could not be opened")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
        self._capture = capture
        self._index = 0
        self._failed = False

    def close(self) -> None:
        """Release the capture device (owner thread)."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def status(self) -> DeviceStatus:
        """ONLINE when open and the last read worked (owner thread)."""
        if self._capture is None:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        if self._failed:
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
        except Exception:  # noqa: BLE001 - a diagnostics probe must never raise
            return False

    def read_frame(self, timeout_s: float = 1.0) -> Frame:
        """Grab and convert the next frame to RGB (owner thread)."""
        if self._capture is None:
            raise DeviceNotOpen("the camera is not open")
        started = time.monotonic()
        try:
            ok, bgr = self._capture.read()
        except cv2.error as exc:
            self._failed = True
            raise DeviceIOError("the camera read failed") from exc
        now = time.monotonic()
        if not ok or bgr is None:
            self._failed = True
            if now - started >= timeout_s:
                raise DeviceTimeout("the camera delivered no frame in time")
            raise DeviceIOError("the camera delivered no frame")
        self._failed = False
        frame = bgr_to_rgb_frame(bgr, now, self._index)
        self._index += 1
        return frame


def _source(device: str | int) -> str | int:
    """Config values arrive as text: "0" means camera index 0, anything else is a path or URL."""
    if isinstance(device, str) and device.strip().isdigit():
        return int(device.strip())
    return device
