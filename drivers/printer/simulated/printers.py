"""Simulated printers that write their output to files: demo mode, training and tests."""

from __future__ import annotations

import logging
import os
import re
import uuid
from pathlib import Path

from ...common import (
    DeviceInfo,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceUserError,
    ErrorAction,
    FaultScript,
)
from ..base import DocumentPrinter, document_printer_backends, receipt_printer_backends
from ..escpos_printer import EscposReceiptPrinter
from ..receipt import PrintResult, Receipt
from ..transport import Transport
from .escpos_device import PrintedJob, SimulatedEscposDevice, write_job_files

log = logging.getLogger(__name__)

#: Fault kinds for the simulated printers' ``script_fault``.
FAULT_KINDS = ("paper_out", "cover_open", "offline")

_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


class _SimulatedPrinter:
    """Shared state of both simulated printers: output directory, open flag and faults."""

    def __init__(self, output_dir: str) -> None:
        if not str(output_dir):
            raise ValueError("output_dir must name a directory")
        self._output_dir = Path(output_dir)
        self._faults = FaultScript(FAULT_KINDS)
        self._is_open = False

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self._faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` jobs fail (any thread).

        Kinds: "paper_out" and "cover_open" (:class:`DeviceUserError`, action CLEAR; the status
        shows it until the jobs have failed), "offline" (:class:`DeviceIOError`, action RESET).
        """
        self._faults.add(kind, count)

    def clear_faults(self) -> None:
        """Drop every scripted fault, like staff refilling paper (any thread)."""
        self._faults.clear()

    def open(self) -> None:
        """Create the output directory (owner thread)."""
        try:
            self._output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceIOError(f"cannot create printer output directory {str(self._output_dir)!r}") from exc
        self._is_open = True

    def close(self) -> None:
        """Mark the printer closed (owner thread)."""
        self._is_open = False

    def status(self) -> DeviceStatus:
        """OFFLINE when closed or scripted offline, USER_ERROR while paper is out (owner thread)."""
        if not self._is_open:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        fault = self._faults.pending()
        if fault == "offline":
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.RESET, "offline")
        if fault is not None:
            return DeviceStatus(DeviceState.USER_ERROR, ErrorAction.CLEAR, fault)
        return DeviceStatus(DeviceState.ONLINE)

    def is_usable(self) -> bool:
        """True unless the output directory exists as something other than a directory (any thread)."""
        try:
            return not self._output_dir.exists() or self._output_dir.is_dir()
        except OSError:
            return False

    def _check_ready(self) -> None:
        """Raise the way a real printer's status query would, consuming one scripted fault."""
        if not self._is_open:
            raise DeviceNotOpen("the printer is not open")
        fault = self._faults.take()
        if fault == "offline":
            raise DeviceIOError("the printer is offline (scripted)", ErrorAction.RESET)
        if fault == "paper_out":
            raise DeviceUserError("the printer is out of paper (scripted)", ErrorAction.CLEAR)
        if fault == "cover_open":
            raise DeviceUserError("the printer cover is open (scripted)", ErrorAction.CLEAR)

    def _write(self, name: str, data: bytes) -> Path:
        # Write then rename, so a reader of output_dir never sees half a job.
        target = self._output_dir / name
        temporary = target.with_name(f".{name}.part")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise DeviceIOError(f"cannot write printer output {name!r}") from exc
        return target


class SimulatedTransport(Transport):
    """An in-process byte pipe to an :class:`SimulatedEscposDevice` (answers arrive at once)."""

    def __init__(self, device: SimulatedEscposDevice) -> None:
        self.device = device
        self._answers = bytearray()

    def open(self) -> None:
        """Connect (owner thread)."""
        self._answers.clear()

    def close(self) -> None:
        """Disconnect; safe twice (owner thread)."""
        self._answers.clear()

    def write(self, data: bytes) -> None:
        """Send bytes (owner thread)."""
        self._answers += self.device.feed(data)

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or b"" after the timeout (owner thread)."""
        byte = bytes(self._answers[:1])
        del self._answers[:1]
        return byte

    def describe(self) -> str:
        """Where the printer is (no personal data)."""
        return "emulated printer"


#: Fault kinds of the simulated receipt printer.
RECEIPT_FAULT_KINDS = ("paper_out", "cover_open", "offline", "paper_out_mid_job", "paper_near_end")


@receipt_printer_backends.register("simulated")
class SimulatedReceiptPrinter(EscposReceiptPrinter):
    """The real ESC/POS engine driving an emulated printer that writes each printed job as
    ``<job>.bin`` (the ESC/POS bytes), ``<job>.png`` (decoded back to an image) and ``<job>.txt``
    (decoded text, QR data and cut).

    ``paper_width_mm`` is 80 (576 dots) or 58 (384 dots); ``text_mode`` and ``native_qr`` as for
    the real backends. The job id starts with the receipt number, so staff can find a receipt.
    Scripted faults (:meth:`script_fault`) fail the next jobs the way a real printer would.
    """

    backend_name = "simulated"

    def __init__(self, output_dir: str, paper_width_mm: int = 80, text_mode: str = "raster",
                 native_qr: bool = True) -> None:
        if not str(output_dir):
            raise ValueError("output_dir must name a directory")
        self._output_dir = Path(output_dir)
        self.device = SimulatedEscposDevice(on_job=self._write_job)
        super().__init__(SimulatedTransport(self.device), paper_width_mm, text_mode, native_qr)
        self._faults = FaultScript(RECEIPT_FAULT_KINDS)

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self._faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` jobs fail (any thread).

        "paper_out", "cover_open" (DeviceUserError, CLEAR), "offline" (DeviceIOError, RESET) are
        seen by the status query before printing; "paper_out_mid_job" runs out of paper halfway
        through the job; "paper_near_end" prints but reports the roll nearly used up.
        """
        self._faults.add(kind, count)

    def clear_faults(self) -> None:
        """Drop every scripted fault, like staff refilling paper (any thread)."""
        self._faults.clear()
        self.device.set_state(paper_out=False, cover_open=False, offline=False, paper_near_end=False)

    def open(self) -> None:
        """Create the output directory (owner thread)."""
        try:
            self._output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceIOError(f"cannot create printer output directory {str(self._output_dir)!r}") from exc
        super().open()

    def info(self) -> DeviceInfo:
        """Describes the simulator (owner thread)."""
        model = f"Simulated {self.paper_width_mm} mm thermal printer"
        return DeviceInfo("receipt_printer", "simulated", model, "SIM-RCP-0001", "1.0")

    def is_usable(self) -> bool:
        """True unless the output directory exists as something other than a directory (any thread)."""
        try:
            return not self._output_dir.exists() or self._output_dir.is_dir()
        except OSError:
            return False

    def status(self) -> DeviceStatus:
        """The emulated printer's answer to ``DLE EOT``, with the next scripted fault showing."""
        self._show(self._faults.pending())
        return super().status()

    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Print through the real engine; a scripted fault is consumed by this job (owner thread)."""
        if not self._is_open:
            raise DeviceNotOpen("the printer is not open")
        fault = self._faults.take()
        self._show(fault)
        try:
            result = super().print_receipt(receipt)
        finally:
            # Staff fixed it: the next job finds the printer ready (and nothing held in it).
            self._show(self._faults.pending())
        return PrintResult(result.job_id, 1, str(self._output_dir / f"{result.job_id}.bin"))

    def send_job(self, segments: list[bytes], job_id: str) -> None:
        """Send the job's segments (owner thread)."""
        self.device.name_next_job(job_id)
        super().send_job(segments, job_id)

    def _show(self, fault: str | None) -> None:
        self.device.set_state(paper_out=fault == "paper_out", cover_open=fault == "cover_open",
                                offline=fault == "offline", paper_near_end=fault == "paper_near_end")
        self.device.paper_out_after = None
        if fault == "paper_out_mid_job":
            self.device.paper_out_after = 6000

    def _write_job(self, job: PrintedJob) -> None:
        try:
            write_job_files(self._output_dir, job, self.width_px)
        except OSError as exc:
            raise DeviceIOError(f"cannot write printer output {job.name!r}") from exc
        log.info("simulated receipt printed: %d bytes", len(job.data))


