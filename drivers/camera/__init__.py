"""Face cameras: :class:`Frame`, the :class:`Camera` interface, JPEG encoding and backends.

Backends in :data:`camera_backends`: ``simulated`` (:class:`SimulatedCamera`) and ``opencv``
(:class:`OpenCvCamera`). The face pipeline that works on these frames (detection, quality,
liveness, matching) is :mod:`drivers.face`; the document camera (:mod:`drivers.doccam`) builds on
these frames and on the OpenCV capture. With those two, this package is the only one that imports
OpenCV (``cv2``), and only when a frame or a backend is first used: importing the package stays
cheap for start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base import Camera, camera_backends

camera_backends.register_lazy("simulated", "drivers.camera.simulated:SimulatedCamera")
camera_backends.register_lazy("opencv", "drivers.camera.opencv:OpenCvCamera")

_LAZY_EXPORTS = {"Frame": ".frame", "encode_jpeg": ".frame", "OpenCvCamera": ".opencv", "SimulatedCamera": ".simulated"}


def __getattr__(name: str) -> Any:
    """Import the OpenCV-backed names on first use (PEP 562)."""
    if name in _LAZY_EXPORTS:
        return getattr(importlib.import_module(_LAZY_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Camera", "Frame", "OpenCvCamera", "SimulatedCamera", "camera_backends", "encode_jpeg"]
