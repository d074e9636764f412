"""Document cameras (高拍仪): the interface, page processing and backends.

Backends in :data:`document_camera_backends`: ``simulated`` (:class:`SimulatedDocumentCamera`,
photographs of rendered paper forms lying at an angle on a desk) and ``opencv``
(:class:`OpenCvDocumentCamera`, a UVC camera through the face camera's OpenCV capture). Page
processing (:mod:`.page`: detection, guidance, rectification, quality; :mod:`.encode`:
compression; :mod:`.steady`: auto-capture) is pure computation on frames. OpenCV loads only when
a backend or the page processing is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base import DocumentCamera, PresentsPages, document_camera_backends

document_camera_backends.register_lazy("simulated", "drivers.doccam.simulated:SimulatedDocumentCamera")
document_camera_backends.register_lazy("opencv", "drivers.doccam.opencv:OpenCvDocumentCamera")

_LAZY_EXPORTS = {
    "SimulatedDocumentCamera": ".simulated",
    "OpenCvDocumentCamera": ".opencv",
    "PageDetection": ".page",
    "PageQuality": ".page",
    "detect_page": ".page",
    "rectify": ".page",
    "check_quality": ".page",
    "guidance": ".page",
    "encode_page": ".encode",
    "SteadyCapture": ".steady",
}


def __getattr__(name: str) -> Any:
    """Import the OpenCV-backed names on first use (PEP 562)."""
    if name in _LAZY_EXPORTS:
        return getattr(importlib.import_module(_LAZY_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DocumentCamera", "OpenCvDocumentCamera", "PageDetection", "PageQuality", "PresentsPages",
           "SimulatedDocumentCamera", "SteadyCapture", "check_quality", "detect_page",
           "document_camera_backends", "encode_page", "guidance", "rectify"]
