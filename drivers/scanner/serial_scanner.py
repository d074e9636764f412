"""A scanner in serial (USB CDC / virtual COM) mode: it sends each code then CR/LF."""

from __future__ import annotations

import contextlib
import errno
import time

import serial

from ..common import (
    DeviceInfo,
    DeviceIOError,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    ErrorAction,
    ProtocolError,
)
from .base import CodeScanner, ScannedCode, code_scanner_backends
from .lines import BadLine, CodeLine, LineParser


@code_scanner_backends.register("serial")
class SerialCodeScanner(CodeScanner):
    """Reads lines from ``port`` (a device path or a pyserial URL). With ``aim_ids`` the
    scanner is configured to prefix AIM symbology identifiers. A line left unfinished for
    ``line_timeout_s`` is dropped with a :class:`ProtocolError`. Everything on the owner thread."""

    def __init__(self, port: str = "/dev/ttyACM0", baudrate: int = 9600, aim_ids: bool = False,
                 line_timeout_s: float = 0.5, repeat_window_s: float = 3.0, min_interval_s: float = 0.2) -> None:
        super().__init__(repeat_window_s, min_interval_s)
        if line_timeout_s <= 0:
            raise ValueError("line_timeout_s must be positive")
        self._port_name = port
        self._baudrate = int(baudrate)
        self._parser = LineParser(aim_ids)
        self._line_timeout_s = float(line_timeout_s)
        self._serial: serial.SerialBase | None = None
        self._pending: list[CodeLine | BadLine] = []
        self._last_byte = 0.0
        self._failed = False

    def open(self) -> None:
        """Open the port; :class:`DeviceNotFound` if it does not exist, else :class:`DeviceIOError`."""
        if self._serial is not None:
            return
        try:
            port = serial.serial_for_url(self._port_name, baudrate=self._baudrate, timeout=0.05, do_not_open=True)
            port.open()
        except (serial.SerialException, OSError, ValueError) as exc:
            if getattr(exc, "errno", None) in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "No such file" in str(exc):
                raise DeviceNotFound(f"scanner port not found: {self._port_name}") from exc
            raise DeviceIOError(f"cannot open scanner port {self._port_name}: {type(exc).__name__}") from exc
        self._serial = port
        self._parser.flush_partial()
        self._pending = []
        self._failed = False

    def close(self) -> None:
        """Close the port (idempotent; owner thread)."""
        port, self._serial = self._serial, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def status(self) -> DeviceStatus:
        """ONLINE when open and the last read worked (owner thread)."""
        if self._serial is None:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        if self._failed:
            return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, "scanner port failed")
        return DeviceStatus(DeviceState.ONLINE)

    def info(self) -> DeviceInfo:
        """The port as model; a serial scanner reports no serial number (owner thread)."""
        return DeviceInfo("code_scanner", "serial", f"Serial scanner on {self._port_name}", "", "")

    def is_usable(self) -> bool:
        """True when open or the configured device path exists (any thread; never raises)."""
        import os

        try:
            return self._serial is not None or "://" in self._port_name or os.path.exists(self._port_name)
        except Exception:
            return False

    def _next_code(self, timeout_s: float) -> ScannedCode | None:
        if self._serial is None:
            raise DeviceNotOpen("the code scanner is not open")
        deadline = time.monotonic() + timeout_s
        while not self._pending:
            now = time.monotonic()
            if self._parser.has_partial and now - self._last_byte > self._line_timeout_s:
                dropped = self._parser.flush_partial()
                assert dropped is not None
                raise ProtocolError(dropped.reason)
            if now >= deadline and not self._parser.has_partial:
                return None
            if now >= deadline + self._line_timeout_s:
                return None
            try:
                # Returns what came within the port's 50 ms timeout (a whole burst, usually).
                data = self._serial.read(4096)
            except (serial.SerialException, OSError) as exc:
                self._failed = True
                raise DeviceIOError("the scanner's serial port failed while reading") from exc
            self._failed = False
            if data:
                self._last_byte = time.monotonic()
                self._pending += self._parser.feed(data)
        line = self._pending.pop(0)
        if isinstance(line, BadLine):
            raise ProtocolError(f"the scanner sent {line.reason}")
        return ScannedCode(line.text, line.symbology, time.monotonic())
