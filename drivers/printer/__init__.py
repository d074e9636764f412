"""Printers: receipts (ESC/POS thermal) and A4 documents (PDF), with simulated backends.

Backends: :data:`receipt_printer_backends` ``simulated`` (:class:`SimulatedReceiptPrinter`),
:data:`document_printer_backends` ``simulated`` (:class:`SimulatedDocumentPrinter`). This package
is the only one that imports python-escpos.
"""

from __future__ import annotations

from .base import DocumentPrinter, ReceiptPrinter, document_printer_backends, receipt_printer_backends
from .escpos_bytes import decode_raster_images, receipt_escpos_bytes
from .fonts import FontNotFound, find_cjk_font
from .receipt import PrintResult, Receipt
from .render import render_receipt_image
from .simulated import SimulatedDocumentPrinter, SimulatedReceiptPrinter

__all__ = [
    "DocumentPrinter",
    "FontNotFound",
    "PrintResult",
    "Receipt",
    "ReceiptPrinter",
    "SimulatedDocumentPrinter",
    "SimulatedReceiptPrinter",
    "decode_raster_images",
    "document_printer_backends",
    "find_cjk_font",
    "receipt_escpos_bytes",
    "receipt_printer_backends",
    "render_receipt_image",
]
