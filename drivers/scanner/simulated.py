"""The simulated code scanner: codes are held up to it by :meth:`present_code`; faults are scripted."""

from __future__ import annotations

import queue
import time

from ..common import (
    DeviceInfo,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    ErrorAction,
    FaultScript,
    ProtocolError,
)
from .base import CodeScanner, ScannedCode, code_scanner_backends

#: Fault kinds for :meth:`SimulatedCodeScanner.script_fault`.
FAULT_KINDS = ("garbage", "partial_line", "disconnect")


@code_scanner_backends.register("simulated")
class SimulatedCodeScanner(CodeScanner):
    """Returns the codes given to :meth:`present_code`, in order. Runs on the owner thread
    except :meth:`present_code` and :meth:`script_fault` (any thread)."""

    def __init__(self, repeat_window_s: float = 3.0, min_interval_s: float = 0.0) -> None:
        super().__init__(repeat_window_s, min_interval_s)
        self._faults = FaultScript(FAULT_KINDS)
        self._codes: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
        self._is_open = False
        self._disconnected = False

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self._faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` reads fail (any thread): "garbage" (bytes that are no code),
        "partial_line" (a code cut off before its line end): :class:`ProtocolError`;
        "disconnect" (the USB cable pulled): :class:`DeviceIOError`."""
        self._faults.add(kind, count)

    def present_code(self, text: str, symbology: str = "qr") -> None:
        """Scan ``text`` as if a citizen held it up (any thread)."""
        if not text:
            raise ValueError("a code has text")
        self._codes.put((text, symbology))

    def open(self) -> None:
        """Nothing to acquire (owner thread)."""
        self._is_open = True
        self._disconnected = False

    def close(self) -> None:
        """Forget pending codes (owner thread)."""
        self._is_open = False
        while not self._codes.empty():
            self._codes.get_nowait()

    def status(self) -> DeviceStatus:
        """ONLINE when open, HARDWARE_ERROR after a "disconnect" until a read works (owner thread)."""
        if not self._is_open:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        if self._disconnected:
            return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, "scanner disconnected")
        return DeviceStatus(DeviceState.ONLINE)

    def info(self) -> DeviceInfo:
        """Describes the simulator (any thread)."""
        return DeviceInfo("code_scanner", "simulated", "Simulated code scanner", "SIM-SCAN-0001", "1.0")

    def is_usable(self) -> bool:
        """Always True (any thread)."""
        return True

    def _next_code(self, timeout_s: float) -> ScannedCode | None:
        if not self._is_open:
            raise DeviceNotOpen("the code scanner is not open")
        fault = self._faults.take()
        if fault == "disconnect":
            self._disconnected = True
            raise DeviceIOError("the code scanner is disconnected (scripted)")
        self._disconnected = False
        if fault == "garbage":
            raise ProtocolError("the scanner sent a line that is not UTF-8 (scripted)")
        if fault == "partial_line":
            raise ProtocolError("an incomplete code was dropped (scripted)")
        try:
            text, symbology = self._codes.get(timeout=max(timeout_s, 0.0)) if timeout_s > 0 \
                else self._codes.get_nowait()
        except queue.Empty:
            return None
        return ScannedCode(text, symbology, time.monotonic())
