"""The receipt and document printer interfaces and their backend registries."""

from __future__ import annotations

from abc import abstractmethod

from ..common import BackendRegistry, Device
from .receipt import PrintResult, Receipt


class ReceiptPrinter(Device):
    """A thermal receipt printer (80 or 58 mm).

    Backends: ESC/POS over USB, serial, network (port 9100), a device file or a raw CUPS queue,
    each a transport under one ESC/POS job engine (:mod:`.escpos_printer`) with one ``DLE EOT``
    status query, and the simulated printer. All methods run on the printer's owner thread.
    """

    family = "receipt_printer"

    @abstractmethod
    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Print one receipt and return when the printer has taken it (owner thread).

        Queries the status first and raises :class:`~drivers.common.DeviceUserError` (action
        CLEAR) when the paper is out or the cover open. A failed job is never left queued to
        print later, when the citizen has gone.
        """


class DocumentPrinter(Device):
    """An A4 printer for forms; the PDF is rendered by the caller (``ui`` with QPdfWriter).

    Backends: a CUPS queue (:mod:`.cups`, which cancels a job that does not complete) and the
    simulated printer. :meth:`discard` is part of every document printer: one that keeps nothing
    inherits the default, so callers never probe for it.
    """

    family = "document_printer"

    @abstractmethod
    def print_document(self, pdf: bytes, title: str) -> PrintResult:
        """Print a PDF document; ``title`` names the job (no personal data) (owner thread).

        Raises :class:`ValueError` when ``pdf`` is not a PDF, and ``DeviceError`` subclasses
        as :meth:`ReceiptPrinter.print_receipt` does.
        """

    def discard(self, job_id: str) -> None:
        """Forget everything kept of job ``job_id`` (the session was wiped) (owner thread).

        Backends that keep a copy (the simulator's PDF files) delete it; a job still queued is
        cancelled. The default keeps nothing, so does nothing.
        """


#: Backends for ``devices.receipt_printer.backend``.
receipt_printer_backends: BackendRegistry[ReceiptPrinter] = BackendRegistry("receipt_printer")
#: Backends for ``devices.document_printer.backend``.
document_printer_backends: BackendRegistry[DocumentPrinter] = BackendRegistry("document_printer")
