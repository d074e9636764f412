"""The device roles of the terminal and the driver registry each role's backends come from.

Its own module so that both the configuration check (:mod:`kiosk.config`) and the device manager
(:mod:`kiosk.devices`) can use it without importing each other.
"""

from __future__ import annotations

from typing import Any

from drivers.camera import camera_backends
from drivers.common import BackendRegistry
from drivers.doccam import document_camera_backends
from drivers.idcard import id_reader_backends
from drivers.printer import document_printer_backends, receipt_printer_backends
from drivers.scanner import code_scanner_backends

#: Device role → the registry its backends come from.
REGISTRIES: dict[str, BackendRegistry[Any]] = {
    "id_reader": id_reader_backends,
    "camera": camera_backends,
    "receipt_printer": receipt_printer_backends,
    "document_printer": document_printer_backends,
    "code_scanner": code_scanner_backends,
    "document_camera": document_camera_backends,
}
