"""Soak: many simulated citizen journeys through the real UI, watching memory and file descriptors.

The real QML is loaded offscreen over the real core on simulated devices (reader, camera, both
printers); each journey chooses a service, reads the sample ID card, takes and keeps the photo,
fills in the form, submits, and finishes, through the same commands the screens send, waiting
each time for the screen to change. Every 10th journey is cancelled on the form instead, and
every 10th (another one) switches to elder mode and English on the way, so wipes of each kind
and both modes are in the mix. RSS and open fds are measured after a warm-up (the first
journeys compile QML, warm caches and open the database) and again at the end.

    .venv/bin/python bench/soak.py [--journeys 1000] [--warmup 20]

Last line: ``journeys=<n> rss_growth_mb=<x> fd_growth=<y>``. Budget: ≤ 20 MB, fds stable.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

ANSWERS = {
    "residence_address": "北京市朝阳区建国路88号",
    "residence_since": "2023-05-01",
    "basis": "residence",
    "housing_type": "rented",
    "phone": "13800138000",
    "collection_method": "pickup",
    "declaration": True,
}


def rss_mb() -> float:
    """This process's resident memory in MiB (from /proc)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def settle_memory(engine: Any) -> None:
    """Collect garbage everywhere before reading RSS, so growth means memory still in use.

    Python's and the QML engine's collectors run when they see fit; glibc keeps freed memory
    in its arenas. Without this the figure would be mostly when the collectors last ran.
    """
    engine.collectGarbage()
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS then includes freed arena memory
        pass


def fd_count() -> int:
    """Open file descriptors of this process."""
    return len(os.listdir("/proc/self/fd"))


def enroll_offline(config: Any) -> None:
    """Platform keys as `kioskctl enroll` would leave them, without a server: submissions queue."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from kiosk.enrollment import Enrollment, PlatformKeys

    def raw(key: Any) -> bytes:
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)

    Enrollment(config.storage.resolved_data_dir()).save_platform_keys(PlatformKeys(
        x25519_public=raw(X25519PrivateKey.generate().public_key()),
        ed25519_public=raw(Ed25519PrivateKey.generate().public_key()),
        central_url=config.central.url,
        terminal_id=config.terminal.terminal_id,
    ))


class Driver:
    """Sends the screens' commands and waits, with the event loop running, for what follows."""

    def __init__(self, app: Any, bridge: Any, core: Any) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        self.app, self.bridge, self.core = app, bridge, core
        # PySide6 6.12's static QCoreApplication.processEvents() drops a reference to None on
        # every call (a few hundred thousand calls abort the interpreter); the same call on an
        # event loop object does not.
        self._loop = QEventLoop()
        # Each turn runs a real event loop (exec), as the application does, not processEvents():
        # outside exec() Qt never runs deleteLater(), so every screen the Loader replaced would
        # stay alive (~0.5 MB a journey that the kiosk itself never keeps).
        self._turn = QTimer()
        self._turn.setSingleShot(True)
        self._turn.setInterval(0)
        self._turn.timeout.connect(self._loop.quit)

    def process_events(self) -> None:
        """Run the Qt event loop once, as the application does."""
        self._turn.start()
        self._loop.exec()

    def wait(self, predicate: Callable[[dict[str, Any]], Any], what: str, timeout_s: float = 30.0) -> None:
        """Run the event loop until ``predicate(state)`` holds; raise after ``timeout_s``."""
        end = time.monotonic() + timeout_s
        while not predicate(self.bridge.state):
            if time.monotonic() > end:
                raise TimeoutError(f"waiting for {what}; screen {self.bridge.state.get('screen')!r}")
            self.process_events()
            time.sleep(0.002)
        self.process_events()

    def screen(self, name: str) -> None:
        """Wait for the screen ``name``."""
        self.wait(lambda s: s.get("screen") == name, name)

    def journey(self, number: int) -> None:
        """Walk journey ``number`` (its variant is ``number % 10``)."""
        bridge = self.bridge
        variant = number % 10
        bridge.chooseService("residence_permit")
        self.screen("notice")
        if variant == 5:
            bridge.setElderMode(True)
            bridge.setLanguage("en")
            self.wait(lambda s: s.get("elder_mode") and s.get("language") == "en", "elder mode")
        bridge.acceptNotice()
        self.screen("identify")
        bridge.presentDemoDocument("resident_id")
        self.screen("face")
        self.wait(lambda s: self.core.latest_frame() is not None, "a camera frame")
        bridge.capturePhoto()
        self.wait(lambda s: s.get("has_photo"), "the photo")
        bridge.acceptPhoto()
        self.screen("form")
        if variant == 9:
            bridge.back()  # form → face → ... then cancel: a wipe without a submission
            while self.bridge.state.get("screen") != "attract":
                screen = self.bridge.state.get("screen")
                bridge.back()
                self.wait(lambda s, left=screen: s.get("screen") != left, f"back from {screen}")
        else:
            for field_id, value in ANSWERS.items():
                bridge.setFieldValue(field_id, value)
            self.wait(lambda s: s.get("form") and s["form"]["complete"], "a complete form")
            bridge.completeForm()
            self.screen("review")
            bridge.confirmSubmission(True)
            self.wait(lambda s: s.get("screen") == "done", "the done screen", timeout_s=60)
            bridge.finish()
        self.screen("attract")
        bridge.takeBackDemoDocument()  # else the next journey's identify step waits for it
        self.wait(lambda s: not s.get("card_left"), "the card taken back")
        if variant == 5:
            bridge.setLanguage("zh-CN")
            self.wait(lambda s: s.get("language") == "zh-CN", "Chinese again")


