"""FormField on its own, in real QML offscreen with a stand-in for the bridge: the ID number's
X key (the numeric pad has none) and the date and address buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, QPointF, Qt, Slot
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from tests.ui.conftest import child_items
from ui.app import QML_DIR

SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "_screenshots"

SCENE = b"""
import QtQuick
import QtQuick.Window
import QtQuick.VirtualKeyboard
import Kiosk
Window {
    width: 1080; height: 1200; visible: true
    Column {
        width: 1000
        FormField { objectName: "idField"; width: 1000
                    field: ({id: "idn", type: "id_number", label: "ID", value: null}) }
        FormField { objectName: "lockedField"; width: 1000
                    field: ({id: "locked", type: "id_number", label: "ID", value: "11010519491231002X",
                             readonly: true}) }
    }
    InputPanel { objectName: "inputPanel"; width: parent.width; y: active ? parent.height - height : parent.height }
}
"""


class FakeBridge(QObject):
    """What FormField calls on ``kiosk``, recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, Any]] = []

    @Slot(str, "QVariant")
    def setFieldValue(self, field_id: str, value: Any) -> None:
        self.values.append((field_id, value))

    @Slot()
    def touched(self) -> None:
        pass


def _find(root: QQuickItem, name: str) -> QQuickItem | None:
    if root.objectName() == name:
        return root
    for child in child_items(root):
        hit = _find(child, name)
        if hit is not None:
            return hit
    return None


def test_the_id_number_x_key_types_x_at_the_cursor(qtbot, qt_messages, tmp_path) -> None:
    bridge = FakeBridge()
    engine = QQmlApplicationEngine()
    engine.addImportPath(str(QML_DIR))
    engine.rootContext().setContextProperty("kiosk", bridge)
    # From a file, as the application loads Main.qml: loadData() hung here (never returned)
    # with the test's Qt message handler installed.
    scene = tmp_path / "scene.qml"
    scene.write_bytes(SCENE)
    engine.load(str(scene))
    window = engine.rootObjects()[0]
    qtbot.waitUntil(window.isExposed, timeout=10_000)
    root = window.contentItem()
    field = _find(root, "field_idn")
    assert field.property("inputMethodHints") & Qt.InputMethodHint.ImhDigitsOnly
    centre = field.mapToScene(QPointF(field.width() / 2, field.height() / 2))
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(centre.x()), round(centre.y())))
    qtbot.waitUntil(lambda: field.hasActiveFocus())
    for key in "11010519491231002":
        QTest.keyClick(window, key)
    key_x = _find(root, "idNumberXKey_idn")
    assert key_x.isVisible() and key_x.height() >= 60
    centre = key_x.mapToScene(QPointF(key_x.width() / 2, key_x.height() / 2))
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(centre.x()), round(centre.y())))
    qtbot.waitUntil(lambda: field.property("text") == "11010519491231002X")
    assert field.hasActiveFocus()  # the X key does not take the focus (or the keyboard) away
    assert bridge.values[-1] == ("idn", "11010519491231002X")
    panel = _find(root, "inputPanel")
    qtbot.waitUntil(lambda: panel.property("active"))
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    window.grabWindow().save(str(SCREENSHOT_DIR / "widget_id_number_keypad.png"))
    # A locked, prefilled ID number has no X key.
    assert not _find(root, "idNumberXKey_locked").isVisible()
    window.close()
    engine.deleteLater()
