"""Printers: receipts (ESC/POS thermal) and A4 documents (PDF), with simulated backends.

Backends: :data:`receipt_printer_backends` ``simulated`` (:class:`SimulatedReceiptPrinter`, the
real ESC/POS engine over a simulated ESC/POS device), ``usb``, ``serial``, ``network``, ``file``
and ``cups`` (:mod:`.escpos_printer`, :mod:`.cups`); :data:`document_printer_backends`
``simulated`` (:class:`SimulatedDocumentPrinter`) and ``cups`` (:class:`~.cups.CupsDocumentPrinter`).
Everything simulated lives in :mod:`.simulated`. This package is the only one that imports
python-escpos, and only when a receipt is first rendered: importing the package stays cheap for
start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base import (
    DocumentPrinter,
    ReceiptPrinter,
    document_printer_backends,
    receipt_printer_backends,
)
from .fonts import FontNotFound, find_cjk_font
from .receipt import PrintResult, Receipt

receipt_printer_backends.register_lazy("simulated", "drivers.printer.simulated.printers:SimulatedReceiptPrinter")
receipt_printer_backends.register_lazy("usb", "drivers.printer.escpos_printer:UsbReceiptPrinter")
receipt_printer_backends.register_lazy("serial", "drivers.printer.escpos_printer:SerialReceiptPrinter")
receipt_printer_backends.register_lazy("network", "drivers.printer.escpos_printer:NetworkReceiptPrinter")
receipt_printer_backends.register_lazy("file", "drivers.printer.escpos_printer:FileReceiptPrinter")
receipt_printer_backends.register_lazy("cups", "drivers.printer.cups:CupsReceiptPrinter")
document_printer_backends.register_lazy("simulated", "drivers.printer.simulated.printers:SimulatedDocumentPrinter")
document_printer_backends.register_lazy("cups", "drivers.printer.cups:CupsDocumentPrinter")

_LAZY_EXPORTS = {
    "decode_job": ".decode",
    "decode_raster_images": ".escpos_bytes",
    "SimulatedEscposDevice": ".simulated.escpos_device",
    "SimulatedNetworkPrinter": ".simulated.network_device",
    "receipt_escpos_bytes": ".escpos_bytes",
    "render_receipt_image": ".render",
    "SimulatedDocumentPrinter": ".simulated.printers",
    "SimulatedReceiptPrinter": ".simulated.printers",
}


def __getattr__(name: str) -> Any:
    """Import the rendering and backend names on first use (PEP 562)."""
    if name in _LAZY_EXPORTS:
        return getattr(importlib.import_module(_LAZY_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DocumentPrinter",
    "FontNotFound",
    "PrintResult",
    "Receipt",
    "ReceiptPrinter",
    "SimulatedDocumentPrinter",
    "SimulatedEscposDevice",
    "SimulatedNetworkPrinter",
    "SimulatedReceiptPrinter",
    "decode_job",
    "decode_raster_images",
    "document_printer_backends",
    "find_cjk_font",
    "receipt_escpos_bytes",
    "receipt_printer_backends",
    "render_receipt_image",
]
