"""Lockdown: escape keys, closing and context menus have no effect on the real full-screen window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QWindow
from PySide6.QtQml import QQmlComponent
from PySide6.QtTest import QTest

from ui.lockdown import Lockdown, is_blocked

Key = Qt.Key
Mod = Qt.KeyboardModifier

ESCAPES = [
    (Key.Key_Escape, Mod.NoModifier),
    (Key.Key_F11, Mod.NoModifier),
    (Key.Key_F4, Mod.AltModifier),
    (Key.Key_Tab, Mod.AltModifier),
    (Key.Key_Q, Mod.ControlModifier),
    (Key.Key_W, Mod.ControlModifier),
    (Key.Key_Escape, Mod.ControlModifier),
    (Key.Key_F4, Mod.ControlModifier),
    (Key.Key_Super_L, Mod.NoModifier),
    (Key.Key_Left, Mod.AltModifier),
]


@pytest.fixture
def locked(make_kiosk: Callable[..., Any], kiosk_config: Any) -> Any:
    """The kiosk as it runs on a terminal: full screen, locked down."""
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"fullscreen": True}))
    lockdown = kiosk.engine.findChild(Lockdown)
    assert lockdown is not None
    yield kiosk, lockdown
    lockdown.release()  # the fixture's teardown closes the window


def shortcut(kiosk: Any, sequence: str) -> Any:
    """A window-wide QML Shortcut that counts its activations: proof a key combination was seen."""
    component = QQmlComponent(kiosk.engine)
    component.setData(
        b"import QtQuick\nShortcut { property int fired: 0; context: Qt.ApplicationShortcut; "
        b'sequence: "' + sequence.encode() + b'"; onActivated: fired++ }', QUrl())
    item = component.create()
    assert item is not None, component.errorString()
    item.setParent(kiosk.window)
    return item


def test_escape_keys_leave_the_window_open_and_full_screen(locked: Any) -> None:
    kiosk, lockdown = locked
    window = kiosk.window
    assert window.visibility() == QWindow.Visibility.FullScreen
    quit_shortcut = shortcut(kiosk, "Ctrl+Q")
    harmless = shortcut(kiosk, "Ctrl+K")  # a combination the kiosk does not block: the test can see keys
    for key, modifiers in ESCAPES:
        QTest.keyClick(window, key, modifiers)
    QTest.keyClick(window, Key.Key_K, Mod.ControlModifier)
    kiosk.settle()
    assert harmless.property("fired") == 1
    assert quit_shortcut.property("fired") == 0
    assert lockdown.swallowed >= len(ESCAPES)
    assert window.isVisible() and window.visibility() == QWindow.Visibility.FullScreen
    assert kiosk.state["screen"] == "attract"


def test_the_window_refuses_to_close_until_released(locked: Any) -> None:
    kiosk, lockdown = locked
    assert kiosk.window.close() is False
    kiosk.settle()
    assert kiosk.window.isVisible()
    lockdown.release()
    assert kiosk.window.close() is True


def test_context_menus_are_swallowed_and_the_cursor_hidden(locked: Any) -> None:
    kiosk, lockdown = locked
    before = lockdown.swallowed
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(10, 10), QPoint(10, 10))
    QGuiApplication.sendEvent(kiosk.window, event)
    assert lockdown.swallowed == before + 1
    assert QGuiApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor


def test_a_window_taken_out_of_full_screen_goes_back(locked: Any) -> None:
    kiosk, _ = locked
    kiosk.window.showNormal()
    kiosk.wait_until(lambda: kiosk.window.visibility() == QWindow.Visibility.FullScreen)


def test_typing_still_works() -> None:
    for key in (Key.Key_A, Key.Key_1, Key.Key_Backspace, Key.Key_Return, Key.Key_Space):
        assert not is_blocked(key, Mod.NoModifier)
        assert not is_blocked(key, Mod.ShiftModifier)
    assert not is_blocked(Key.Key_C, Mod.ControlModifier)  # copy, in a text field
