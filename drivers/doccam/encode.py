"""Compressing a rectified page for sealing with the submission."""

from __future__ import annotations

import cv2
import numpy as np

#: The largest a compressed A4 page may be.
MAX_PAGE_BYTES = 300_000
FORMATS = {"jpeg": (".jpg", cv2.IMWRITE_JPEG_QUALITY), "webp": (".webp", cv2.IMWRITE_WEBP_QUALITY)}


def encode_page(page: np.ndarray, colour: bool = False, image_format: str = "jpeg",
                max_bytes: int = MAX_PAGE_BYTES, quality: int = 80) -> bytes:
    """``page`` (RGB) as JPEG or WebP, greyscale unless ``colour``, at most ``max_bytes`` (any thread).

    Starts at ``quality`` and steps down until the page fits; metadata is never written. Raises
    :class:`ValueError` for an unknown format or a page that does not fit even at quality 20.
    """
    try:
        suffix, flag = FORMATS[image_format]
    except KeyError:
        raise ValueError(f"unknown page format {image_format!r}; known: {', '.join(FORMATS)}") from None
    if not 20 <= quality <= 100:
        raise ValueError(f"quality must be 20–100, not {quality}")
    image = cv2.cvtColor(page, cv2.COLOR_RGB2BGR) if colour else cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    for step in range(quality, 19, -10):
        ok, encoded = cv2.imencode(suffix, image, [flag, step])
        if not ok:
            raise ValueError(f"OpenCV could not encode the page as {image_format}")
        if encoded.size <= max_bytes:
            return encoded.tobytes()
    raise ValueError(f"the page does not fit in {max_bytes} bytes as {image_format}")
