"""systemd's notify protocol over a real datagram socket: READY, pings from the live loop, STOPPING."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QTimer

from ui.watchdog import SystemdNotifier, SystemdWatchdog, watchdog_interval_ms


class NotifySocket:
    """What systemd listens on: an AF_UNIX datagram socket (a path, or an abstract '@name')."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.sock.setblocking(False)

    def drain(self) -> list[str]:
        messages = []
        while True:
            try:
                messages.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                return messages

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["path", "abstract"])
def notify_socket(request: Any, tmp_path: Path) -> Iterator[NotifySocket]:
    address = str(tmp_path / "notify") if request.param == "path" else f"@egov-kiosk-test-{os.getpid()}"
    listener = NotifySocket(address)
    yield listener
    listener.close()


def test_pings_come_from_the_running_loop_and_stop_while_it_is_blocked(qtbot: Any, notify_socket: NotifySocket) -> None:
    watchdog = SystemdWatchdog(SystemdNotifier(notify_socket.address), interval_ms=10)
    watchdog.ready()
    watchdog.start()
    received: list[str] = []
    qtbot.waitUntil(lambda: received.extend(notify_socket.drain()) or received.count("WATCHDOG=1") >= 3, timeout=5000)
    assert received[0].startswith("READY=1\nMAINPID=")

    during_block: list[str] = []
    blocked: list[bool] = []

    def block_the_gui_thread() -> None:
        # A hung event loop: the GUI thread is busy for 30 ping intervals. Whatever arrives
        # meanwhile was sent by someone else than the loop: there must be nothing.
        notify_socket.drain()
        time.sleep(0.3)
        during_block.extend(notify_socket.drain())
        blocked.append(True)

    QTimer.singleShot(0, block_the_gui_thread)
    qtbot.waitUntil(lambda: bool(blocked), timeout=5000)
    assert during_block == [], "a ping was sent while the event loop was blocked"

    resumed: list[str] = []
    qtbot.waitUntil(lambda: resumed.extend(notify_socket.drain()) or "WATCHDOG=1" in resumed, timeout=5000)
    watchdog.stopping()
    qtbot.waitUntil(lambda: "STOPPING=1" in notify_socket.drain(), timeout=5000)


def test_nothing_is_sent_without_notify_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = SystemdNotifier()
    assert not notifier.enabled and not notifier.notify("READY=1")
    assert not SystemdNotifier("relative/path").enabled


@given(st.text(max_size=40))
def test_any_notify_socket_value_is_used_or_ignored_never_fatal(address: str) -> None:
    notifier = SystemdNotifier(address)
    assert notifier.enabled == address.startswith(("@", "/"))
    notifier.notify("WATCHDOG=1")  # nothing listens: logged, not raised
    notifier.close()


@given(st.dictionaries(st.sampled_from(["WATCHDOG_USEC", "WATCHDOG_PID"]), st.text(max_size=12)))
def test_any_watchdog_environment_gives_an_interval_or_none(environ: dict[str, str]) -> None:
    interval = watchdog_interval_ms(environ)
    assert interval is None or interval >= 100


def test_the_ping_interval_is_half_the_watchdog_period() -> None:
    assert watchdog_interval_ms({"WATCHDOG_USEC": "30000000"}) == 15000
    assert watchdog_interval_ms({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15000
    assert watchdog_interval_ms({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_ms({}) is None
    assert watchdog_interval_ms({"WATCHDOG_USEC": "soon"}) is None


ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "kiosk" / "kiosk"


@pytest.mark.parametrize("build", ["source", pytest.param("bundle", marks=pytest.mark.bundle)])
def test_the_kiosk_process_speaks_the_protocol_and_quits_on_sigterm(tmp_path: Path, build: str) -> None:
    """`kiosk` as systemd runs it (full screen, locked down): READY, pings, then SIGTERM → STOPPING, 0."""
    listener = NotifySocket(str(tmp_path / "notify"))
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[storage]\ndata_dir = "{tmp_path / "data"}"\nmin_free_mb = 10\n'
        '[central]\nurl = "http://127.0.0.1:9"\nsync_interval_s = 3600\n'
    )
    env = dict(os.environ, NOTIFY_SOCKET=listener.address, WATCHDOG_USEC="200000",
               QT_QPA_PLATFORM="offscreen", QT_QUICK_BACKEND="software")
    env.pop("WATCHDOG_PID", None)
    command = [sys.executable, "-m", "ui.app"] if build == "source" else [str(BUNDLE)]
    process = subprocess.Popen([*command, "--config", str(config)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        received: list[str] = []
        deadline = time.monotonic() + 60
        while received.count("WATCHDOG=1") < 3 and time.monotonic() < deadline and process.poll() is None:
            received.extend(listener.drain())
            time.sleep(0.02)
        assert any(m.startswith("READY=1") for m in received), received
        assert received.count("WATCHDOG=1") >= 3
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr[-2000:]
        assert "STOPPING=1" in listener.drain()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        listener.close()
