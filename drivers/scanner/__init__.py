"""QR/barcode scanners: the :class:`ScannedCode` event, the :class:`CodeScanner` interface and backends.

Backends in :data:`code_scanner_backends`: ``simulated`` (:class:`SimulatedCodeScanner`, codes
held up by :meth:`~SimulatedCodeScanner.present_code`), ``serial`` (:class:`SerialCodeScanner`,
a scanner in USB CDC mode over pyserial) and ``camera`` (:class:`CameraCodeScanner`, zxing-cpp on
the frames of a camera). Backend libraries load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base import CodeScanner, PresentsCodes, ScannedCode, code_scanner_backends
from .repeats import RepeatFilter

code_scanner_backends.register_lazy("simulated", "drivers.scanner.simulated:SimulatedCodeScanner")
code_scanner_backends.register_lazy("serial", "drivers.scanner.serial_scanner:SerialCodeScanner")
code_scanner_backends.register_lazy("camera", "drivers.scanner.camera_decoder:CameraCodeScanner")

_LAZY_EXPORTS = {"SimulatedCodeScanner": ".simulated", "SerialCodeScanner": ".serial_scanner",
                 "CameraCodeScanner": ".camera_decoder", "decode_codes": ".camera_decoder"}


def __getattr__(name: str) -> Any:
    """Import the backend modules on first use (PEP 562)."""
    if name in _LAZY_EXPORTS:
        return getattr(importlib.import_module(_LAZY_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CameraCodeScanner", "CodeScanner", "PresentsCodes", "RepeatFilter", "ScannedCode",
           "SerialCodeScanner", "SimulatedCodeScanner", "code_scanner_backends", "decode_codes"]
