"""Byte transports to an ESC/POS printer: USB, serial, network (port 9100) and device files.

Each wraps python-escpos' connection class for opening and writing, and adds what python-escpos
lacks: a one-byte read with a short timeout (for ``DLE EOT`` status) and bounded writes. Library
errors become :mod:`drivers.common` errors with ``raise ... from``. All methods run on the
printer's owner thread; constructors store options only.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
from abc import ABC, abstractmethod
from typing import Any

from ..common import DeviceIOError, DeviceNotFound, DeviceNotOpen, DeviceTimeout, ErrorAction


class Transport(ABC):
    """A byte pipe to one printer. ``supports_status``: can it read ``DLE EOT`` answers?"""

    supports_status = True

    @abstractmethod
    def open(self) -> None:
        """Connect; raises DeviceNotFound / DeviceIOError."""

    @abstractmethod
    def close(self) -> None:
        """Disconnect; safe to call twice."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send all of ``data`` or raise DeviceIOError / DeviceTimeout."""

    @abstractmethod
    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or ``b""`` when nothing arrived within ``timeout_s``."""

    def drain(self) -> None:
        """Drop bytes already waiting (a late answer to an earlier query)."""
        for _ in range(64):
            if not self.read_byte(0.0):
                return

    @abstractmethod
    def describe(self) -> str:
        """Where the printer is, for diagnostics (no personal data)."""

    def is_usable(self) -> bool:
        """Cheap probe: could this transport work here? Never raises."""
        return True


class SerialTransport(Transport):
    """A serial printer (``/dev/ttyS0``, ``/dev/ttyUSB0``) through ``escpos.printer.Serial``."""

    def __init__(self, port: str, baudrate: int = 115200, write_timeout_s: float = 10.0, rtscts: bool = False) -> None:
        self.port, self.baudrate, self.write_timeout_s, self.rtscts = port, baudrate, write_timeout_s, rtscts
        self._printer: Any = None

    def open(self) -> None:
        """Connect (owner thread)."""
        from escpos.printer import Serial

        printer = Serial(devfile=self.port, baudrate=self.baudrate, timeout=self.write_timeout_s, dsrdtr=False)
        try:
            printer.open(raise_not_found=True)
        except Exception as exc:  # escpos wraps pyserial's errors in its own DeviceNotFoundError
            raise DeviceNotFound(f"serial printer {self.port} cannot be opened") from exc
        # Writes must not hang forever on a printer that stopped taking bytes (flow control).
        printer.device.write_timeout = self.write_timeout_s
        printer.device.rtscts = self.rtscts
        self._printer = printer

    def close(self) -> None:
        """Disconnect; safe twice (owner thread)."""
        if self._printer is not None:
            try:
                self._printer.close()
            finally:
                self._printer = None

    def _device(self) -> Any:
        if self._printer is None:
            raise DeviceNotOpen("the serial printer is not open")
        return self._printer.device

    def write(self, data: bytes) -> None:
        """Send bytes (owner thread)."""
        import serial

        try:
            self._device().write(data)
            self._device().flush()
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout("the serial printer stopped taking data") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceIOError("writing to the serial printer failed") from exc

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or b"" after the timeout (owner thread)."""
        import serial

        device = self._device()
        try:
            device.timeout = timeout_s
            return device.read(1)
        except (serial.SerialException, OSError) as exc:
            raise DeviceIOError("reading from the serial printer failed") from exc

    def describe(self) -> str:
        """Where the printer is (no personal data)."""
        return f"serial {self.port} @ {self.baudrate}"

    def is_usable(self) -> bool:
        """Cheap probe; never raises (any thread)."""
        return os.path.exists(self.port)


