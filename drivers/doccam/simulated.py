"""The simulated document camera: rendered paper forms slid onto a desk and left there.

Each sheet arrives from the right over ``move_frames`` frames (partly outside the picture at
first, so the screen says "move the page into the frame"), then lies still for ``hold_frames``
frames; the desk is then empty for a moment and the next sheet arrives. Sheets and their look
(clean, glare, blur) cycle through ``variants``; :meth:`SimulatedDocumentCamera.present_page`
lays the next one at once. Time is counted in frames, so a slow reader sees the same sequence.
"""

from __future__ import annotations

import numpy as np

from ..camera.frame import Frame
from ..camera.paced_frames import PacedFrames
from ..common import DeviceInfo, DeviceStatus
from .base import DocumentCamera, document_camera_backends
from .scene import VARIANTS, desk, lay_page, render_form, resting_quad

#: Fault kinds for :meth:`SimulatedDocumentCamera.script_fault`.
FAULT_KINDS = ("no_frames", "unplugged", "dark")
_GAP_FRAMES = 3  # empty desk between two sheets


@document_camera_backends.register("simulated")
class SimulatedDocumentCamera(DocumentCamera):
    """Plays photographs of paper pages at an angle on a desk, ``width``×``height`` at ``fps``.

    Pages are rendered when the camera opens (about a second for the default 5 MP). Everything
    runs on the owner thread except :meth:`script_fault` and :meth:`present_page`.
    """

    def __init__(self, fps: float = 10, width: int = 2592, height: int = 1944, pages: int = 3,
                 variants: list[str] | None = None, move_frames: int = 8, hold_frames: int = 40) -> None:
        if width < 64 or height < 64:
            raise ValueError(f"frame size {width}×{height} is too small")
        if pages < 1 or move_frames < 1 or hold_frames < 1:
            raise ValueError("pages, move_frames and hold_frames must be at least 1")
        chosen = list(variants or ["clean"])
        for variant in chosen:
            if variant not in VARIANTS:
                raise ValueError(f"unknown page variant {variant!r}; known: {', '.join(VARIANTS)}")
        self.variants: tuple[str, ...] = VARIANTS
        self._cycle = chosen
        self._size = (int(width), int(height))
        self._page_count = int(pages)
        self._move_frames = int(move_frames)
        self._hold_frames = int(hold_frames)
        self._paced = PacedFrames("document camera", fps, FAULT_KINDS)
        self._pages: list[np.ndarray] = []
        self._desk: np.ndarray | None = None
        self._resting: np.ndarray | None = None
        self._still: tuple[int, np.ndarray] | None = None  # (sheet number, its resting photograph)
        self._requested: str | None = None
        self._sheet = 0
        self._sheet_start = 0
        self._variant = chosen[0]

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self._paced.faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Affect the next ``count`` frames (any thread): "no_frames" (a timeout), "unplugged"
        (:class:`DeviceIOError`), "dark" (a covered lens)."""
        self._paced.add_fault(kind, count)

    def present_page(self, variant: str = "clean") -> None:
        """Take the current sheet away and slide the next one in, looking like ``variant`` (any thread)."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown page variant {variant!r}; known: {', '.join(VARIANTS)}")
        self._requested = variant

    def open(self) -> None:
        """Render the pages and the desk (owner thread)."""
        if self._paced.is_open:
            return
        width, height = self._size
        self._pages = [render_form(seed) for seed in range(self._page_count)]
        self._desk = desk(width, height)
        self._resting = resting_quad(width, height)
        self._still = None
        self._sheet = self._sheet_start = 0
        self._variant = self._cycle[0]
        self._paced.opened()

    def close(self) -> None:
        """Drop the rendered pages (owner thread)."""
        self._paced.closed()
        self._pages = []
        self._desk = None
        self._still = None

    def status(self) -> DeviceStatus:
        """ONLINE when open, HARDWARE_ERROR while "unplugged", OFFLINE when closed (owner thread)."""
        return self._paced.status()

    def info(self) -> DeviceInfo:
        """Describes the simulator (any thread)."""
        return DeviceInfo("document_camera", "simulated", "Simulated document camera", "SIM-DOC-0001", "1.0")

    def is_usable(self) -> bool:
        """Always True: everything is rendered here (any thread)."""
        return True

    def read_frame(self, timeout_s: float = 1.0) -> Frame:
        """The next frame, paced at ``fps`` (owner thread)."""
        fault = self._paced.next_fault(timeout_s)
        at = self._paced.wait_until_due(timeout_s)
        return self._paced.frame(self._render(), at, fault)

    def _render(self) -> np.ndarray:
        assert self._desk is not None and self._resting is not None
        if self._requested is not None:
            self._variant, self._requested = self._requested, None
            self._next_sheet()
        phase = self._paced.index - self._sheet_start
        if phase >= self._move_frames + self._hold_frames + _GAP_FRAMES:
            self._variant = self._cycle[(self._sheet + 1) % len(self._cycle)]
            self._next_sheet()
            phase = 0
        page = self._pages[self._sheet % len(self._pages)]
        if phase >= self._move_frames + self._hold_frames:
            return self._desk.copy()
        if phase >= self._move_frames - 1:
            if self._still is None or self._still[0] != self._sheet:
                self._still = (self._sheet, lay_page(self._desk, page, self._resting, self._variant))
            return self._still[1].copy()
        # Sliding in from the right, easing to a stop, turning slightly on the way.
        progress = (phase + 1) / self._move_frames
        ease = 1 - (1 - progress) ** 2
        offset = np.array([0.6 * self._size[0] * (1 - ease), 0.05 * self._size[1] * (1 - ease)], dtype=np.float32)
        return lay_page(self._desk, page, self._resting + offset, self._variant)

    def _next_sheet(self) -> None:
        self._sheet += 1
        self._sheet_start = self._paced.index
        self._still = None
