"""Start-up time: process start to the interactive attract screen, beside a bare QML window.

Both are started the same way in the same run (a fresh Python process, offscreen, software
Quick backend) and timed from just before the process is spawned to the first frame the window
swaps with its content in place: for the kiosk, the attract screen with the service catalog; for
the baseline, a window with one line of Chinese text.

    .venv/bin/python bench/startup.py [--runs 7]

The project's modules are byte-compiled first, as they are wherever the kiosk is installed (the
frozen bundle ships bytecode, pip compiles on install); the warm-up run alone cannot do that where
``PYTHONDONTWRITEBYTECODE`` is set, and compiling some fifty modules at every start would be timed.

Last line: ``startup_s=<median> bare_s=<median> ratio=<r>``. Budget: ≤ 1.5 s and ≤ 3× the bare window.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE_CHILD = r"""
import sys, time
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow, QSGRendererInterface
QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)
app = QGuiApplication(sys.argv)
engine = QQmlApplicationEngine()
engine.loadData(b'''
import QtQuick
Window { visible: true; width: 1080; height: 1920
    Text { anchors.centerIn: parent; text: "\u653f\u52a1\u670d\u52a1\u81ea\u52a9\u7ec8\u7aef"; font.pixelSize: 48 } }
''')
window = engine.rootObjects()[0]
def swapped():
    print("READY", repr(time.time()), flush=True)
    app.quit()
window.frameSwapped.connect(swapped)
app.exec()
"""

KIOSK_CHILD = r"""
import sys, time
from pathlib import Path
from kiosk.config import KioskConfig
from kiosk.core import KioskCore
config = KioskConfig().with_overrides(storage={"data_dir": sys.argv[1]}, ui={"fullscreen": False})
core = KioskCore(config)
# As `kiosk` does: the catalog loads on the journey thread while Qt builds the window, and the
# devices, store and sync start once the first frame is on screen.
core.start(services_after_screen=True)
from ui.app import create_application, notify_first_frame
app, engine, window, bridge = create_application(config, core)
notify_first_frame(window, core.screen_shown)
def swapped():
    state = bridge.property("state") or {}
    if state.get("screen") == "attract" and state.get("catalog", {}).get("services"):
        print("READY", repr(time.time()), flush=True)
        window.frameSwapped.disconnect(swapped)
        bridge.close()
        core.stop()
        app.quit()
window.frameSwapped.connect(swapped)
app.exec()
"""


#: A child that hangs prints where (on stderr, shown by time_child) instead of waiting out the timeout.
_WATCHDOG = "import faulthandler\nfaulthandler.dump_traceback_later(60, exit=True)\n"


def time_child(source: str, *args: str) -> float:
    """Seconds from just before spawning ``source`` in a new interpreter until it prints READY."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_QUICK_BACKEND="software")
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", _WATCHDOG + source, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    for line in result.stdout.splitlines():
        if line.startswith("READY "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"child never became ready (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def main() -> None:
    """Run the benchmark; the last line prints the figure and its baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each, alternating (default 7)")
    args = parser.parse_args()
    kiosk_times, bare_times = [], []
    for package in ("kiosk", "ui", "drivers", "sync", "offline_cache", "egov_protocol"):
        compileall.compile_dir(ROOT / package, quiet=1)
    time_child(BARE_CHILD)  # warm the page cache for both, so neither pays for first disk reads
    with tempfile.TemporaryDirectory() as data_dir:
        time_child(KIOSK_CHILD, data_dir)
        for run in range(args.runs):
            bare_times.append(time_child(BARE_CHILD))
            kiosk_times.append(time_child(KIOSK_CHILD, data_dir))
            print(f"run {run + 1}: kiosk {kiosk_times[-1]:.3f} s, bare QML window {bare_times[-1]:.3f} s", flush=True)
    startup, bare = statistics.median(kiosk_times), statistics.median(bare_times)
    print("baseline: a bare QML window (one Text) started the same way in the same run")
    print("budget: startup_s <= 1.5 and ratio <= 3.0")
    print(f"startup_s={startup:.3f} bare_s={bare:.3f} ratio={startup / bare:.2f}")


if __name__ == "__main__":
    main()