class NetworkTransport(Transport):
    """A network printer on a raw TCP port (9100) through ``escpos.printer.Network``."""

    def __init__(self, host: str, port: int = 9100, connect_timeout_s: float = 3.0,
                 write_timeout_s: float = 10.0) -> None:
        self.host, self.port = host, port
        self.connect_timeout_s, self.write_timeout_s = connect_timeout_s, write_timeout_s
        self._printer: Any = None

    def open(self) -> None:
        """Connect (owner thread)."""
        from escpos.printer import Network

        printer = Network(host=self.host, port=self.port, timeout=self.connect_timeout_s)
        try:
            printer.open(raise_not_found=True)
        except Exception as exc:
            raise DeviceNotFound(f"no printer answers at {self.host}:{self.port}", ErrorAction.RESET) from exc
        self._printer = printer

    def close(self) -> None:
        """Disconnect; safe twice (owner thread)."""
        if self._printer is not None:
            with contextlib.suppress(OSError):
                self._printer.close()
            self._printer = None

    def _socket(self) -> socket.socket:
        if self._printer is None or self._printer.device is None:
            raise DeviceNotOpen("the network printer is not open")
        return self._printer.device

    def write(self, data: bytes) -> None:
        """Send bytes (owner thread)."""
        sock = self._socket()
        try:
            sock.settimeout(self.write_timeout_s)
            sock.sendall(data)
        except TimeoutError as exc:
            raise DeviceTimeout("the network printer stopped taking data") from exc
        except OSError as exc:
            raise DeviceIOError("sending to the network printer failed") from exc

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or b"" after the timeout (owner thread)."""
        sock = self._socket()
        try:
            sock.settimeout(timeout_s if timeout_s > 0 else 0.0)
            data = sock.recv(1)
        except (TimeoutError, BlockingIOError):
            return b""
        except OSError as exc:
            raise DeviceIOError("reading from the network printer failed") from exc
        if not data:
            raise DeviceIOError("the network printer closed the connection")
        return data

    def describe(self) -> str:
        """Where the printer is (no personal data)."""
        return f"network {self.host}:{self.port}"


class FileTransport(Transport):
    """A printer device file (``/dev/usb/lp0`` from the usblp driver) through ``escpos.printer.File``.

    Status answers are read from a second, non-blocking descriptor of the same file; usblp
    supports that. Set ``readable=False`` for files that cannot answer (status then unknown:
    the printer refuses to print rather than print blind).
    """

    def __init__(self, devfile: str, readable: bool = True) -> None:
        self.devfile, self.readable = devfile, readable
        self.supports_status = readable
        self._printer: Any = None
        self._read_fd: int | None = None

    def open(self) -> None:
        """Connect (owner thread)."""
        from escpos.printer import File

        printer = File(devfile=self.devfile, auto_flush=True)
        try:
            printer.open(raise_not_found=True)
        except Exception as exc:
            raise DeviceNotFound(f"printer device file {self.devfile} cannot be opened") from exc
        if self.readable:
            try:
                self._read_fd = os.open(self.devfile, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
            except OSError as exc:
                printer.close()
                raise DeviceNotFound(f"printer device file {self.devfile} cannot be read") from exc
        self._printer = printer

    def close(self) -> None:
        """Disconnect; safe twice (owner thread)."""
        if self._read_fd is not None:
            os.close(self._read_fd)
            self._read_fd = None
        if self._printer is not None:
            with contextlib.suppress(OSError):
                self._printer.close()
            self._printer = None

    def write(self, data: bytes) -> None:
        """Send bytes (owner thread)."""
        if self._printer is None:
            raise DeviceNotOpen("the printer device file is not open")
        try:
            self._printer.device.write(data)
            self._printer.device.flush()
        except OSError as exc:
            raise DeviceIOError("writing to the printer device file failed") from exc

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or b"" after the timeout (owner thread)."""
        if self._read_fd is None:
            return b""
        try:
            ready, _, _ = select.select([self._read_fd], [], [], max(0.0, timeout_s))
            return os.read(self._read_fd, 1) if ready else b""
        except BlockingIOError:
            return b""
        except OSError as exc:
            raise DeviceIOError("reading from the printer device file failed") from exc

    def describe(self) -> str:
        """Where the printer is (no personal data)."""
        return f"file {self.devfile}"

    def is_usable(self) -> bool:
        """Cheap probe; never raises (any thread)."""
        return os.path.exists(self.devfile)


class UsbTransport(Transport):
    """A USB printer through ``escpos.printer.Usb`` (pyusb and libusb; a udev rule grants access)."""

    def __init__(self, vendor_id: int, product_id: int, in_ep: int = 0x82, out_ep: int = 0x01,
                 interface: int = 0, write_timeout_s: float = 10.0) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.in_ep, self.out_ep, self.interface = in_ep, out_ep, interface
        self.write_timeout_s = write_timeout_s
        self._printer: Any = None
        self._pending = b""

    def open(self) -> None:
        """Connect (owner thread)."""
        try:
            import usb.core  # noqa: F401 - pyusb is optional: only USB printers need it
            from escpos.printer import Usb
        except ImportError as exc:
            raise DeviceNotFound("USB printers need pyusb (pip install pyusb) and libusb-1.0-0") from exc
        printer = Usb(self.vendor_id, self.product_id, timeout=int(self.write_timeout_s * 1000),
                      in_ep=self.in_ep, out_ep=self.out_ep, usb_args={})
        try:
            printer.open(usb_args={}, raise_not_found=True)
        except Exception as exc:
            device = f"{self.vendor_id:04x}:{self.product_id:04x}"
            raise DeviceNotFound(f"USB printer {device} not found or not accessible") from exc
        self._printer = printer

    def close(self) -> None:
        """Disconnect; safe twice (owner thread)."""
        if self._printer is not None:
            with contextlib.suppress(Exception):
                self._printer.close()
            self._printer = None
        self._pending = b""

    def write(self, data: bytes) -> None:
        """Send bytes (owner thread)."""
        if self._printer is None:
            raise DeviceNotOpen("the USB printer is not open")
        try:
            self._printer.device.write(self.out_ep, data, int(self.write_timeout_s * 1000))
        except Exception as exc:  # usb.core.USBError / USBTimeoutError
            if "timeout" in type(exc).__name__.lower():
                raise DeviceTimeout("the USB printer stopped taking data") from exc
            raise DeviceIOError("writing to the USB printer failed") from exc

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or b"" after the timeout (owner thread)."""
        if self._printer is None:
            raise DeviceNotOpen("the USB printer is not open")
        if not self._pending:
            try:
                # A bulk read returns a whole packet; keep what is not consumed yet.
                self._pending = bytes(self._printer.device.read(self.in_ep, 64, max(1, int(timeout_s * 1000))))
            except Exception as exc:
                if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                    return b""
                raise DeviceIOError("reading from the USB printer failed") from exc
        byte, self._pending = self._pending[:1], self._pending[1:]
        return byte

    def describe(self) -> str:
        """Where the printer is (no personal data)."""
        return f"usb {self.vendor_id:04x}:{self.product_id:04x}"

    def is_usable(self) -> bool:
        """Cheap probe; never raises (any thread)."""
        try:
            import usb.core  # noqa: F401 - only to learn whether pyusb is installed
        except ImportError:
            return False
        return True
