"""Face detection with YuNet (``cv2.FaceDetectorYN``) on a downscaled copy of the frame.

YuNet is trained for faces of about 10–300 px, and costs ~3 ms at 320×240 against ~13 ms at
640×480 on one core, so detection runs on a copy scaled to ``detect_width`` and the boxes and
landmarks are scaled back to full-frame coordinates; crops are then cut from the full frame.

The model (MIT, OpenCV Zoo) ships with this package: see THIRD_PARTY_NOTICES.md.
One :class:`FaceDetector` belongs to one thread (OpenCV's detector object is not thread-safe);
the camera owner thread creates and uses its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .geometry import Landmarks

#: The bundled YuNet model (sha256 ebafce4e…f0f0).
MODEL_PATH = Path(__file__).with_name("face_detection_yunet_2026may.onnx")
_REFINE_SIZE = 224  # side of the crop for the landmark pass: the face is then ~120 px


@dataclass(frozen=True)
class DetectedFace:
    """One face in full-frame pixels: box ``(x, y, w, h)``, five landmarks, detector score."""

    box: tuple[float, float, float, float]
    landmarks: Landmarks
    score: float

    @property
    def centre(self) -> tuple[float, float]:
        """Centre of the box."""
        x, y, w, h = self.box
        return x + w / 2, y + h / 2


class FaceDetector:
    """YuNet wrapper: :meth:`detect` takes an RGB frame and returns faces, largest first.

    With ``refine`` the largest face's landmarks come from a second pass on a crop around it
    (see :meth:`_refined`).

    Construction loads the 230 KB model (a few ms); create it on the thread that will use it.
    """

    def __init__(
        self,
        detect_width: int = 320,
        score_threshold: float = 0.7,
        model_path: str | Path = MODEL_PATH,
        refine: bool = True,
    ) -> None:
        if detect_width < 64:
            raise ValueError("detect_width must be at least 64")
        self._detect_width = int(detect_width)
        self._score_threshold = float(score_threshold)
        path = Path(model_path)
        if not path.is_file():
            raise FileNotFoundError(f"face detection model {str(path)!r} is missing")
        # OpenCV 5 warns on every detector that its new graph engine ignores target hints.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        self._detector = cv2.FaceDetectorYN.create(str(path), "", (320, 240), self._score_threshold, 0.3, 20)
        self._input_size: tuple[int, int] = (320, 240)
        self._refine = refine
        self._refiner = cv2.FaceDetectorYN.create(str(path), "", (_REFINE_SIZE, _REFINE_SIZE), 0.5, 0.3, 5)

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Faces in ``rgb`` (uint8 H×W×3), in full-frame coordinates, largest first."""
        height, width = rgb.shape[:2]
        factor = min(1.0, self._detect_width / width)
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if factor < 1.0 else rgb
        # YuNet was trained on BGR input.
        small = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
        if size != self._input_size:
            self._detector.setInputSize(size)
            self._input_size = size
        _, rows = self._detector.detect(small)
        if rows is None:
            return []
        back = 1.0 / factor
        faces = []
        for row in rows:
            x, y, w, h = (float(v) * back for v in row[:4])
            faces.append(DetectedFace((x, y, w, h), Landmarks.from_row(row).scaled(back), float(row[14])))
        faces.sort(key=lambda face: face.box[2] * face.box[3], reverse=True)
        if self._refine and faces:
            faces[0] = self._refined(rgb, faces[0])
        return faces

    def _refined(self, rgb: np.ndarray, face: DetectedFace) -> DetectedFace:
        """Landmarks of the main face from a second pass on a square crop around it.

        YuNet's landmarks lean towards an upright template, more so on small faces: on a
        portrait tilted 30° the first pass at 320 px reports 2–3° of roll, this pass (face ~140
        px) about 12°; frontal frames wobble by ±3°. The box stays from the first pass.
        """
        height, width = rgb.shape[:2]
        cx, cy = face.centre
        side = max(face.box[2], face.box[3]) * 1.6
        x0, y0 = int(max(cx - side / 2, 0)), int(max(cy - side / 2, 0))
        x1, y1 = int(min(cx + side / 2, width)), int(min(cy + side / 2, height))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return face
        crop = rgb[y0:y1, x0:x1]
        factor = _REFINE_SIZE / max(crop.shape[:2])
        size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
        small = cv2.cvtColor(cv2.resize(crop, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR),
                             cv2.COLOR_RGB2BGR)
        self._refiner.setInputSize(size)
        _, rows = self._refiner.detect(small)
        if rows is None:
            return face
        row = max(rows, key=lambda r: r[2] * r[3])
        marks = Landmarks.from_row(row).scaled(1.0 / factor)
        shifted = Landmarks(*[(x + x0, y + y0) for x, y in marks.points()])
        return DetectedFace(face.box, shifted, face.score)
