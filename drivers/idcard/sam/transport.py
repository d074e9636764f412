"""The byte transport to a SAM reader: pyserial on a device path or a pyserial URL.

``port`` is a device path (``/dev/ttyUSB0``) or any pyserial URL (``socket://host:port``,
``rfc2217://host:port``, ``loop://``). Serial errors are mapped to the driver exception tree.
All methods run on the reader's owner thread.
"""

from __future__ import annotations

import contextlib
import errno
import time

import serial

from ...common import DeviceIOError, DeviceNotFound, DeviceNotOpen, DeviceTimeout


class ReadTimeout(DeviceTimeout):
    """Time ran out with ``received`` of the expected bytes in hand (0: the reader was silent)."""

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


class SerialTransport:
    """Opens ``port`` at 8N1 ``baudrate`` and reads exact byte counts against deadlines."""

    def __init__(self, port: str, baudrate: int = 115200) -> None:
        self.port = port
        self.baudrate = baudrate
        self._serial: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        """True between :meth:`open` and :meth:`close`."""
        return self._serial is not None

    def open(self) -> None:
        """Open the port; :class:`DeviceNotFound` if it does not exist, else :class:`DeviceIOError`."""
        if self._serial is not None:
            return
        try:
            # pyserial's RFC 2217 client has no write timeout; every other transport gets one.
            port = serial.serial_for_url(
                self.port, baudrate=self.baudrate, bytesize=8, parity="N", stopbits=1,
                timeout=0.05, do_not_open=True,
            )
            if not self.port.startswith("rfc2217://"):
                port.write_timeout = 2.0
            port.open()
        except (serial.SerialException, OSError, ValueError) as exc:
            cause = getattr(exc, "errno", None)
            missing = "could not open port" in str(exc) and "No such file" in str(exc)
            if cause in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or missing:
                raise DeviceNotFound(f"serial port not found: {self.port}") from exc
            raise DeviceIOError(f"cannot open serial port {self.port}: {type(exc).__name__}") from exc
        self._serial = port

    def close(self) -> None:
        """Close the port (idempotent)."""
        port, self._serial = self._serial, None
        if port is not None:
            # Closing a vanished USB adapter fails; it is closed either way.
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def _port(self) -> serial.Serial:
        if self._serial is None:
            raise DeviceNotOpen("the SAM reader's port is not open")
        return self._serial

    def discard_input(self) -> None:
        """Drop unread bytes (after a garbled frame, so the next reply starts clean)."""
        try:
            self._port().reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise DeviceIOError("serial port failed while flushing") from exc

    def write(self, data: bytes) -> None:
        """Write all of ``data``; :class:`DeviceIOError` when the port fails."""
        try:
            self._port().write(data)
            self._port().flush()
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout("the serial port did not accept our command") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceIOError("the serial port failed while writing") from exc

    def read_exact(self, count: int, deadline: float) -> bytes:
        """Read exactly ``count`` bytes before ``deadline`` (``time.monotonic()``).

        Raises :class:`DeviceTimeout` with the number of bytes received when time runs out (a
        truncated frame or a silent reader).
        """
        port = self._port()
        data = bytearray()
        while len(data) < count:
            if time.monotonic() >= deadline:
                raise ReadTimeout(f"the reader sent {len(data)} of {count} expected bytes in time", len(data))
            try:
                chunk = port.read(count - len(data))
            except (serial.SerialException, OSError) as exc:
                raise DeviceIOError("the serial port failed while reading") from exc
            data += chunk
        return bytes(data)
