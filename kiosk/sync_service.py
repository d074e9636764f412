"""Forwarding to the central platform, as the application uses it: enrollment and the sync worker.

The protocol lives in :mod:`sync`; this module only decides when it runs for this terminal:
a worker while the kiosk is up, one pass for ``kioskctl sync``, and the registration that
``kioskctl enroll`` performs.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from offline_cache import Outbox, Store
from sync.client import CentralClient, SyncWorker

from .config import CentralConfig
from .enrollment import Enrollment, PlatformKeys
from .events import SYNC_PROGRESSED, EventHub

log = logging.getLogger(__name__)


def fleet_terminal_id(site_code: str, terminal_id: str) -> str:
    """The terminal's id on the platform: unique across the fleet, e.g. ``110105-T01``."""
    return f"{site_code}-{terminal_id}"


def enroll_terminal(url: str, site_code: str, terminal_id: str, enrollment: Enrollment) -> PlatformKeys:
    """Register this terminal's public key with the platform at ``url`` and keep its keys.

    Runs on the calling thread and does network I/O: never call it on the GUI thread.
    """
    fleet_id = fleet_terminal_id(site_code, terminal_id)
    with CentralClient(url, fleet_id) as client:
        info = client.fetch_platform_keys()
        client.register_terminal(enrollment.public_key_bytes(), site=site_code)
    keys = PlatformKeys(info.x25519_public, info.ed25519_public, url, fleet_id)
    enrollment.save_platform_keys(keys)
    log.info("enrolled as %s", fleet_id)
    return keys


def _outbox_factory(db_path: Path):
    def open_outbox() -> Outbox:
        return Outbox(Store(db_path).open())
    return open_outbox


class SyncService:
    """The terminal's sync worker, started when the terminal is enrolled.

    ``start``, ``sync_now`` and ``stop`` may be called from any thread; the work runs on the
    worker's own thread with its own SQLite connection. Progress is published as
    ``sync_progressed`` events carrying only ids and counts.
    """

    def __init__(self, db_path: Path, enrollment: Enrollment, config: CentralConfig, events: EventHub) -> None:
        self._db_path = db_path
        self._enrollment = enrollment
        self._config = config
        self._events = events
        self._client: CentralClient | None = None
        self._worker: SyncWorker | None = None

    def start(self) -> bool:
        """Start forwarding; returns ``False`` (and forwards nothing) while not enrolled."""
        keys = self._enrollment.platform_keys()
        if keys is None:
            log.warning("not enrolled: submissions are refused and nothing is forwarded")
            return False
        self._client = CentralClient(self._config.url, keys.terminal_id)
        self._worker = SyncWorker(
            _outbox_factory(self._db_path), self._client, self._config.sync_interval_s, on_event=self._relay
        )
        self._worker.start()
        return True

    def _relay(self, name: str, data: dict[str, Any]) -> None:
        self._events.publish(SYNC_PROGRESSED, step=name, **data)

    def sync_now(self) -> None:
        """Forward everything queued as soon as possible (any thread, returns at once)."""
        if self._worker is not None:
            self._worker.sync_now()

    def stop(self) -> None:
        """Stop the worker (it hands back its lease) and close the HTTP client."""
        if self._worker is not None:
            self._worker.stop()
        if self._client is not None:
            self._client.close()


def sync_once(db_path: Path, enrollment: Enrollment, config: CentralConfig, timeout_s: float = 60.0) -> dict[str, int]:
    """Forward what is queued now and return the outbox counts after the pass (``kioskctl sync``)."""
    events = EventHub()
    finished: list[str] = []
    events.subscribe(lambda event: finished.append(event.data["step"]))
    service = SyncService(db_path, enrollment, config, events)
    if not service.start():
        raise RuntimeError("this terminal is not enrolled: run kioskctl enroll first")
    try:
        service.sync_now()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not {"sync_completed", "sync_failed"} & set(finished):
            time.sleep(0.1)
    finally:
        service.stop()
    with Store(db_path) as store:
        return Outbox(store).counts()
