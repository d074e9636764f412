"""Reading QR codes and barcodes from camera frames with zxing-cpp.

:func:`decode_codes` is pure (any thread). :class:`CameraCodeScanner` is a scanner backend that
owns a camera (any :mod:`drivers.camera` backend, configured by name and options) and decodes
every frame it reads on its owner thread; repeats are folded by :class:`CodeScanner`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import zxingcpp

from ..camera.base import Camera, camera_backends
from ..common import DeviceInfo, DeviceNotOpen, DeviceStatus
from .base import CodeScanner, ScannedCode, code_scanner_backends

_NAMES = {"QRCode": "qr", "MicroQRCode": "qr", "EAN13": "ean13", "Code128": "code128", "Code39": "code39",
          "DataMatrix": "datamatrix", "PDF417": "pdf417", "ITF": "itf", "Aztec": "aztec"}


def symbology_name(barcode_format: object) -> str:
    """Our name for a zxing-cpp ``BarcodeFormat`` ("qr", "ean13", ...; lower case otherwise)."""
    name = getattr(barcode_format, "name", str(barcode_format).rsplit(".", 1)[-1])
    return _NAMES.get(name, name.lower())


def decode_codes(pixels: np.ndarray, timestamp: float = 0.0) -> list[ScannedCode]:
    """Every readable code in an RGB or grey image (any thread). Raises :class:`ValueError`
    for an array that is not a uint8 image."""
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
        raise ValueError("codes are decoded from uint8 H×W or H×W×3 images")
    found = zxingcpp.read_barcodes(np.ascontiguousarray(pixels))
    return [ScannedCode(code.text, symbology_name(code.format), timestamp)
            for code in found if code.valid and code.text]


@code_scanner_backends.register("camera")
class CameraCodeScanner(CodeScanner):
    """Decodes codes from the frames of ``camera`` (``{"backend": "opencv", "options": {...}}``).
    Everything on the owner thread; :attr:`camera` is the camera itself (for its faults in tests)."""

    def __init__(self, camera: dict[str, Any] | None = None, repeat_window_s: float = 3.0,
                 min_interval_s: float = 0.5) -> None:
        super().__init__(repeat_window_s, min_interval_s)
        chosen = dict(camera or {"backend": "opencv", "options": {}})
        unknown = set(chosen) - {"backend", "options"}
        if unknown or "backend" not in chosen:
            raise ValueError("camera is {'backend': <name>, 'options': {...}}")
        self.camera: Camera = camera_backends.create(str(chosen["backend"]), **dict(chosen.get("options") or {}))
        self._is_open = False
        self._waiting: list[ScannedCode] = []

    def open(self) -> None:
        """Open the camera (owner thread)."""
        self.camera.open()
        self._is_open = True

    def close(self) -> None:
        """Close the camera (owner thread)."""
        self._is_open = False
        self._waiting = []
        self.camera.close()

    def status(self) -> DeviceStatus:
        """The camera's status (owner thread)."""
        return self.camera.status()

    def info(self) -> DeviceInfo:
        """The camera's description, in the code scanner family (owner thread)."""
        seen = self.camera.info()
        return DeviceInfo("code_scanner", "camera", f"Codes from {seen.model}", seen.serial, seen.firmware)

    def is_usable(self) -> bool:
        """Whether the camera is (any thread)."""
        return self.camera.is_usable()

    def _next_code(self, timeout_s: float) -> ScannedCode | None:
        if not self._is_open:
            raise DeviceNotOpen("the code scanner is not open")
        deadline = time.monotonic() + timeout_s
        while not self._waiting:
            frame = self.camera.read_frame(max(timeout_s, 0.5))
            self._waiting = decode_codes(frame.pixels, frame.timestamp)
            if time.monotonic() >= deadline:
                break
        return self._waiting.pop(0) if self._waiting else None
