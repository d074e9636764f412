"""Camera frames and JPEG encoding (the only place, with the backends, where OpenCV is used)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured image: ``pixels`` is uint8 H×W×3 **RGB**, C-contiguous.

    ``timestamp`` is :func:`time.monotonic` seconds at capture; ``index`` counts frames since
    :meth:`Camera.open`. The array belongs to the receiver: backends never reuse it.
    """

    pixels: np.ndarray
    timestamp: float
    index: int

    def __post_init__(self) -> None:
        check_pixels(self.pixels)

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.pixels.shape[0])


def check_pixels(pixels: object) -> np.ndarray:
    """Return ``pixels`` if it is a uint8 H×W×3 C-contiguous array, else raise :class:`ValueError`."""
    if not isinstance(pixels, np.ndarray):
        raise ValueError(f"frame pixels must be a numpy array, not {type(pixels).__name__}")
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(
            f"frame pixels must be uint8 H×W×3 RGB, not {pixels.dtype} {tuple(pixels.shape)}"
        )
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ValueError("frame pixels must not be empty")
    if not pixels.flags.c_contiguous:
        raise ValueError("frame pixels must be C-contiguous")
    return pixels


def encode_jpeg(frame_or_pixels: Frame | np.ndarray, quality: int = 90) -> bytes:
    """Encode an RGB frame (or its pixel array) as a baseline JPEG with no EXIF metadata.

    Runs on any thread (pure computation). Raises :class:`ValueError` for arrays that are not
    uint8 H×W×3 or for a quality outside 1–100.
    """
    pixels = frame_or_pixels.pixels if isinstance(frame_or_pixels, Frame) else frame_or_pixels
    check_pixels(pixels)
    if not 1 <= int(quality) <= 100:
        raise ValueError(f"JPEG quality must be 1–100, not {quality}")
    bgr = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("OpenCV could not encode the frame as JPEG")
    return encoded.tobytes()


def bgr_to_rgb_frame(bgr: np.ndarray, timestamp: float, index: int) -> Frame:
    """Build a :class:`Frame` from an OpenCV BGR image (a fresh C-contiguous RGB array)."""
    return Frame(np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)), timestamp, index)
