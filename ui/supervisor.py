"""Self-healing: unexpected errors send the kiosk back to the start; repeated ones restart it.

Three ways a bug surfaces, all ending in :meth:`Supervisor.crashed`:

- ``sys.excepthook``: uncaught exceptions on the GUI thread, including those raised in Qt slots
  and QML-invoked methods (PySide6 hands those to ``sys.excepthook`` and carries on);
- ``threading.excepthook``: a Python thread that died of an exception;
- the core's ``unexpected_error`` event: a core command that failed on the journey thread.

The log gets the exception type and the stack (file, line, function, source line) and never the
exception's message or any local variable: either may hold a citizen's data. Then the session is
wiped (:meth:`KioskCore.recover`) and the attract screen shown. More than ``max_crashes`` within
``window_s`` means the process itself is unwell: it exits with :data:`CRASH_EXIT_CODE` and systemd
(``Restart=always``) starts a fresh one.

The same object carries out the core's ``restart_due`` (the nightly restart window) by exiting
with the status the core asks for.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)

from kiosk import events as ev
from kiosk.safe_log import describe_exception

log = logging.getLogger(__name__)

#: Exit status after repeated crashes (EX_SOFTWARE): systemd restarts and counts a failure.
CRASH_EXIT_CODE = 70

#: A Python exception raised in a slot QML called reaches QML too, which prints it as
#: "file:///…/NavBar.qml:68: Error: <the exception's message>". The message stays out of the log.
_QML_ERROR = re.compile(r"^(?P<where>.*\.qml:\d+(?::\d+)?: )(?P<kind>\w*Error): .*", re.DOTALL)
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
qt_log = logging.getLogger("qt")


def redact_qt_message(text: str) -> str:
    """A Qt message with the text of QML errors (which may hold a citizen's data) withheld."""
    match = _QML_ERROR.match(text)
    return f"{match['where']}{match['kind']}: (message withheld)" if match else text


class Supervisor(QObject):
    """Installs the exception hooks and decides: recover, or exit for a restart. GUI thread.

    ``exit_app(code)`` ends the application (main() releases the lockdown, says STOPPING=1 to
    systemd and leaves the event loop with ``code``). ``clock`` is monotonic seconds.
    """

    # Hops from any thread to the GUI thread.
    _crashReported = Signal(str, str)
    _restartRequested = Signal(int)

    def __init__(
        self,
        core: Any,
        exit_app: Callable[[int], None],
        *,
        max_crashes: int = 3,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._exit_app = exit_app
        self._max_crashes = max_crashes
        self._window_s = window_s
        self._clock = clock
        self._recent: deque[float] = deque()
        self._previous_hooks: tuple[Any, Any] | None = None
        self._previous_qt_handler: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self.crashes = 0
        self.exit_code: int | None = None
        self._crashReported.connect(self._on_crash, Qt.ConnectionType.QueuedConnection)
        self._restartRequested.connect(self._on_restart, Qt.ConnectionType.QueuedConnection)

    # ---- installation (GUI thread) ------------------------------------------------------------
    def install(self) -> None:
        """Take over ``sys.excepthook``, ``threading.excepthook`` and the core's error events."""
        if self._previous_hooks is None:
            self._previous_hooks = (sys.excepthook, threading.excepthook)
            sys.excepthook = self._excepthook
            threading.excepthook = self._thread_excepthook
            self._previous_qt_handler = qInstallMessageHandler(self._qt_message)
        if self._unsubscribe is None:
            self._unsubscribe = self._core.events.subscribe(self._on_core_event)

    def uninstall(self) -> None:
        """Put the previous hooks back (tests; shutdown)."""
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks
            self._previous_hooks = None
            qInstallMessageHandler(self._previous_qt_handler)
            self._previous_qt_handler = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ---- hooks (any thread) -------------------------------------------------------------------
    @staticmethod
    def _qt_message(kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
        # Qt's messages go to the same log as ours, with QML error texts withheld.
        qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", redact_qt_message(text))

    def _excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt) and self._previous_hooks is not None:
            self._previous_hooks[0](exc_type, exc, tb)
            return
        self.crashed("gui", describe_exception(exc_type, tb))

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        where = args.thread.name if args.thread is not None else "thread"
        self.crashed(where, describe_exception(args.exc_type, args.exc_traceback))

    def _on_core_event(self, event: ev.Event) -> None:
        if event.name == ev.UNEXPECTED_ERROR:
            # The core already logged it (journey thread); count it and recover.
            self.crashed(str(event.data.get("where", "core")), str(event.data.get("error", "")), logged=True)
        elif event.name == ev.RESTART_DUE:
            self._restartRequested.emit(int(event.data.get("exit_code", 0)))

    def crashed(self, where: str, description: str, logged: bool = False) -> None:
        """Report an unexpected error (any thread); recovery happens on the GUI thread."""
        if not logged:
            log.error("unexpected error on %s: %s", where, description)
        self._crashReported.emit(where, description.split("\n", 1)[0])

    # ---- decisions (GUI thread) ---------------------------------------------------------------
    @Slot(str, str)
    def _on_crash(self, where: str, kind: str) -> None:
        now = self._clock()
        self.crashes += 1
        self._recent.append(now)
        while self._recent and now - self._recent[0] > self._window_s:
            self._recent.popleft()
        if len(self._recent) >= self._max_crashes:
            log.critical("%d unexpected errors within %.0f s (last: %s on %s): exiting for a restart",
                         len(self._recent), self._window_s, kind, where)
            self._exit(CRASH_EXIT_CODE)
            return
        log.warning("recovering from %s on %s: session wiped, back to the start", kind, where)
        try:
            self._core.recover()
        except Exception as exc:
            log.critical("recovery failed (%s): exiting for a restart", type(exc).__name__)
            self._exit(CRASH_EXIT_CODE)

    @Slot(int)
    def _on_restart(self, code: int) -> None:
        self._exit(code)

    def _exit(self, code: int) -> None:
        if self.exit_code is None:
            self.exit_code = code
            self._exit_app(code)
