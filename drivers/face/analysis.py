"""Per-frame face analysis (detection, quality, raw guidance code) and the GA 461 ID photo.

:class:`FaceAnalyzer` turns a :class:`~drivers.camera.frame.Frame` into a
:class:`FrameAnalysis`. It keeps the previous face to judge motion ("hold still"), so one
analyser belongs to one thread — the camera owner thread in the kiosk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..camera.frame import Frame, encode_jpeg
from .detect import DetectedFace, FaceDetector
from .geometry import ID_PHOTO_HEIGHT, ID_PHOTO_WIDTH, id_photo_transform
from .quality import FaceMetrics, QualityThresholds, frame_brightness, measure, problems

#: A frame this dark overall is a covered lens or lights off, whatever the detector says.
_DARK_FRAME = 25.0


@dataclass(frozen=True)
class FrameAnalysis:
    """The verdict on one frame: the raw guidance code, all faces, and the main face's figures."""

    frame: Frame
    code: str
    faces: tuple[DetectedFace, ...]
    metrics: FaceMetrics | None
    problems: tuple[str, ...]

    @property
    def face(self) -> DetectedFace | None:
        """The largest face, or None."""
        return self.faces[0] if self.faces else None

    @property
    def good(self) -> bool:
        """True when the frame meets every threshold."""
        return self.code == "ok"


class FaceAnalyzer:
    """Detects and measures faces frame by frame (one owner thread)."""

    def __init__(self, thresholds: QualityThresholds | None = None, detect_width: int = 320,
                 score_threshold: float = 0.7) -> None:
        self.thresholds = thresholds or QualityThresholds()
        self._detector = FaceDetector(detect_width, score_threshold)
        self._previous: DetectedFace | None = None

    def reset(self) -> None:
        """Forget the previous frame (motion is judged between consecutive frames only)."""
        self._previous = None

    def analyze(self, frame: Frame) -> FrameAnalysis:
        """Detect, measure and judge one frame."""
        rgb = frame.pixels
        if frame_brightness(rgb) < _DARK_FRAME:
            # Faint shapes in a black frame are not worth measuring: tell the citizen why.
            self._previous = None
            return FrameAnalysis(frame, "too_dark", (), None, ("too_dark",))
        faces = tuple(self._detector.detect(rgb))
        if not faces:
            self._previous = None
            return FrameAnalysis(frame, "no_face", faces, None, ())
        main = faces[0]
        metrics = measure(rgb, main)
        found = problems(metrics, self.thresholds)
        # A second face counts only if it is a real presence (over half the main face's size),
        # so a poster far behind the citizen does not block the photo.
        if len(faces) > 1 and faces[1].box[3] > 0.5 * main.box[3]:
            found.insert(0, "several_faces")
        if self._previous is not None and self._moved(self._previous, main):
            found.append("hold_still")
        self._previous = main
        return FrameAnalysis(frame, found[0] if found else "ok", faces, metrics, tuple(found))

    def _moved(self, before: DetectedFace, now: DetectedFace) -> bool:
        ied = max(now.landmarks.eye_distance, 1.0)
        (x0, y0), (x1, y1) = before.landmarks.eye_centre, now.landmarks.eye_centre
        return math.hypot(x1 - x0, y1 - y0) / ied > self.thresholds.max_motion


def make_id_photo(rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
    """The GA 461 ID photo (441×358 RGB): eyes level and centred, cut from the full frame.

    Anything the transform reaches outside the frame is filled white, the GA 461 background.
    """
    matrix = id_photo_transform(face.landmarks)
    photo = cv2.warpAffine(
        rgb, matrix, (ID_PHOTO_WIDTH, ID_PHOTO_HEIGHT), flags=cv2.INTER_AREA if matrix[0, 0] < 1 else cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255),
    )
    return np.ascontiguousarray(photo)


def id_photo_jpeg(rgb: np.ndarray, face: DetectedFace, quality: int = 90) -> bytes:
    """:func:`make_id_photo` as a JPEG without any metadata (no EXIF, no comment)."""
    return encode_jpeg(make_id_photo(rgb, face), quality)
