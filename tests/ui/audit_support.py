"""Reading the rendered window for the accessibility audits: items, what of them is on screen,
colours and contrast. Shared by test_accessibility_audit.py, test_audit_typing.py and the form
tests."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickItem

from tests.ui.conftest import descendants

__all__ = ["descendants"]


def effective_opacity(item: QQuickItem) -> float:
    opacity = 1.0
    while item is not None:
        opacity *= item.opacity()
        item = item.parentItem()
    return opacity


def visible_rect(item: QQuickItem, window_rect: QRectF) -> QRectF:
    """The part of ``item`` on screen: inside the window and every clipping ancestor."""
    rect = item.mapRectToScene(QRectF(0, 0, item.width(), item.height())).intersected(window_rect)
    parent = item.parentItem()
    while parent is not None and not rect.isEmpty():
        if parent.clip():
            rect = rect.intersected(parent.mapRectToScene(QRectF(0, 0, parent.width(), parent.height())))
        parent = parent.parentItem()
    return rect


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def pixels(image: QImage) -> np.ndarray:
    """The rendered window as an H×W array of 0xffRRGGBB."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height, stride = image.width(), image.height(), image.bytesPerLine() // 4
    data = np.frombuffer(image.constBits(), dtype=np.uint32, count=stride * height)
    return data.reshape(height, stride)[:, :width]


def unpack(value: int) -> tuple[int, int, int]:
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def is_text(item: QQuickItem) -> bool:
    return item.inherits("QQuickText") or item.inherits("QQuickTextInput") or item.inherits("QQuickTextEdit")


def is_touchable(item: QQuickItem) -> bool:
    if item.inherits("QQuickMouseArea"):
        return item.isEnabled()
    return item.inherits("QQuickAbstractButton") or item.inherits("QQuickTextInput")
