"""The latest-only hop from a worker thread to the GUI thread, written once for every bridge.

A worker publishes a new screen model (or a "new frame" nudge) many times a second; the GUI
thread only ever needs the newest. :class:`LatestOnly` keeps the newest value offered, posts one
queued signal while none is pending, and hands the newest value to ``deliver`` on the GUI thread;
values offered in between replace each other and are never queued. After :meth:`LatestOnly.close`
nothing more is delivered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

_NOTHING: Any = object()


class LatestOnly(QObject):
    """Carries the newest value offered on any thread to ``deliver`` on the GUI thread."""

    _pending = Signal()

    def __init__(self, deliver: Callable[[Any], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._lock = threading.Lock()
        self._newest: Any = _NOTHING
        self._queued = False
        self._closed = False
        self._pending.connect(self._take, Qt.ConnectionType.QueuedConnection)

    def offer(self, value: Any = None) -> None:
        """Keep ``value`` as the newest and make sure one delivery is on its way (any thread)."""
        with self._lock:
            if self._closed:
                return
            self._newest = value
            already_queued, self._queued = self._queued, True
        if not already_queued:
            self._pending.emit()

    def close(self) -> None:
        """Deliver nothing from now on; a value in flight is dropped (any thread)."""
        with self._lock:
            self._closed = True
            self._newest = _NOTHING

    @Slot()
    def _take(self) -> None:
        with self._lock:
            value, self._newest = self._newest, _NOTHING
            self._queued = False
        if value is not _NOTHING:
            self._deliver(value)
