"""Page processing on document-camera frames: detection, guidance, rectification, quality.

Pure computation on RGB arrays (any thread; the kiosk runs it on the document camera's owner
thread). Detection works on a copy scaled down to :data:`WORK_WIDTH` pixels: a sheet of paper
is the largest bright four-cornered shape on a darker desk (Otsu threshold, then Canny edges when
the threshold finds none). Rectification maps the four corners onto an A4 rectangle.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: A4 in millimetres; the aspect a rectified page is given.
A4_MM = (210.0, 297.0)
#: 150 dpi A4, the default size of a rectified page (portrait width, height).
A4_150DPI = (1240, 1754)
#: Detection runs on a copy this wide.
WORK_WIDTH = 400
#: A page smaller than this fraction of the frame is not a page (a card, a hand, a shadow).
MIN_AREA_FRACTION = 0.08
#: Corners this close to the frame's edge (fraction of the shorter side) count as touching it.
EDGE_MARGIN = 0.01
#: Grey levels by which paper must outshine the desk.
MIN_CONTRAST = 60
#: A grey level at or above this is a specular reflection, not paper.
GLARE_LEVEL = 250

#: What the scanning screen tells the citizen, in order of precedence.
GUIDANCE = ("no_page", "move_into_frame", "too_much_glare", "hold_still", "ok")


@dataclass(frozen=True)
class PageDetection:
    """A page found in a frame: ``quad`` holds four (x, y) corners in frame pixels ordered
    top-left, top-right, bottom-right, bottom-left; ``touches_edge`` when part of the sheet is
    cut off by the frame; ``glare_fraction`` of the page's pixels are saturated."""

    quad: np.ndarray
    frame_size: tuple[int, int]
    touches_edge: bool
    area_fraction: float
    glare_fraction: float

    @property
    def side_lengths(self) -> tuple[float, float]:
        """(mean width, mean height) of the quad in frame pixels."""
        q = self.quad
        width = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
        height = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
        return float(width), float(height)

    @property
    def dpi(self) -> float:
        """The resolution the page was seen at, in dots per inch along its poorer side."""
        short, long = sorted(self.side_lengths)
        return min(short / (A4_MM[0] / 25.4), long / (A4_MM[1] / 25.4))


@dataclass(frozen=True)
class PageQuality:
    """Checks of a captured page; ``problems`` names each failed check (empty when acceptable):
    "blurred", "too_much_glare", "not_wholly_in_frame", "low_resolution"."""

    sharpness: float
    glare_fraction: float
    wholly_in_frame: bool
    dpi: float
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.problems


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four (x, y) points ordered top-left, top-right, bottom-right, bottom-left (float32)."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    total = pts.sum(axis=1)
    diff = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]],
                    dtype=np.float32)


def detect_page(rgb: np.ndarray) -> PageDetection | None:
    """The page in an RGB frame, or None when there is none (any thread)."""
    height, width = rgb.shape[:2]
    scale = WORK_WIDTH / width if width > WORK_WIDTH else 1.0
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    found = None
    # Paper stands out from the desk; a bare desk's light falloff splits at a small contrast.
    if cv2.mean(grey, mask)[0] - cv2.mean(grey, cv2.bitwise_not(mask))[0] >= MIN_CONTRAST:
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
        found = _largest_quad(mask, allow_cut=True)
    if found is None:
        edges = cv2.dilate(cv2.Canny(blurred, 50, 150), np.ones((3, 3), np.uint8))
        found = _largest_quad(edges, allow_cut=False)
    if found is None:
        return None
    quad_small, touches = found
    area_fraction = abs(cv2.contourArea(quad_small)) / float(grey.shape[0] * grey.shape[1])
    page_mask = np.zeros_like(grey)
    cv2.fillConvexPoly(page_mask, quad_small.astype(np.int32), 255)
    inside = max(int(cv2.countNonZero(page_mask)), 1)
    glare = int(cv2.countNonZero(cv2.bitwise_and(page_mask, (grey >= GLARE_LEVEL).astype(np.uint8) * 255)))
    quad = order_corners(quad_small / scale)
    return PageDetection(quad, (width, height), touches, float(area_fraction), glare / inside)


def _largest_quad(mask: np.ndarray, allow_cut: bool) -> tuple[np.ndarray, bool] | None:
    """The largest contour of ``mask`` as a quad, and whether it touches the image edge (only
    when ``allow_cut``: edges alone do not say a cut-off shape is paper)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    height, width = mask.shape[:2]
    contour = max(contours, key=cv2.contourArea)
    if cv2.contourArea(contour) < MIN_AREA_FRACTION * width * height:
        return None
    margin = max(2.0, EDGE_MARGIN * min(width, height))
    x, y, w, h = cv2.boundingRect(contour)
    touches = x <= margin or y <= margin or x + w >= width - margin or y + h >= height - margin
    hull = cv2.convexHull(contour)
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(approx) != 4 or (touches and not allow_cut):
        if not touches or not allow_cut:
            return None
        # Cut off by the frame: the sheet is there but not whole; its bounding box stands in.
        approx = cv2.boxPoints(cv2.minAreaRect(contour))
    return np.asarray(approx, dtype=np.float32).reshape(4, 2), bool(touches)


def guidance(detection: PageDetection | None, steady: bool, max_glare: float = 0.01) -> str:
    """What to tell the citizen about this frame: one of :data:`GUIDANCE` (any thread)."""
    if detection is None:
        return "no_page"
    if detection.touches_edge:
        return "move_into_frame"
    if detection.glare_fraction > max_glare:
        return "too_much_glare"
    if not steady:
        return "hold_still"
    return "ok"


def rectify(rgb: np.ndarray, quad: np.ndarray, size: tuple[int, int] = A4_150DPI) -> np.ndarray:
    """The page inside ``quad`` warped flat to A4 proportions (any thread).

    ``size`` is (width, height) of a portrait page; a sheet lying sideways comes out landscape.
    """
    corners = order_corners(quad)
    seen_width = np.linalg.norm(corners[1] - corners[0])
    seen_height = np.linalg.norm(corners[3] - corners[0])
    out_w, out_h = (size[1], size[0]) if seen_width > seen_height else size
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(rgb, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def sharpness(page: np.ndarray) -> float:
    """Variance of the Laplacian of the page scaled to 620 px wide (higher is sharper; any thread)."""
    grey = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    scale = 620 / grey.shape[1]
    grey = cv2.resize(grey, (620, max(1, round(grey.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def check_quality(page: np.ndarray, detection: PageDetection, min_sharpness: float = 150.0,
                  max_glare: float = 0.01, min_dpi: float = 140.0) -> PageQuality:
    """Check a rectified ``page`` captured from ``detection`` (any thread)."""
    value = sharpness(page)
    problems = []
    if value < min_sharpness:
        problems.append("blurred")
    if detection.glare_fraction > max_glare:
        problems.append("too_much_glare")
    if detection.touches_edge:
        problems.append("not_wholly_in_frame")
    if detection.dpi < min_dpi:
        problems.append("low_resolution")
    return PageQuality(value, detection.glare_fraction, not detection.touches_edge, detection.dpi, tuple(problems))
