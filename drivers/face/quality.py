"""Photo-quality measurements of one detected face (ICAO / ISO 29794-5-like, landmark based).

:func:`measure` computes the figures; :func:`problems` compares them with
:class:`QualityThresholds` (whose values come from the ``[face]`` configuration) and names what
is wrong, most important first. Runs on the camera owner thread or any worker: pure
computation on arrays the caller owns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from .detect import DetectedFace
from .geometry import crop_inside_fraction, pitch_proxy, roll_degrees, yaw_proxy


@dataclass(frozen=True)
class QualityThresholds:
    """Limits a good ID photo frame must meet (see docs/configuration.md, ``[face]``)."""

    min_eye_distance_px: float = 40.0
    min_face_height_ratio: float = 0.2
    max_face_height_ratio: float = 0.6
    max_centre_offset: float = 0.12
    max_roll_deg: float = 8.0
    max_yaw: float = 0.15
    min_pitch: float = 0.25
    max_pitch: float = 0.8
    min_sharpness: float = 25.0
    min_brightness: float = 70.0
    max_brightness: float = 210.0
    min_lr_balance: float = 0.7
    max_background_std: float = 40.0
    min_crop_inside: float = 0.97
    max_motion: float = 0.08


@dataclass(frozen=True)
class FaceMetrics:
    """Figures of one face in one frame (all plain floats, safe to log: no image content)."""

    eye_distance_px: float
    face_height_ratio: float
    centre_offset_x: float
    centre_offset_y: float
    roll_deg: float
    yaw: float
    pitch: float
    sharpness: float
    brightness: float
    lr_balance: float
    background_std: float
    crop_inside: float

    def as_dict(self) -> dict[str, float]:
        """The figures rounded for display and records."""
        return {k: round(v, 3) for k, v in asdict(self).items()}


def measure(rgb: np.ndarray, face: DetectedFace) -> FaceMetrics:
    """All figures for ``face`` in the full-resolution RGB frame ``rgb``."""
    height, width = rgb.shape[:2]
    marks = face.landmarks
    x, y, w, h = face.box
    cx, _cy = face.centre
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # The inner face (eyes to mouth) avoids hair and background in the light measures.
    x0, x1 = _clamp(x + 0.15 * w, width), _clamp(x + 0.85 * w, width)
    y0, y1 = _clamp(y + 0.2 * h, height), _clamp(y + 0.9 * h, height)
    roi = gray[y0:y1, x0:x1]
    if roi.size < 16:
        sharpness = brightness = 0.0
        balance = 1.0
    else:
        # Laplacian variance on a fixed-size patch so the figure does not depend on face size.
        patch = cv2.resize(roi, (96, 96), interpolation=cv2.INTER_AREA)
        sharpness = float(cv2.Laplacian(patch, cv2.CV_32F).var())
        brightness = float(roi.mean())
        half = roi.shape[1] // 2
        left, right = float(roi[:, :half].mean()) + 1.0, float(roi[:, half:].mean()) + 1.0
        balance = min(left, right) / max(left, right)
    return FaceMetrics(
        eye_distance_px=marks.eye_distance,
        face_height_ratio=h / height,
        centre_offset_x=(cx - width / 2) / width,
        centre_offset_y=(marks.eye_centre[1] - height * 0.42) / height,
        roll_deg=roll_degrees(marks),
        yaw=yaw_proxy(marks),
        pitch=pitch_proxy(marks),
        sharpness=sharpness,
        brightness=brightness,
        lr_balance=balance,
        background_std=background_std(gray, face.box),
        crop_inside=crop_inside_fraction(marks, width, height),
    )


def background_std(gray: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """Luminance spread of the wall just beside the head (0 = uniform, ISO 29794-5 style).

    Two bands at head height, clear of the hair (which reaches about 0.3 face widths beyond
    the detector's box) but close enough that they show what would end up in the ID photo.
    """
    height, width = gray.shape
    x, y, w, h = box
    top, bottom = _clamp(y - 0.3 * h, height), _clamp(y + h, height)
    bands = [
        gray[top:bottom, _clamp(x - 0.75 * w, width) : _clamp(x - 0.4 * w, width)],
        gray[top:bottom, _clamp(x + 1.4 * w, width) : _clamp(x + 1.75 * w, width)],
    ]
    samples = [band[::2, ::2].ravel() for band in bands if band.size >= 32]
    if not samples:
        return 0.0
    # The spread within each band, so a wall lit a little differently on each side still counts
    # as uniform; the worse side decides.
    return float(max(sample.std() for sample in samples))


def problems(metrics: FaceMetrics, limits: QualityThresholds) -> list[str]:
    """Guidance codes for every limit ``metrics`` break, in the order to tell the citizen."""
    found = []
    if metrics.eye_distance_px < limits.min_eye_distance_px or metrics.face_height_ratio < limits.min_face_height_ratio:
        found.append("too_far")
    if metrics.face_height_ratio > limits.max_face_height_ratio:
        found.append("too_close")
    if (
        abs(metrics.centre_offset_x) > limits.max_centre_offset
        or abs(metrics.centre_offset_y) > limits.max_centre_offset
        or metrics.crop_inside < limits.min_crop_inside
    ):
        found.append("off_centre")
    if (
        abs(metrics.roll_deg) > limits.max_roll_deg
        or abs(metrics.yaw) > limits.max_yaw
        or not limits.min_pitch <= metrics.pitch <= limits.max_pitch
    ):
        found.append("turn_to_camera")
    if metrics.brightness < limits.min_brightness:
        found.append("too_dark")
    elif metrics.brightness > limits.max_brightness:
        found.append("too_bright")
    elif metrics.lr_balance < limits.min_lr_balance:
        found.append("uneven_light")
    if metrics.sharpness < limits.min_sharpness:
        found.append("blurred")
    if metrics.background_std > limits.max_background_std:
        found.append("busy_background")
    return found


def frame_brightness(rgb: np.ndarray) -> float:
    """Mean luminance of a whole frame (a quick 'lens covered / lights off' check)."""
    small = rgb[::8, ::8]
    return float(cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2GRAY).mean())


def _clamp(value: float, limit: int) -> int:
    return int(min(max(round(value), 0), limit))