def main(argv: list[str] | None = None) -> int:
    """Run the soak; the last line prints the figures and their baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1000, help="journeys measured (default 1000)")
    parser.add_argument("--warmup", type=int, default=20, help="journeys before the first measurement")
    args = parser.parse_args(argv)

    from kiosk.config import load_config
    from kiosk.core import KioskCore
    from ui.app import create_application

    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
        config = load_config(None).with_overrides(
            ui={"fullscreen": False, "demo_controls": True, "voice_engine": "mock"},
            storage={"data_dir": str(Path(tmp) / "data"), "min_free_mb": 10},
            central={"url": "http://127.0.0.1:9", "sync_interval_s": 3600},
        )
        enroll_offline(config)
        core = KioskCore(config)
        app, engine, window, bridge = create_application(config, core)
        core.start()
        driver = Driver(app, bridge, core)
        try:
            driver.wait(lambda s: s.get("devices"), "the devices")
            for number in range(args.warmup):
                driver.journey(number)
            driver.process_events()
            settle_memory(engine)
            rss0, fds0 = rss_mb(), fd_count()
            started = time.monotonic()
            for number in range(args.journeys):
                driver.journey(number)
                if (number + 1) % 100 == 0:
                    print(f"  {number + 1} journeys, rss {rss_mb():.1f} MB, fds {fd_count()}, "
                          f"{(time.monotonic() - started) / (number + 1):.2f} s each", flush=True)
            driver.process_events()
            settle_memory(engine)
            rss1, fds1 = rss_mb(), fd_count()
        finally:
            bridge.close()
            core.stop()
            window.close()
            engine.deleteLater()
    print(f"baseline rss {rss0:.1f} MB, fds {fds0}; after: rss {rss1:.1f} MB, fds {fds1}")
    print(f"journeys={args.journeys} rss_growth_mb={rss1 - rss0:.1f} fd_growth={fds1 - fds0}", flush=True)
    # PySide6 6.12 can abort while the interpreter tears down Qt's objects after a long run (a
    # reference count bug of its own); the measurement is complete, so leave without teardown.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
