"""Liveness (presentation-attack detection): an active challenge, passive replay cues, sensors.

* :class:`ActiveChallenge` — a random "turn left", "turn right" or "nod", verified from the five
  landmarks over frames within a time limit. The yaw proxy (nose offset ÷ eye distance) does not
  change when a flat photo is tilted or turned, because both distances shrink together; only a
  real head turning moves the nose against the eyes.
* :class:`PassiveMonitor` — replay cues gathered over the same frames: a frozen feed (identical
  frames), no micro-motion at all (a photo on a stand), and the periodic high-frequency peaks a
  phone or monitor screen leaves (moiré).
* :class:`LivenessSensor` — the interface for vendor NIR / binocular / depth cameras; backends
  register in :data:`liveness_sensors`. Software-only RGB checks are weak (a good
  replay on a high-resolution screen defeats them); a deployment that needs real PAD plugs a sensor in.

Every result carries its reasons. Pure numpy, used on the camera owner thread.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import numpy as np

from ..common import BackendRegistry
from .geometry import Landmarks, pitch_proxy, yaw_proxy

CHALLENGES = ("turn_left", "turn_right", "nod")


@dataclass(frozen=True)
class LivenessResult:
    """``passed`` True/False, or None while undecided; ``reasons`` say why (codes, no images)."""

    passed: bool | None
    reasons: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class ActiveChallenge:
    """One challenge: feed landmarks with :meth:`update` until :attr:`result` is decided.

    ``turn`` is the yaw-proxy change that counts as a turn (≈20° of head yaw at 0.25), ``nod``
    the pitch-proxy change that counts as a nod. The first ``baseline_frames`` frames set the
    citizen's own frontal pose, so a slight habitual tilt does not matter.
    """

    def __init__(self, kind: str, started: float, timeout_s: float = 6.0, turn: float = 0.25,
                 nod: float = 0.12, baseline_frames: int = 3, confirm_frames: int = 2) -> None:
        if kind not in CHALLENGES:
            raise ValueError(f"unknown challenge {kind!r}; known: {', '.join(CHALLENGES)}")
        self.kind = kind
        self._deadline = started + timeout_s
        self._turn, self._nod = turn, nod
        self._baseline_frames, self._confirm = baseline_frames, confirm_frames
        self._yaws: list[float] = []
        self._pitches: list[float] = []
        self._run = 0
        self._peak = 0.0
        self.result = LivenessResult(None)

    @classmethod
    def random(cls, started: float, rng: random.Random | None = None, **kwargs: Any) -> ActiveChallenge:
        """A challenge chosen at random (so a prepared video cannot know it in advance)."""
        return cls((rng or random.SystemRandom()).choice(CHALLENGES), started, **kwargs)

    def update(self, marks: Landmarks | None, now: float) -> LivenessResult:
        """Feed one frame's landmarks (None: no face in this frame)."""
        if self.result.passed is not None:
            return self.result
        if now > self._deadline:
            self.result = LivenessResult(False, (f"challenge_timeout:{self.kind}",), {"peak": round(self._peak, 3)})
            return self.result
        if marks is None or marks.eye_distance < 1:
            self._run = 0
            return self.result
        yaw, pitch = yaw_proxy(marks), pitch_proxy(marks)
        if len(self._yaws) < self._baseline_frames:
            self._yaws.append(yaw)
            self._pitches.append(pitch)
            return self.result
        if self.kind == "nod":
            change = abs(pitch - median(self._pitches))
            target = self._nod
        else:
            change = yaw - median(self._yaws)
            change = change if self.kind == "turn_left" else -change
            target = self._turn
        self._peak = max(self._peak, change)
        self._run = self._run + 1 if change >= target else 0
        if self._run >= self._confirm:
            self.result = LivenessResult(True, (f"challenge_passed:{self.kind}",), {"peak": round(self._peak, 3)})
        return self.result


