"""What the simulated cameras share: frames due every ``1/fps``, scripted faults taken one per
frame, and the "unplugged" state such a fault leaves behind.

The face camera's simulator and the document camera's both read frames the same way; only what
the picture shows differs. Everything here runs on the camera's owner thread, except
:meth:`PacedFrames.add_fault` and :meth:`PacedFrames.clear_faults` (any thread).
"""

from __future__ import annotations

import time

import numpy as np

from ..common import (
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    ErrorAction,
    FaultScript,
)
from .frame import Frame


class PacedFrames:
    """Pacing and faults of one simulated camera named ``what`` ("camera", "document camera")."""

    def __init__(self, what: str, fps: float, fault_kinds: tuple[str, ...]) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.what = what
        self.fps = float(fps)
        self.faults = FaultScript(fault_kinds)
        self.is_open = False
        self.unplugged = False
        self.index = 0  # frames delivered since the camera opened
        self.next_due = 0.0

    def add_fault(self, kind: str, count: int = 1) -> None:
        """Affect the next ``count`` frames with ``kind`` (any thread)."""
        self.faults.add(kind, count)

    def clear_faults(self) -> None:
        """Drop every scripted fault (any thread)."""
        self.faults.clear()

    def opened(self) -> None:
        """The camera opened: frames are due from now, numbered from 0."""
        self.index = 0
        self.next_due = time.monotonic()
        self.unplugged = False
        self.is_open = True

    def closed(self) -> None:
        """The camera closed: reads refuse until it opens again."""
        self.is_open = False

    def status(self) -> DeviceStatus:
        """ONLINE when open, HARDWARE_ERROR while "unplugged", OFFLINE when closed."""
        if not self.is_open:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        if self.unplugged:
            return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, f"{self.what} disconnected")
        return DeviceStatus(DeviceState.ONLINE)

    def next_fault(self, timeout_s: float) -> str | None:
        """The fault scripted for this frame, if any; raises for the ones that deliver nothing:
        :class:`DeviceNotOpen` when closed, :class:`DeviceIOError` for "unplugged",
        :class:`DeviceTimeout` (after waiting ``timeout_s``) for "no_frames"."""
        if not self.is_open:
            raise DeviceNotOpen(f"the {self.what} is not open")
        fault = self.faults.take()
        if fault == "unplugged":
            self.unplugged = True
            raise DeviceIOError(f"the {self.what} is disconnected (scripted)")
        self.unplugged = False
        if fault == "no_frames":
            time.sleep(max(timeout_s, 0))
            raise DeviceTimeout(f"the {self.what} delivered no frame in time (scripted)")
        return fault

    def wait_until_due(self, timeout_s: float) -> float:
        """Sleep until the next frame is due (raises :class:`DeviceTimeout` when that is later
        than ``timeout_s``); returns the time it is delivered at."""
        wait = self.next_due - time.monotonic()
        if wait > timeout_s:
            time.sleep(max(timeout_s, 0))
            raise DeviceTimeout(f"the {self.what} delivered no frame in time")
        if wait > 0:
            time.sleep(wait)
        now = time.monotonic()
        # A late reader does not get a burst of frames to catch up: the next is due a period on.
        self.next_due = max(self.next_due + 1 / self.fps, now)
        return now

    def frame(self, pixels: np.ndarray, at: float, fault: str | None) -> Frame:
        """The delivered frame of ``pixels`` (nearly black for the "dark" fault: a covered lens)."""
        if fault == "dark":
            pixels = (pixels // 20).astype(np.uint8)
        frame = Frame(np.ascontiguousarray(pixels), at, self.index)
        self.index += 1
        return frame
