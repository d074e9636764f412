"""The QR/barcode scanner interface, the scanned-code event and the backend registry."""

from __future__ import annotations

import time
from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..common import BackendRegistry, Device
from .repeats import RepeatFilter


@dataclass(frozen=True)
class ScannedCode:
    """One code read: its ``text``, ``symbology`` ("qr", "ean13", "code128", ... or "unknown"
    when the scanner does not say) and ``timestamp`` (:func:`time.monotonic` seconds).

    The text may be personal (a 网证 code): never log it."""

    text: str
    symbology: str
    timestamp: float

    def __repr__(self) -> str:
        return f"ScannedCode(<{len(self.text)} characters>, {self.symbology!r}, {self.timestamp:.3f})"


class CodeScanner(Device):
    """A QR/barcode scanner. The owner thread calls :meth:`read_code` in a loop.

    Repeated reads are folded here for every backend: the same text again within
    ``repeat_window_s`` is one read, and codes closer than ``min_interval_s`` to the last one
    passed on are dropped (a scanner left pointing at a code, a camera seeing it in every frame).
    """

    family = "code_scanner"

    def __init__(self, repeat_window_s: float = 3.0, min_interval_s: float = 0.2) -> None:
        self._repeats = RepeatFilter(repeat_window_s, min_interval_s)

    def read_code(self, timeout_s: float = 1.0) -> ScannedCode | None:
        """The next new code within ``timeout_s``, or None when none came (owner thread).

        Raises :class:`~drivers.common.DeviceNotOpen` before :meth:`open`,
        :class:`~drivers.common.ProtocolError` for bytes that are no code (the scanner keeps
        working), :class:`~drivers.common.DeviceIOError` when the scanner is gone.
        """
        deadline = time.monotonic() + max(timeout_s, 0.0)
        while True:
            code = self._next_code(max(deadline - time.monotonic(), 0.0))
            if code is not None and self._repeats.accept(code.text, code.timestamp):
                return code
            if time.monotonic() >= deadline:
                return None

    def forget_repeats(self) -> None:
        """Accept the last code again at once (a new citizen; owner thread)."""
        self._repeats.clear()

    @abstractmethod
    def _next_code(self, timeout_s: float) -> ScannedCode | None:
        """The backend's next raw read within ``timeout_s``, repeats included (owner thread)."""


@runtime_checkable
class PresentsCodes(Protocol):
    """Capability of the simulated scanner: hold a code up to it (demo buttons, tests)."""

    def present_code(self, text: str, symbology: str = "qr") -> None:
        """Scan ``text`` as if a citizen held it up (any thread)."""


#: Backends for ``devices.code_scanner.backend``.
code_scanner_backends: BackendRegistry[CodeScanner] = BackendRegistry("code_scanner")
