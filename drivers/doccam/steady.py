"""Auto-capture: a page is taken once it has lain still for a number of frames."""

from __future__ import annotations

import numpy as np

from .page import PageDetection


class SteadyCapture:
    """Counts frames in which the page's corners moved less than ``tolerance`` of the frame's
    diagonal; :meth:`update` returns True once, on the ``frames`` th steady frame, and not again
    until the page is taken away or moved. Used on one thread (the document camera's owner)."""

    def __init__(self, frames: int = 6, tolerance: float = 0.006) -> None:
        if frames < 1:
            raise ValueError("frames must be at least 1")
        if tolerance <= 0:
            raise ValueError("tolerance must be positive")
        self._frames = frames
        self._tolerance = tolerance
        self._previous: np.ndarray | None = None
        self._count = 0
        self._fired = False

    @property
    def steady(self) -> bool:
        """True while the page lies still (for guidance "hold_still" versus "ok")."""
        return self._count >= self._frames

    def update(self, detection: PageDetection | None) -> bool:
        """Feed one frame's detection; True when the page should be captured now."""
        if detection is None or detection.touches_edge:
            self.reset()
            return False
        width, height = detection.frame_size
        limit = self._tolerance * float(np.hypot(width, height))
        moved = (self._previous is None
                 or float(np.max(np.linalg.norm(detection.quad - self._previous, axis=1))) > limit)
        self._previous = detection.quad
        if moved:
            self._count = 0
            self._fired = False
            return False
        self._count += 1
        if self._count >= self._frames and not self._fired:
            self._fired = True
            return True
        return False

    def reset(self) -> None:
        """Forget the page (it was taken away, or the citizen chose to retake)."""
        self._previous = None
        self._count = 0
        self._fired = False
