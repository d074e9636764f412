"""Lockdown of the kiosk window: no escape shortcuts, no closing, no cursor, no context menus.

One application-wide event filter (GUI thread). It is the in-app half of the lockdown; the other
half — Alt+Tab, the Super key, Ctrl+Alt+F1…F12 and the compositor's own bindings, which never
reach a Qt application — belongs to the session the kiosk runs in (``deploy/README.md``).

Closing is refused until :meth:`Lockdown.release` is called on the way to a deliberate exit
(SIGTERM from systemd, the nightly restart, the crash handler, maintenance "restart").
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWindow

log = logging.getLogger(__name__)

_Key = Qt.Key
_Mod = Qt.KeyboardModifier

#: Keys swallowed whatever the modifiers: leaving full screen, window-manager and debug keys.
BLOCKED_KEYS = frozenset({
    _Key.Key_Escape, _Key.Key_F11, _Key.Key_F4, _Key.Key_Super_L, _Key.Key_Super_R, _Key.Key_Meta,
    _Key.Key_Menu, _Key.Key_Close, _Key.Key_Back, _Key.Key_TaskPane, _Key.Key_ApplicationLeft,
    _Key.Key_ApplicationRight, _Key.Key_PowerOff, _Key.Key_Sleep, _Key.Key_Suspend,
})
#: Keys swallowed together with Ctrl (quit, close, new window, reload, print, fullscreen toggles).
BLOCKED_WITH_CTRL = frozenset({
    _Key.Key_Q, _Key.Key_W, _Key.Key_N, _Key.Key_R, _Key.Key_P, _Key.Key_O, _Key.Key_S,
    _Key.Key_F4, _Key.Key_Tab, _Key.Key_Escape,
})
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)


def is_blocked(key: int, modifiers: Qt.KeyboardModifier) -> bool:
    """True for a key combination a citizen could use to leave or disturb the kiosk."""
    key = _Key(key)
    if key in BLOCKED_KEYS:
        return True
    if modifiers & (_Mod.AltModifier | _Mod.MetaModifier):
        return True  # Alt+F4, Alt+Tab, Alt+Left (back), Super+anything: nothing in the kiosk needs them
    return bool(modifiers & _Mod.ControlModifier) and key in BLOCKED_WITH_CTRL


class Lockdown(QObject):
    """The application-wide filter. Install with :meth:`install`; GUI thread only.

    ``fullscreen`` also hides the mouse cursor (a touch terminal has none to show) and puts the
    window back to full screen if anything takes it out.
    """

    def __init__(self, app: QGuiApplication, fullscreen: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._fullscreen = fullscreen
        self._windows: list[QWindow] = []
        self._installed = False
        self._cursor_hidden = False
        self.released = False
        self.swallowed = 0  # events refused, for tests and diagnostics (no key values kept)

    def install(self, window: QWindow) -> None:
        """Lock ``window`` (the kiosk's one window) down."""
        self._windows.append(window)
        if not self._installed:
            self._app.installEventFilter(self)
            self._installed = True
        if self._fullscreen and not self._cursor_hidden:
            self._app.setOverrideCursor(Qt.CursorShape.BlankCursor)
            self._cursor_hidden = True

    def release(self) -> None:
        """Allow the window to close: the application is quitting on purpose. Idempotent."""
        if self.released:
            return
        self.released = True
        if self._installed:
            self._app.removeEventFilter(self)
            self._installed = False
        if self._cursor_hidden:
            self._app.restoreOverrideCursor()
            self._cursor_hidden = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _KEY_EVENTS and isinstance(event, QKeyEvent):
            if is_blocked(event.key(), event.modifiers()):
                if kind == QEvent.Type.ShortcutOverride:
                    event.accept()  # "the focus item wants this key": no Shortcut fires
                self.swallowed += 1
                return True
            return False
        if kind == QEvent.Type.ContextMenu:
            self.swallowed += 1
            return True
        if kind == QEvent.Type.Close and watched in self._windows:
            event.ignore()  # an ignored close event keeps the window (QWindow::close returns false)
            self.swallowed += 1
            log.warning("window close refused (lockdown)")
            return True
        if (kind == QEvent.Type.WindowStateChange and self._fullscreen and watched in self._windows
                and not watched.windowStates() & Qt.WindowState.WindowFullScreen):
            # Something (a window-manager binding) took the window out of full screen: put it back.
            QTimer.singleShot(0, watched.showFullScreen)
        return False
