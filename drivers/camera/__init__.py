"""Face cameras: :class:`Frame`, the :class:`Camera` interface, JPEG encoding and backends.

Backends in :data:`camera_backends`: ``simulated`` (:class:`SimulatedCamera`) and ``opencv``
(:class:`OpenCvCamera`). This package is the only one that imports OpenCV (``cv2``).
"""

from __future__ import annotations

from .base import Camera, camera_backends
from .frame import Frame, encode_jpeg
from .opencv import OpenCvCamera
from .simulated import SimulatedCamera

__all__ = ["Camera", "Frame", "OpenCvCamera", "SimulatedCamera", "camera_backends", "encode_jpeg"]