class PassiveMonitor:
    """Replay cues over a window of frames (the ones the challenge also sees)."""

    def __init__(self, min_motion: float = 0.002, moire_ratio: float = 50.0) -> None:
        self._min_motion = min_motion
        self._moire_ratio = moire_ratio
        self._centres: list[tuple[float, float]] = []
        self._frozen = 0
        self._moire = 0
        self._frames = 0
        self._previous: np.ndarray | None = None

    def update(self, gray_face: np.ndarray | None, marks: Landmarks | None) -> None:
        """Feed one frame: the face region in grey (any size) and its landmarks, or None."""
        self._frames += 1
        if gray_face is not None and gray_face.size:
            sample = gray_face[::2, ::2]
            previous = self._previous
            if previous is not None and previous.shape == sample.shape and np.array_equal(previous, sample):
                self._frozen += 1
            self._previous = sample.copy()
            if moire_score(gray_face) > self._moire_ratio:
                self._moire += 1
        if marks is not None and marks.eye_distance > 1:
            cx, cy = marks.eye_centre
            self._centres.append((cx / marks.eye_distance, cy / marks.eye_distance))

    def result(self) -> LivenessResult:
        """Reasons found so far; ``passed`` False when any cue points to a replay."""
        reasons = []
        if self._frames >= 3 and self._frozen >= self._frames // 2:
            reasons.append("frozen_feed")
        if len(self._centres) >= 8:
            spread = float(np.std(np.asarray(self._centres), axis=0).max())
            if spread < self._min_motion:
                reasons.append("no_micro_motion")
        if self._frames >= 4 and self._moire >= self._frames // 2:
            reasons.append("screen_moire")
        return LivenessResult(not reasons, tuple(reasons), {"frames": self._frames})


def moire_score(gray: np.ndarray) -> float:
    """Strongest isolated high-frequency peak over the median high-frequency energy.

    Photographed screens show sharp periodic peaks from the pixel grid; skin and a real scene
    spread their energy smoothly: a face with sensor noise scores about 20, a photographed
    pixel grid over 1000 (90 even slightly blurred).
    """
    patch = np.asarray(gray, dtype=np.float32)
    if min(patch.shape[:2]) < 16:
        return 0.0
    # A Hann window so the patch's edges do not smear energy along the axes.
    window = np.outer(np.hanning(patch.shape[0]), np.hanning(patch.shape[1])).astype(np.float32)
    patch = (patch - patch.mean()) * window
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(patch)))
    h, w = spectrum.shape
    yy, xx = np.ogrid[:h, :w]
    radius = np.hypot((yy - h / 2) / h, (xx - w / 2) / w)
    high = spectrum[radius > 0.2]
    if high.size == 0:
        return 0.0
    return float(high.max() / (np.median(high) + 1e-6))


class LivenessSensor(ABC):
    """A vendor presentation-attack sensor (NIR, binocular or depth), beside the RGB camera.

    Backends register in :data:`liveness_sensors`; the kiosk asks the sensor for a verdict on
    the frames around the capture, on the camera owner thread, and records its reasons.
    """

    @abstractmethod
    def assess(self, timestamp: float) -> LivenessResult:
        """The sensor's verdict on what was in front of it at monotonic time ``timestamp``."""


class ScriptedSensor(LivenessSensor):
    """A stand-in sensor for tests and training: answers with the configured verdict."""

    def __init__(self, passed: bool = True, reason: str = "scripted") -> None:
        self._passed, self._reason = bool(passed), reason

    def assess(self, timestamp: float) -> LivenessResult:
        """The scripted verdict."""
        return LivenessResult(self._passed, (f"sensor:{self._reason}",))


#: Backends for ``face.liveness_sensor``.
liveness_sensors: BackendRegistry[LivenessSensor] = BackendRegistry("liveness sensor")
liveness_sensors.register_lazy("scripted", "drivers.face.liveness:ScriptedSensor")
