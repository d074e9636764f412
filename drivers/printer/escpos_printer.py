"""ESC/POS receipt printers: one job engine over a transport, and the configured backends.

Backends (``devices.receipt_printer.backend``): ``usb``, ``serial``, ``network`` (raw TCP 9100),
``file`` (``/dev/usb/lp0``) and ``cups`` (a raw CUPS queue). The engine queries the status with
its own ``DLE EOT`` (1-byte reads, short timeouts) before every job and again while and after
sending it; if the printer cannot finish, it clears the printer's buffers (``DLE DC4 8``) so the
receipt can never come out later for the next citizen, then raises. All methods run on the
printer's owner thread; constructors store options only.
"""

from __future__ import annotations

import logging
import re
import uuid

from ..common import (
    DeviceError,
    DeviceInfo,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    DeviceUserError,
    ErrorAction,
)
from .base import ReceiptPrinter, receipt_printer_backends
from .receipt import PrintResult, Receipt
from .render import WIDTH_58MM, WIDTH_80MM
from .status import CLEAR_BUFFERS, query_flags, status_from_flags
from .transport import FileTransport, NetworkTransport, SerialTransport, Transport, UsbTransport

log = logging.getLogger(__name__)

PAPER_WIDTHS_PX = {80: WIDTH_80MM, 58: WIDTH_58MM}
#: Rows per raster command when sending: the status is checked between them.
SEND_FRAGMENT_HEIGHT = 256


class EscposReceiptPrinter(ReceiptPrinter):
    """A receipt printer speaking ESC/POS over ``transport``.

    ``text_mode``: "raster" (CJK text drawn as an image; any printer) or "gb18030" (printer's
    Chinese font). ``native_qr``: print the QR with ``GS ( k`` (printers that support it).
    ``check_every_bytes``: how much of a job may be sent between two status checks.
    """

    backend_name = "escpos"

    def __init__(self, transport: Transport, paper_width_mm: int = 80, text_mode: str = "raster",
                 native_qr: bool = True, status_timeout_s: float = 0.5, check_every_bytes: int = 8192) -> None:
        if paper_width_mm not in PAPER_WIDTHS_PX:
            raise ValueError(f"paper_width_mm must be 80 or 58, not {paper_width_mm!r}")
        if text_mode not in ("raster", "gb18030"):
            raise ValueError(f"text_mode must be 'raster' or 'gb18030', not {text_mode!r}")
        if not 0 < status_timeout_s <= 5:
            raise ValueError("status_timeout_s must be between 0 and 5 seconds")
        self.transport = transport
        self.paper_width_mm = paper_width_mm
        self.width_px = PAPER_WIDTHS_PX[paper_width_mm]
        self.text_mode, self.native_qr = text_mode, native_qr
        self.status_timeout_s, self.check_every_bytes = status_timeout_s, check_every_bytes
        self._is_open = False

    # -- lifecycle -----------------------------------------------------------------------------
    def open(self) -> None:
        """Connect to the printer (owner thread)."""
        if not self._is_open:
            self.transport.open()
            self._is_open = True

    def close(self) -> None:
        """Disconnect (owner thread); safe twice."""
        self._is_open = False
        self.transport.close()

    def info(self) -> DeviceInfo:
        """Backend and where the printer is (owner thread)."""
        model = f"ESC/POS {self.paper_width_mm} mm ({self.transport.describe()})"
        return DeviceInfo("receipt_printer", self.backend_name, model, "", "")

    def is_usable(self) -> bool:
        """Whether the transport could work here (any thread)."""
        try:
            return self.transport.is_usable()
        except Exception:
            return False

    def status(self) -> DeviceStatus:
        """Query the printer now (``DLE EOT``); no answer is OFFLINE, never "fine" (owner thread)."""
        if not self._is_open:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        try:
            return self._query()
        except DeviceError as exc:
            return DeviceStatus(DeviceState.OFFLINE, exc.action, "no_answer")

    def _query(self) -> DeviceStatus:
        if not self.transport.supports_status:
            return self.transport_status()
        return status_from_flags(query_flags(self.transport, self.status_timeout_s))

    def transport_status(self) -> DeviceStatus:
        """Status of a transport that cannot answer ``DLE EOT`` (overridden by the CUPS backend)."""
        return DeviceStatus(DeviceState.ONLINE, ErrorAction.NONE, "status_unknown")

    # -- printing ------------------------------------------------------------------------------
    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Preflight, send the job in checked pieces, confirm; on any failure clear and raise."""
        from .escpos_bytes import receipt_escpos_segments

        if not self._is_open:
            raise DeviceNotOpen("the receipt printer is not open")
        segments = receipt_escpos_segments(receipt, self.width_px, text_mode=self.text_mode,
                                           native_qr=self.native_qr, fragment_height=SEND_FRAGMENT_HEIGHT)
        self._preflight()
        job_id = job_id_for(receipt.receipt_number)
        try:
            self.send_job(segments, job_id)
        except DeviceError:
            self._abort()
            raise
        log.info("receipt printed on %s: %d bytes", self.backend_name, sum(map(len, segments)))
        return PrintResult(job_id, 1, None)

    def send_job(self, segments: list[bytes], job_id: str) -> None:
        """Write the segments, checking the status every ``check_every_bytes`` and at the end."""
        since_check = 0
        for index, segment in enumerate(segments):
            self.transport.write(segment)
            since_check += len(segment)
            if since_check >= self.check_every_bytes and index < len(segments) - 1:
                self._check_while_printing()
                since_check = 0
        self._check_while_printing()

    def _preflight(self) -> None:
        try:
            status = self._query()
        except (DeviceIOError, DeviceTimeout):
            # A network printer drops idle connections: reconnect once before giving up.
            self.transport.close()
            self.transport.open()
            status = self._query()
        _raise_unless_ready(status, during_job=False)

    def _check_while_printing(self) -> None:
        if self.transport.supports_status:
            _raise_unless_ready(self._query(), during_job=True)

    def _abort(self) -> None:
        """Best effort: drop whatever the printer still holds of this job."""
        try:
            self.transport.write(CLEAR_BUFFERS)
        except DeviceError:
            log.warning("could not clear the receipt printer's buffers after a failed job")


def _raise_unless_ready(status: DeviceStatus, during_job: bool) -> None:
    if status.state is DeviceState.ONLINE:
        return  # paper near end still prints
    when = "while printing" if during_job else "before printing"
    if status.state is DeviceState.USER_ERROR:
        raise DeviceUserError(f"receipt printer: {status.detail} ({when})", status.action)
    raise DeviceIOError(f"receipt printer: {status.detail or status.state.value} ({when})", status.action)


def job_id_for(name: str) -> str:
    """A unique, file-name-safe job id that starts with ``name`` (a receipt number)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:48] or "job"
    return f"{safe}_{uuid.uuid4().hex[:8]}"


