"""Photographs of paper for the simulated document camera, made at first use.

A form-like A4 page (title, labelled boxes, ruled lines, lines of text) is rendered at 150 dpi,
then laid at an angle and in perspective on a wood-coloured desk. Variants add a specular glare
spot or defocus blur. Pure computation (the simulated camera's owner thread).
"""

from __future__ import annotations

import cv2
import numpy as np

from .page import A4_150DPI

#: How a simulated page can look.
VARIANTS = ("clean", "glare", "blur")
_WORDS = ("name", "address", "date", "service", "signature", "residence", "permit", "number",
          "applicant", "district", "street", "office", "reason", "declared", "attached", "copy")


def render_form(seed: int) -> np.ndarray:
    """An A4 form page (RGB, 1240×1754) whose text depends on ``seed``."""
    rng = np.random.default_rng(seed)
    width, height = A4_150DPI
    page = np.full((height, width, 3), (246, 245, 240), dtype=np.uint8)
    ink = (30, 30, 40)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(page, f"APPLICATION FORM {seed + 1}", (120, 170), font, 2.0, ink, 4, cv2.LINE_AA)
    cv2.line(page, (120, 210), (width - 120, 210), ink, 3)
    y = 290
    for row in range(6):  # labelled boxes
        label = " ".join(rng.choice(_WORDS, 2)).title()
        cv2.putText(page, label, (130, y + 45), font, 1.0, ink, 2, cv2.LINE_AA)
        cv2.rectangle(page, (520, y), (width - 120, y + 70), ink, 2)
        value = " ".join(rng.choice(_WORDS, 3))
        cv2.putText(page, value, (540, y + 48), font, 1.0, (20, 40, 120), 2, cv2.LINE_AA)
        y += 100 + row % 2 * 5
    y += 40
    while y < height - 200:  # body text
        words = " ".join(rng.choice(_WORDS, int(rng.integers(6, 10))))
        cv2.putText(page, words, (130, y), font, 0.9, ink, 2, cv2.LINE_AA)
        y += 48
    cv2.line(page, (700, height - 150), (width - 120, height - 150), ink, 2)
    cv2.putText(page, "signature", (700, height - 110), font, 0.8, ink, 1, cv2.LINE_AA)
    return page


def desk(width: int, height: int, seed: int = 3) -> np.ndarray:
    """A wood-brown desk with soft light falloff and grain (RGB)."""
    rng = np.random.default_rng(seed)
    # Drawn at an eighth of the size and scaled up: the desk has no fine detail to lose.
    small_w, small_h = max(8, width // 8), max(8, height // 8)
    grain = cv2.resize(rng.normal(0, 1, (small_h // 5 + 2, 6)).astype(np.float32), (small_w, small_h),
                       interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    light = 1.0 - 0.25 * (((xx - small_w / 2) / small_w) ** 2 + ((yy - small_h / 2) / small_h) ** 2)
    base = np.array([120, 86, 58], dtype=np.float32)
    image = np.clip(base[None, None, :] * (light + 0.05 * grain)[..., None], 0, 255).astype(np.uint8)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def resting_quad(width: int, height: int, fill: float = 0.93, angle_deg: float = 4.0,
                 keystone: float = 0.03) -> np.ndarray:
    """Where a sheet lies when it is placed: centred, turned by ``angle_deg``, its far edge
    ``keystone`` narrower (the camera looks down at a slight slant). Corners TL, TR, BR, BL."""
    page_h = fill * height
    page_w = page_h * A4_150DPI[0] / A4_150DPI[1]
    half_w, half_h = page_w / 2, page_h / 2
    corners = np.array([[-half_w * (1 - keystone), -half_h], [half_w * (1 - keystone), -half_h],
                        [half_w, half_h], [-half_w, half_h]], dtype=np.float32)
    theta = np.deg2rad(angle_deg)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], dtype=np.float32)
    return (corners @ rotation.T + np.array([width / 2, height / 2], dtype=np.float32)).astype(np.float32)


def lay_page(background: np.ndarray, page: np.ndarray, quad: np.ndarray, variant: str = "clean") -> np.ndarray:
    """``page`` photographed lying at ``quad`` on ``background`` (a new RGB array)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown page variant {variant!r}; known: {', '.join(VARIANTS)}")
    height, width = background.shape[:2]
    source = np.array([[0, 0], [page.shape[1] - 1, 0], [page.shape[1] - 1, page.shape[0] - 1],
                       [0, page.shape[0] - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, quad.astype(np.float32))
    shaded = (page.astype(np.float32) * 0.93).astype(np.uint8)  # paper under room light, not 100 % white
    frame = cv2.warpPerspective(shaded, matrix, (width, height), dst=background.copy(),
                                flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    if variant == "glare":
        # A soft-edged reflection, drawn at a quarter of the size (it has no fine detail).
        centre = (quad.mean(axis=0) + (quad[1] - quad[0]) * 0.15) / 4
        spot = np.zeros((height // 4, width // 4), dtype=np.uint8)
        cv2.ellipse(spot, (int(centre[0]), int(centre[1])), (width // 36, height // 48), 20, 0, 360, 255, -1)
        spot = cv2.resize(cv2.GaussianBlur(spot, (0, 0), width / 600), (width, height))
        frame = cv2.add(frame, cv2.merge([spot, spot, spot]))
    elif variant == "blur":
        frame = cv2.GaussianBlur(frame, (0, 0), max(2.0, width / 500))
    return frame
