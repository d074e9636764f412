"""Face geometry from five landmarks: pose proxies and the GA 461 ID-photo transform.

Pure numpy, no OpenCV, any thread. Landmarks follow YuNet's order — the person's right eye
(which appears on the image's left), left eye, nose tip, right and left mouth corner — in
full-frame pixel coordinates of the *unmirrored* camera image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: GA 461-2004 ID-card production photo: 358×441 px (26×32 mm at 350 dpi).
ID_PHOTO_WIDTH = 358
ID_PHOTO_HEIGHT = 441
#: Where the eyes land in the ID photo. A face is about 1.95 eye distances wide, so 106 px puts
#: the face width at ≈207 px (GA 461: 207±14); the eye line 200 px from the top leaves 241 px
#: below it (GA 461: ≥207) and the crown ≈1.7 eye distances above it, 10–25 px from the top edge.
ID_EYE_DISTANCE = 106.0
ID_EYE_LINE_Y = 200.0


@dataclass(frozen=True)
class Landmarks:
    """The five YuNet points, each an ``(x, y)`` pair in frame pixels."""

    right_eye: tuple[float, float]
    left_eye: tuple[float, float]
    nose: tuple[float, float]
    mouth_right: tuple[float, float]
    mouth_left: tuple[float, float]

    @classmethod
    def from_row(cls, row: np.ndarray | list[float]) -> Landmarks:
        """From a YuNet result row (``x, y, w, h`` then ten landmark coordinates, then score)."""
        values = [float(v) for v in row[4:14]]
        pairs = [(values[i], values[i + 1]) for i in range(0, 10, 2)]
        return cls(*pairs)

    def scaled(self, factor: float) -> Landmarks:
        """The same points with every coordinate multiplied by ``factor``."""
        return Landmarks(*[(x * factor, y * factor) for x, y in self.points()])

    def points(self) -> list[tuple[float, float]]:
        """The five points in YuNet order."""
        return [self.right_eye, self.left_eye, self.nose, self.mouth_right, self.mouth_left]

    @property
    def eye_distance(self) -> float:
        """Inter-eye distance in pixels."""
        return math.dist(self.right_eye, self.left_eye)

    @property
    def eye_centre(self) -> tuple[float, float]:
        """Midpoint between the eyes."""
        return ((self.right_eye[0] + self.left_eye[0]) / 2, (self.right_eye[1] + self.left_eye[1]) / 2)


def roll_degrees(marks: Landmarks) -> float:
    """Head roll: the eye line's angle to the horizontal, degrees, positive clockwise on screen."""
    (x1, y1), (x2, y2) = marks.right_eye, marks.left_eye
    return math.degrees(math.atan2(y2 - y1, x2 - x1))


def _in_eye_frame(marks: Landmarks, point: tuple[float, float]) -> tuple[float, float]:
    """``point`` relative to the eye centre, de-rotated by the roll, in eye distances."""
    ied = marks.eye_distance
    if ied <= 0:
        return 0.0, 0.0
    cx, cy = marks.eye_centre
    angle = math.radians(roll_degrees(marks))
    dx, dy = point[0] - cx, point[1] - cy
    along = (dx * math.cos(angle) + dy * math.sin(angle)) / ied
    across = (-dx * math.sin(angle) + dy * math.cos(angle)) / ied
    return along, across


def yaw_proxy(marks: Landmarks) -> float:
    """Sideways nose offset from the eye centre in eye distances (0 frontal).

    Positive when the head is turned towards the person's **left** (the nose moves to the
    image's right in the unmirrored frame). About ±0.25 is a clear turn.
    """
    return _in_eye_frame(marks, marks.nose)[0]


def pitch_proxy(marks: Landmarks) -> float:
    """Nose drop below the eye line in eye distances (≈0.45–0.6 frontal; less when looking up)."""
    return _in_eye_frame(marks, marks.nose)[1]


def id_photo_transform(marks: Landmarks) -> np.ndarray:
    """The 2×3 affine matrix mapping the frame onto the 358×441 GA 461 ID photo.

    It rotates the eye line level, scales the eye distance to :data:`ID_EYE_DISTANCE` and puts
    the eye centre at (179, :data:`ID_EYE_LINE_Y`). Raises :class:`ValueError` when the eyes
    coincide.
    """
    ied = marks.eye_distance
    if not ied > 1e-6:
        raise ValueError("the eyes coincide: no transform")
    scale = ID_EYE_DISTANCE / ied
    angle = math.radians(roll_degrees(marks))
    cos_a, sin_a = math.cos(angle) * scale, math.sin(angle) * scale
    cx, cy = marks.eye_centre
    # Rotation by -roll and scaling about the eye centre, then moving it to the target point.
    matrix = np.array([[cos_a, sin_a, 0.0], [-sin_a, cos_a, 0.0]])
    matrix[0, 2] = ID_PHOTO_WIDTH / 2 - (cos_a * cx + sin_a * cy)
    matrix[1, 2] = ID_EYE_LINE_Y - (-sin_a * cx + cos_a * cy)
    return matrix


def id_photo_source_corners(marks: Landmarks) -> np.ndarray:
    """The ID photo's four corners mapped back into the frame (4×2), to check they lie inside."""
    matrix = id_photo_transform(marks)
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(full)
    corners = np.array(
        [[0, 0, 1], [ID_PHOTO_WIDTH, 0, 1], [ID_PHOTO_WIDTH, ID_PHOTO_HEIGHT, 1], [0, ID_PHOTO_HEIGHT, 1]],
        dtype=float,
    )
    return (inverse @ corners.T).T[:, :2]


def crop_inside_fraction(marks: Landmarks, width: int, height: int) -> float:
    """How much of the ID photo's outline lies inside a ``width``×``height`` frame (0–1).

    Measured on the corners' bounding box: 1.0 means the photo needs no padding.
    """
    corners = id_photo_source_corners(marks)
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    area = max((x1 - x0) * (y1 - y0), 1e-9)
    ix = max(0.0, min(x1, width) - max(x0, 0.0))
    iy = max(0.0, min(y1, height) - max(y0, 0.0))
    return float(min(1.0, ix * iy / area))
