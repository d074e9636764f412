"""Simulated printers that write their output to files: demo mode, training and tests."""

from __future__ import annotations

import io
import logging
import os
import re
import uuid
from pathlib import Path

from ..common import (
    DeviceInfo,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceUserError,
    ErrorAction,
    FaultScript,
)
from .base import DocumentPrinter, ReceiptPrinter, document_printer_backends, receipt_printer_backends
from .escpos_bytes import receipt_escpos_bytes
from .receipt import PrintResult, Receipt
from .render import WIDTH_58MM, WIDTH_80MM, render_receipt_image

log = logging.getLogger(__name__)

#: Fault kinds for the simulated printers' ``script_fault``.
FAULT_KINDS = ("paper_out", "cover_open", "offline")

_PAPER_WIDTHS_MM = {80: WIDTH_80MM, 58: WIDTH_58MM}
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


class _SimulatedPrinter:
    """Shared state of both simulated printers: output directory, open flag and faults."""

    def __init__(self, output_dir: str) -> None:
        if not str(output_dir):
            raise ValueError("output_dir must name a directory")
        self._output_dir = Path(output_dir)
        self._faults = FaultScript(FAULT_KINDS)
        self._is_open = False

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


@receipt_printer_backends.register("simulated")
class SimulatedReceiptPrinter(_SimulatedPrinter, ReceiptPrinter):
    """Writes each receipt as ``<job>.bin`` (ESC/POS), ``<job>.png`` (raster) and ``<job>.txt``.

    ``paper_width_mm`` is 80 (576 dots) or 58 (384 dots). The job id starts with the receipt
    number, so staff can find a receipt's files.
    """

    def __init__(self, output_dir: str, paper_width_mm: int = 80) -> None:
        super().__init__(output_dir)
        if paper_width_mm not in _PAPER_WIDTHS_MM:
            raise ValueError(f"paper_width_mm must be 80 or 58, not {paper_width_mm!r}")
        self._paper_width_mm = paper_width_mm
        self.width_px = _PAPER_WIDTHS_MM[paper_width_mm]

    def info(self) -> DeviceInfo:
        """Describes the simulator (owner thread)."""
        model = f"Simulated {self._paper_width_mm} mm thermal printer"
        return DeviceInfo("receipt_printer", "simulated", model, "SIM-RCP-0001", "1.0")

    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Render and "print" the receipt into the output directory (owner thread)."""
        self._check_ready()
        job_id = _job_id(receipt.receipt_number)
        png = io.BytesIO()
        render_receipt_image(receipt, self.width_px).save(png, format="PNG")
        job = receipt_escpos_bytes(receipt, self.width_px)
        outputs = {
            f"{job_id}.txt": receipt.as_text().encode("utf-8"),
            f"{job_id}.png": png.getvalue(),
            f"{job_id}.bin": job,  # last: its presence means the job was "sent"
        }
        written: list[Path] = []
        try:
            for name, data in outputs.items():
                written.append(self._write(name, data))
        except DeviceIOError:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        log.info("simulated receipt printed: receipt %s, %d bytes", receipt.receipt_number, len(job))
        return PrintResult(job_id, 1, str(self._output_dir / f"{job_id}.bin"))


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


def count_pdf_pages(pdf: bytes) -> int:
    """Page objects in an uncompressed-object PDF (as QPdfWriter writes); at least 1."""
    return max(1, len(_PAGE.findall(pdf)))


def _job_id(name: str) -> str:
    """A unique, file-name-safe job id that starts with ``name`` (a receipt number or title)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:48] or "job"
    return f"{safe}_{uuid.uuid4().hex[:8]}"
