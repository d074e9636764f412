"""The crash handler: an unexpected error wipes the session and shows the start; repeated ones exit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from kiosk import events as ev
from ui.supervisor import CRASH_EXIT_CODE, Supervisor, redact_qt_message

SECRET = "110101199003071234 王小明"  # what a careless exception message could carry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def supervised(kiosk: Any) -> Iterator[tuple[Any, Supervisor, list[int], Clock]]:
    exits: list[int] = []
    clock = Clock()
    supervisor = Supervisor(kiosk.core, exits.append, clock=clock)
    supervisor.install()
    yield kiosk, supervisor, exits, clock
    supervisor.uninstall()


def to_notice(kiosk: Any) -> None:
    kiosk.tap("service_" + kiosk.state["catalog"]["services"][0]["id"])
    kiosk.wait_for_screen("notice")


def raise_secret() -> None:
    raise ValueError(SECRET)


def test_an_exception_in_a_slot_called_from_qml_returns_to_the_start(
        supervised: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    kiosk, supervisor, exits, _ = supervised
    to_notice(kiosk)
    monkeypatch.setattr(kiosk.core, "back", raise_secret)  # KioskBridge.back() raises on the GUI thread
    with caplog.at_level(logging.WARNING):
        kiosk.tap("backButton")
        kiosk.wait_for_screen("attract")
    assert supervisor.crashes == 1 and exits == []
    assert "builtins.ValueError" in caplog.text and "raise_secret" in caplog.text
    # QML reports the exception as well; its message is withheld there too.
    assert "NavBar.qml" in caplog.text and "Error: (message withheld)" in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.parametrize("text, expected", [
    ("file:///x/NavBar.qml:68: Error: 110101199003071234", "file:///x/NavBar.qml:68: Error: (message withheld)"),
    ("qrc:/a/B.qml:3:5: TypeError: Cannot read property 'name' of 王小明",
     "qrc:/a/B.qml:3:5: TypeError: (message withheld)"),
    ("qt.qpa.xcb: could not connect to display", "qt.qpa.xcb: could not connect to display"),
])
def test_qml_error_texts_are_withheld_from_the_log(text: str, expected: str) -> None:
    assert redact_qt_message(text) == expected


def test_an_exception_in_a_core_command_returns_to_the_start(supervised: Any, caplog: pytest.LogCaptureFixture,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    kiosk, supervisor, exits, _ = supervised
    to_notice(kiosk)
    wiped: list[str] = []
    kiosk.core.events.subscribe(lambda e: e.name == ev.SESSION_WIPED and wiped.append(e.data["reason"]))
    monkeypatch.setattr(kiosk.core._runtime.journey, "notice_accepted", raise_secret)
    with caplog.at_level(logging.WARNING):
        kiosk.tap("acceptNoticeButton")
        kiosk.wait_for_screen("attract")
    assert wiped == ["error"] and supervisor.crashes == 1 and exits == []
    assert "ValueError" in caplog.text and SECRET not in caplog.text


def test_a_dying_thread_returns_to_the_start(supervised: Any, caplog: pytest.LogCaptureFixture) -> None:
    kiosk, supervisor, exits, _ = supervised
    to_notice(kiosk)
    with caplog.at_level(logging.WARNING):
        worker = threading.Thread(target=raise_secret, name="worker-under-test")
        worker.start()
        worker.join()
        kiosk.wait_for_screen("attract")
    assert "worker-under-test" in caplog.text and SECRET not in caplog.text
    assert supervisor.crashes == 1 and exits == []


def test_repeated_crashes_in_a_short_time_exit_for_a_restart(supervised: Any) -> None:
    kiosk, supervisor, exits, clock = supervised
    QTimer.singleShot(0, raise_secret)
    kiosk.wait_until(lambda: supervisor.crashes == 1)
    clock.now += 120  # an old crash does not count
    for expected in (2, 3):
        QTimer.singleShot(0, raise_secret)
        kiosk.wait_until(lambda expected=expected: supervisor.crashes == expected)
        clock.now += 10
    assert exits == []
    QTimer.singleShot(0, raise_secret)
    kiosk.wait_until(lambda: exits)
    assert exits == [CRASH_EXIT_CODE]


def test_the_nightly_restart_exits_with_the_code_the_core_asks_for(supervised: Any) -> None:
    kiosk, _, exits, _ = supervised
    kiosk.core.events.publish(ev.RESTART_DUE, exit_code=75)
    kiosk.wait_until(lambda: exits)
    assert exits == [75]
