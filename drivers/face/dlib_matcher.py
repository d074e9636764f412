"""The default matcher: dlib's ResNet face descriptor (128-d), on the CPU.

Packages (both from PyPI, no download at run time): ``dlib-bin`` (dlib's compiled wheel, Boost
Software Licence) and ``face-recognition-models`` (MIT package; the two model files used here,
``dlib_face_recognition_resnet_model_v1.dat`` and ``shape_predictor_5_face_landmarks.dat``,
are public domain / CC0 per davisking/dlib-models). The package also ships a 68-point model
trained on iBUG 300-W, which is licensed for non-commercial use only: it is never loaded.

Threshold: Euclidean distance ≤ 0.6 is the same person (dlib's documented operating point,
99.38 % on LFW). Measured here: the astronaut portrait against itself mirrored, in grey, or
shrunk to a 102×126 WLT-size photo and back: 0.18–0.20; against the cameraman: 0.79–0.83.
Faces are found with YuNet (a WLT photo is a face crop, so the whole photo is the fallback),
aligned with dlib's 5-point model, and described in ~60 ms.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from .detect import FaceDetector
from .matcher import FaceMatcher, MatchResult, MatchUnavailable, matcher_backends

_RESNET = "dlib_face_recognition_resnet_model_v1.dat"
_SHAPE = "shape_predictor_5_face_landmarks.dat"


def models_dir() -> Path | None:
    """Where ``face-recognition-models`` keeps its files, without importing it.

    (Importing it needs ``pkg_resources``, which current setuptools no longer provide.)
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "models"
        if (candidate / _RESNET).is_file() and (candidate / _SHAPE).is_file():
            return candidate
    return None


@matcher_backends.register("dlib")
class DlibMatcher(FaceMatcher):
    """dlib ResNet descriptor distance; ``threshold`` is the largest same-person distance."""

    name = "dlib"

    def __init__(self, threshold: float = 0.6) -> None:
        if not 0 < threshold < 2:
            raise ValueError("the dlib distance threshold must lie between 0 and 2")
        self.threshold = float(threshold)
        # dlib ships no type information: its predictor and model are Any.
        self._shape: Any = None
        self._model: Any = None
        self._detector: FaceDetector | None = None

    def load(self) -> None:
        """Load dlib and the two model files (about 0.1 s)."""
        if self._model is not None:
            return
        try:
            import dlib
        except ImportError as exc:
            raise MatchUnavailable("matcher_not_installed:dlib-bin") from exc
        folder = models_dir()
        if folder is None:
            raise MatchUnavailable("matcher_not_installed:face-recognition-models")
        self._shape = dlib.shape_predictor(str(folder / _SHAPE))
        self._model = dlib.face_recognition_model_v1(str(folder / _RESNET))
        self._detector = FaceDetector(detect_width=320, score_threshold=0.6)

    def descriptor(self, rgb: np.ndarray, *, whole_is_face: bool = False) -> np.ndarray:
        """The 128-d descriptor of the largest face in ``rgb``."""
        import dlib

        self.load()
        assert self._detector is not None
        faces = self._detector.detect(rgb)
        if faces:
            x, y, w, h = faces[0].box
            box = dlib.rectangle(int(x), int(y), int(x + w), int(y + h))
        elif whole_is_face:
            height, width = rgb.shape[:2]
            box = dlib.rectangle(int(width * 0.1), int(height * 0.2), int(width * 0.9), int(height * 0.85))
        else:
            raise MatchUnavailable("no_face_in_live_photo")
        image = np.ascontiguousarray(rgb)
        shape = self._shape(image, box)
        return np.asarray(self._model.compute_face_descriptor(image, shape), dtype=np.float64)

    def compare(self, live_rgb: np.ndarray, document_rgb: np.ndarray) -> MatchResult:
        """Distance between the two descriptors (lower: more alike)."""
        live = self.descriptor(live_rgb)
        document = self.descriptor(document_rgb, whole_is_face=True)
        return MatchResult(self.name, float(np.linalg.norm(live - document)), self.threshold, False)
