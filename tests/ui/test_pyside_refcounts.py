"""The Qt binding keeps Python's reference counts straight on the paths the kiosk uses all day.

PySide6 6.12.0 returned ``True`` from ``Signal.emit()`` without a reference of its own: every
emit took one away from ``True`` until the interpreter aborted with ``bool_dealloc`` -- after a
few hundred citizen journeys, or sooner with the camera preview emitting 15 times a second.
That release is excluded in setup.cfg; this test keeps any release with such a bug out.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Property, QEventLoop, QObject, Signal, Slot


class _Source(QObject):
    changed = Signal()
    carried = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._state = {"flag": True, "off": False, "none": None, "nested": [True, None, {"x": False}]}

    @Slot()
    def on_changed(self) -> None:
        self.calls += 1

    def _get_state(self) -> dict:
        return self._state

    state = Property("QVariantMap", _get_state, notify=changed)


def _counts() -> tuple[int, int, int]:
    return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)


def test_emitting_signals_and_reading_properties_keeps_reference_counts(qapp) -> None:
    source = _Source()
    source.changed.connect(source.on_changed)
    source.carried.connect(lambda value: None)
    QEventLoop().processEvents()
    before = _counts()
    for _ in range(2000):
        source.changed.emit()
        source.carried.emit({"a": True, "b": None})
        source.property("state")
    QEventLoop().processEvents()
    after = _counts()
    assert source.calls == 2000
    # A few references may come and go with caches; a bug shows as thousands.
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=False)), (before, after)
