"""Reading a QR code in a test as a scanner would: with zxing-cpp, the decoder the terminal's
scanners use. (OpenCV's detector misses some well-formed codes, depending on what they encode.)"""

from __future__ import annotations

from typing import Any

import numpy as np
import zxingcpp


def read_qr(image: Any) -> str:
    """The text of the first QR code in ``image`` (pixels or a PIL image), or "" when none."""
    pixels = np.ascontiguousarray(np.asarray(image))
    found = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text if found else ""