@document_printer_backends.register("simulated")
class SimulatedDocumentPrinter(_SimulatedPrinter, DocumentPrinter):
    """Writes each document as ``<job>.pdf`` into ``output_dir``."""

    def info(self) -> DeviceInfo:
        """Describes the simulator (owner thread)."""
        return DeviceInfo("document_printer", "simulated", "Simulated A4 printer", "SIM-A4-0001", "1.0")

    def print_document(self, pdf: bytes, title: str) -> PrintResult:
        """Check that ``pdf`` is a PDF and write it to the output directory (owner thread)."""
        if not isinstance(pdf, (bytes, bytearray)) or not bytes(pdf[:5]) == b"%PDF-":
            raise ValueError("the document to print is not a PDF")
        self._check_ready()
        job_id = _job_id(title)
        path = self._write(f"{job_id}.pdf", bytes(pdf))
        pages = count_pdf_pages(bytes(pdf))
        log.info("simulated document printed: job %s, %d page(s)", job_id, pages)
        return PrintResult(job_id, pages, str(path))

    def discard(self, job_id: str) -> None:
        """Delete the job's PDF: it holds the citizen's answers (owner thread)."""
        if re.fullmatch(r"[A-Za-z0-9_-]+", job_id):
            (self._output_dir / f"{job_id}.pdf").unlink(missing_ok=True)


def count_pdf_pages(pdf: bytes) -> int:
    """Page objects in an uncompressed-object PDF (as QPdfWriter writes); at least 1."""
    return max(1, len(_PAGE.findall(pdf)))


def _job_id(name: str) -> str:
    """A unique, file-name-safe job id that starts with ``name`` (a receipt number or title)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:48] or "job"
    return f"{safe}_{uuid.uuid4().hex[:8]}"
