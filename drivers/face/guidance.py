"""Guidance for the citizen in front of the camera, with hysteresis, and the automatic capture.

Each analysed frame gives a *raw* guidance code (what is wrong with this frame, or ``"ok"``).
Shown as-is the prompt would flicker, so :class:`GuidanceTracker` only changes the *shown*
code once a new code has held for ``hold_frames`` frames in a row. Once the shown code is
``"ok"`` and the frames stay good for ``capture_frames`` frames, a countdown of ``countdown_s``
seconds starts; a run of bad frames as long as the hysteresis cancels it. When it reaches zero
the tracker says the photo is due. Pure logic (no OpenCV), used on the camera owner thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Every code, in order of importance (the first problem found is the one shown).
GUIDANCE_CODES = (
    "no_face",
    "several_faces",
    "too_far",
    "too_close",
    "off_centre",
    "turn_to_camera",
    "too_dark",
    "too_bright",
    "uneven_light",
    "blurred",
    "busy_background",
    "hold_still",
    "ok",
)


@dataclass(frozen=True)
class GuidanceState:
    """What to show now: the code, the whole seconds left to the photo (or None), and whether
    the photo is due on this frame."""

    code: str
    countdown: int | None
    capture_due: bool


class GuidanceTracker:
    """Hysteresis and auto-capture over a stream of raw codes (one owner thread)."""

    def __init__(self, hold_frames: int = 4, capture_frames: int = 8, countdown_s: float = 3.0) -> None:
        if hold_frames < 1 or capture_frames < 1 or countdown_s < 0:
            raise ValueError("hold_frames and capture_frames must be ≥ 1 and countdown_s ≥ 0")
        self._hold = int(hold_frames)
        self._capture_frames = int(capture_frames)
        self._countdown_s = float(countdown_s)
        self.reset()

    def reset(self) -> None:
        """Start over (a new citizen, or after a retake)."""
        self._shown = "no_face"
        self._candidate = "no_face"
        self._candidate_run = 0
        self._good_run = 0
        self._bad_run = 0
        self._deadline: float | None = None

    @property
    def shown(self) -> str:
        """The code currently shown."""
        return self._shown

    def update(self, raw: str, now: float) -> GuidanceState:
        """Feed one frame's raw code at monotonic time ``now``; returns what to show."""
        if raw not in GUIDANCE_CODES:
            raise ValueError(f"unknown guidance code {raw!r}")
        if raw == self._candidate:
            self._candidate_run += 1
        else:
            self._candidate, self._candidate_run = raw, 1
        if self._candidate != self._shown and self._candidate_run >= self._hold:
            self._shown = self._candidate
        if raw == "ok":
            self._good_run += 1
            self._bad_run = 0
        else:
            self._bad_run += 1
            if self._bad_run >= self._hold:
                self._good_run = 0
                self._deadline = None
        if self._deadline is None and self._shown == "ok" and self._good_run >= self._capture_frames:
            self._deadline = now + self._countdown_s
        if self._deadline is None:
            return GuidanceState(self._shown, None, False)
        left = self._deadline - now
        # The photo is only taken on a good frame; a brief glitch just delays it.
        due = left <= 0 and raw == "ok"
        return GuidanceState("ok", max(0, math.ceil(left)), due)
