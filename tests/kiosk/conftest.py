"""Fixtures for the application core: a real central server on loopback and a running core.

A test module that is not about sync runs its core without a central server by overriding
``demo`` with ``offline_terminal`` (a terminal enrolled with platform keys made for the test;
sync finds nobody to talk to and keeps the queue, which such a test never looks at).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kiosk.config import KioskConfig
from kiosk.core import KioskCore
from kiosk.demo import Demo, start_demo
from sync.local_central import free_port


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo set-up, as `kiosk --demo` makes it: a real kiosk-central subprocess, enrolled."""
    running = start_demo(KioskConfig(), data_dir=tmp_path_factory.mktemp("demo"), central_port=0)
    yield running
    running.stop()


@dataclass(frozen=True)
class OfflineTerminal:
    """A terminal set up like the demo's, enrolled with keys made here; no central server."""

    config: KioskConfig


@pytest.fixture(scope="module")
def offline_terminal(tmp_path_factory: pytest.TempPathFactory) -> OfflineTerminal:
    """The demo's terminal without its central server: enrolled offline, staff provisioned."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from kiosk.demo import demo_terminal_config, provision_demo_staff
    from kiosk.enrollment import Enrollment, PlatformKeys

    data_dir = tmp_path_factory.mktemp("offline")
    nobody = f"http://127.0.0.1:{free_port(0)}"  # a closed port: sync reaches nobody
    config = demo_terminal_config(KioskConfig(), data_dir, nobody)
    terminal_dir = config.storage.resolved_data_dir()
    terminal_dir.mkdir(parents=True, mode=0o700)
    keys = PlatformKeys(X25519PrivateKey.generate().public_key().public_bytes_raw(),
                        Ed25519PrivateKey.generate().public_key().public_bytes_raw(),
                        nobody, config.terminal.terminal_id)
    Enrollment(terminal_dir, config.central.platform_keys_file).save_platform_keys(keys)
    provision_demo_staff(terminal_dir)
    return OfflineTerminal(config)


class CoreDriver:
    """Drives a started KioskCore as the UI would, and waits for what a person would see."""

    def __init__(self, core: KioskCore) -> None:
        self.core = core
        self.events: list[Any] = []
        self._changed = threading.Condition()
        core.events.subscribe(self._record)

    def _record(self, event: Any) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 15.0) -> dict[str, Any]:
        """Block until ``predicate(snapshot)`` holds (a bound on waiting, not a timing test)."""
        end = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.core.snapshot()):
                remaining = end - time.monotonic()
                if remaining <= 0:
                    snapshot = self.core.snapshot()
                    raise AssertionError(f"screen {snapshot.get('screen')!r}, message {snapshot.get('message')!r}")
                self._changed.wait(min(remaining, 0.1))
        return self.core.snapshot()

    def wait_screen(self, screen: str, timeout: float = 15.0) -> dict[str, Any]:
        return self.wait_for(lambda snapshot: snapshot.get("screen") == screen, timeout)

    def event_names(self) -> list[str]:
        return [event.name for event in self.events]

    def walk_to_form(self, document: str = "resident_id", service: str = "residence_permit") -> None:
        """Choose a service, read a sample document, take and keep a photo."""
        core = self.core
        core.choose_service(service)
        self.wait_screen("notice")
        core.accept_notice()
        self.wait_screen("identify")
        core.present_demo_document(document)
        self.wait_screen("face")
        self.wait_for(lambda s: core.latest_frame() is not None)
        core.capture_photo()
        self.wait_for(lambda s: s["has_photo"])
        core.accept_photo()
        self.wait_screen("form")

    def submit(self, answers: dict[str, Any] | None = None) -> dict[str, Any]:
        """Answer the residence permit form, confirm, and wait for the done screen."""
        for field, value in (answers or RESIDENCE_ANSWERS).items():
            self.core.set_field_value(field, value)
        self.core.complete_form()
        self.wait_screen("review")
        self.core.confirm_submission(True)
        return self.wait_screen("done")

    def finish(self) -> None:
        self.core.finish()
        self.wait_screen("attract")


@pytest.fixture
def start_core(demo: Demo) -> Iterator[Any]:
    """Start a KioskCore on the demo set-up; keyword arguments go to KioskCore. Stopped after."""
    started: list[KioskCore] = []

    def start(config: KioskConfig | None = None, **kwargs: Any) -> CoreDriver:
        config = config or demo.config.with_overrides(journey={"document_wait_s": 0.2})
        kwargs.setdefault("data_dir", demo.config.storage.resolved_data_dir())
        core = KioskCore(config, **kwargs)
        driver = CoreDriver(core)
        core.start()
        started.append(core)
        driver.wait_screen("attract")
        driver.wait_for(lambda s: s.get("devices"))  # services start after the first screen
        return driver

    yield start
    for core in started:
        core.stop()


@pytest.fixture
def core_driver(start_core: Any) -> CoreDriver:
    return start_core()


@pytest.fixture
def residence_answers() -> dict[str, Any]:
    return dict(RESIDENCE_ANSWERS)


RESIDENCE_ANSWERS = {
    "residence_address": "杭州市西湖区文三路 90 号 2 幢 301 室",
    "residence_since": "2024-03-01",
    "basis": "employment",
    "employer": "杭州云栖科技有限公司",
    "phone": "13800138000",
    "collection_method": "pickup",
    "declaration": True,
}
