"""Decoding the 1024-byte WLT photo of Chinese ID cards through the vendor's licensed library.

WLT is a proprietary wavelet format; only the 公安部-licensed decoder (``libwlt2bmp.so``-style
libraries) can expand it. :class:`CtypesWltDecoder` loads such a library by path and calls its
``unpack(src, dst, bmpSave)`` export, which writes a 102×126 24-bit BMP into ``dst``. Without a
decoder configured the identity carries no photo and :data:`NO_DECODER_REASON` says why.
"""

from __future__ import annotations

import ctypes
import io
import threading
from collections.abc import Callable
from typing import Any, Protocol

from ..common import DeviceNotFound, ProtocolError

NO_DECODER_REASON = "card photo is WLT-encoded and no WLT decoder is configured"
WLT_LEN = 1024
#: Size of the BMP the vendor decoders write (54-byte header + 102×126×3 pixels, padded rows).
BMP_BUFFER_LEN = 38862


class WltDecoder(Protocol):
    """Turns WLT bytes into a JPEG (any thread that owns the reader)."""

    def decode_to_jpeg(self, wlt: bytes) -> bytes:
        """The photo as JPEG; :class:`ProtocolError` when the data does not decode."""


class CtypesWltDecoder:
    """A vendor WLT library loaded with ctypes from ``library_path`` on first use.

    ``function`` names the export (``unpack`` in the common Linux builds). Vendor libraries are
    not thread-safe, so calls are serialised with a lock.
    """

    def __init__(self, library_path: str, function: str = "unpack") -> None:
        self.library_path = library_path
        self.function = function
        self._fn: Callable[..., Any] | None = None  # the library's export, once loaded
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the library; :class:`DeviceNotFound` (CONFIGURATION) if it or its export is missing."""
        if self._fn is not None:
            return
        try:
            library = ctypes.CDLL(self.library_path)
            fn = getattr(library, self.function)
        except (OSError, AttributeError) as exc:
            raise DeviceNotFound(f"WLT decoder library unusable: {self.library_path}") from exc
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        fn.restype = ctypes.c_int
        self._fn = fn

    def _unpack(self, source: ctypes.Array[ctypes.c_char], target: ctypes.Array[ctypes.c_char]) -> int:
        fn = self._fn
        if fn is None:
            raise DeviceNotFound("the WLT decoder library is not loaded")
        return int(fn(source, target, 1))

    def decode_to_jpeg(self, wlt: bytes) -> bytes:
        """Decode ``wlt`` (1024 bytes) to a JPEG via the vendor BMP."""
        if len(wlt) != WLT_LEN:
            raise ProtocolError("the card photo is not 1024 bytes")
        self.load()
        source = ctypes.create_string_buffer(bytes(wlt), WLT_LEN)
        target = ctypes.create_string_buffer(BMP_BUFFER_LEN)
        with self._lock:
            result = self._unpack(source, target)
        if result != 1:
            raise ProtocolError(f"the WLT decoder refused the photo (code {result})")
        return bmp_to_jpeg(target.raw)


def bmp_to_jpeg(bmp: bytes) -> bytes:
    """Re-encode a BMP as JPEG; :class:`ProtocolError` if it is not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(bmp)) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=92)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProtocolError("the WLT decoder did not produce an image") from exc
    return out.getvalue()