@receipt_printer_backends.register("serial")
class SerialReceiptPrinter(EscposReceiptPrinter):
    """ESC/POS over a serial port (``port``, ``baudrate``; 115200 recommended, 9600 is slow)."""

    backend_name = "serial"

    def __init__(self, port: str, baudrate: int = 115200, rtscts: bool = False, paper_width_mm: int = 80,
                 text_mode: str = "raster", native_qr: bool = True, status_timeout_s: float = 0.5) -> None:
        super().__init__(SerialTransport(port, baudrate, rtscts=rtscts), paper_width_mm, text_mode, native_qr,
                         status_timeout_s)


@receipt_printer_backends.register("network")
class NetworkReceiptPrinter(EscposReceiptPrinter):
    """ESC/POS over raw TCP (``host``, ``port`` 9100)."""

    backend_name = "network"

    def __init__(self, host: str, port: int = 9100, paper_width_mm: int = 80, text_mode: str = "raster",
                 native_qr: bool = True, status_timeout_s: float = 0.5) -> None:
        super().__init__(NetworkTransport(host, port), paper_width_mm, text_mode, native_qr, status_timeout_s)


@receipt_printer_backends.register("usb")
class UsbReceiptPrinter(EscposReceiptPrinter):
    """ESC/POS over USB (``vendor_id``, ``product_id``, endpoints); needs pyusb and a udev rule."""

    backend_name = "usb"

    def __init__(self, vendor_id: int, product_id: int, in_ep: int = 0x82, out_ep: int = 0x01,
                 paper_width_mm: int = 80, text_mode: str = "raster", native_qr: bool = True,
                 status_timeout_s: float = 0.5) -> None:
        super().__init__(UsbTransport(vendor_id, product_id, in_ep, out_ep), paper_width_mm, text_mode,
                         native_qr, status_timeout_s)


@receipt_printer_backends.register("file")
class FileReceiptPrinter(EscposReceiptPrinter):
    """ESC/POS to a device file (``devfile``, e.g. ``/dev/usb/lp0``); status read back from it."""

    backend_name = "file"

    def __init__(self, devfile: str, readable: bool = True, paper_width_mm: int = 80, text_mode: str = "raster",
                 native_qr: bool = True, status_timeout_s: float = 0.5) -> None:
        super().__init__(FileTransport(devfile, readable), paper_width_mm, text_mode, native_qr, status_timeout_s)
