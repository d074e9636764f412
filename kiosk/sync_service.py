"""Forwarding to the central platform, as the application uses it: enrollment and the sync worker.

The protocol lives in :mod:`sync`; this module only decides when it runs for this terminal:
a worker while the kiosk is up, a drain for ``kioskctl sync``, and the enrollment that
``kioskctl enroll`` performs with a staff member's one-time token.

One process at a time holds the terminal's sync lock (``<data_dir>/sync.lock``, an ``flock`` the
kernel drops when the process dies, even by SIGKILL). The holder hands back every lease left by a
dead sender at start, so nothing waits for a lease to expire; a second process (``kioskctl sync``
beside a running kiosk) sends only what it leases itself.
"""

from __future__ import annotations

import fcntl
import logging
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from egov_protocol.documents import KINDS, PLATFORM_KEYS
from egov_protocol.keys import platform_fingerprint
from offline_cache import Outbox, Store, SyncState, free_bytes
from sync.client import Backoff, CentralClient, SyncWorker
from sync.documents import held_document

from .config import CentralConfig
from .enrollment import Enrollment, PlatformKeys
from .events import SYNC_PROGRESSED, EventHub

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 300.0


class PlatformKeyMismatch(ValueError):
    """The enrollment answer carries another platform signing key than the one pinned."""


def _check_pinned(url: str, ed25519_public: bytes, pinned: str) -> None:
    answered = platform_fingerprint(ed25519_public)
    if pinned.strip().lower() != answered:
        raise PlatformKeyMismatch(f"the platform at {url} answered with key {answered}, not the "
                                  f"pinned {pinned.strip()}: nothing kept; check the URL and the "
                                  "key with the platform operators")


def fleet_terminal_id(site_code: str, terminal_id: str) -> str:
    """The terminal's id on the platform: unique across the fleet, e.g. ``110105-T01``."""
    return f"{site_code}-{terminal_id}"


def enroll_terminal(url: str, site_code: str, terminal_id: str, enrollment: Enrollment,
                    token: str, platform_key: str | None = None) -> PlatformKeys:
    """Enroll this terminal with the platform at ``url`` using a one-time ``token`` and keep the
    platform's keys. ``platform_key``: the fingerprint ``kiosk-central issue-token`` printed
    with the token; the answer's signing key must match it, else nothing is kept. Runs on the
    calling thread and does network I/O: never on the GUI thread. Raises
    ``sync.CentralRejected`` (403) for a used, expired or mistyped token, ``PlatformKeyMismatch``."""
    fleet_id = fleet_terminal_id(site_code, terminal_id)
    with CentralClient(url, fleet_id) as client:
        if platform_key is not None:  # before the token is spent on another platform
            _check_pinned(url, client.fetch_platform_keys().ed25519_public, platform_key)
        enrolled = client.enroll(token.strip(), enrollment.public_key_bytes(), site=site_code)
    info = enrolled.platform
    if platform_key is not None:
        _check_pinned(url, info.ed25519_public, platform_key)
    keys = PlatformKeys(info.x25519_public, info.ed25519_public, url, fleet_id,
                        info.sealing_key_since)
    enrollment.save_platform_keys(keys)
    # A re-enrollment is staff fixing a 401/403: lift the pause so the queue moves again.
    db_path = enrollment.data_dir / "kiosk.db"
    if db_path.exists():
        with Store(db_path) as store:
            SyncState(store).put("paused", None)
    log.info("enrolled as %s", fleet_id)
    return keys


class _LockedOutboxFactory:
    """Opens the worker's ``Outbox`` on the worker thread and takes the sync lock if free."""

    def __init__(self, db_path: Path) -> None:
        self._db_path = db_path
        self._lock_fd: int | None = None

    def __call__(self) -> Outbox:
        outbox = Outbox(Store(self._db_path, rebuildable_writes=True).open())
        fd = os.open(self._db_path.with_name("sync.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # another live sender: leave its leases alone
        else:
            self._lock_fd = fd
            released = outbox.release_all_leases()
            if released:
                log.info("took back %d lease(s) of a sender that died", released)
        return outbox

    def release(self) -> None:
        """Give up the sync lock, if this factory took it."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def heartbeat_builder(db_path: Path, device_states: Callable[[], dict[str, str]] | None,
                      status: Callable[[], dict[str, Any]] | None = None,
                      ) -> Callable[[Outbox], dict[str, Any]]:
    """A function building the heartbeat body from the outbox (no personal data). ``status()``
    adds the fleet fields (devices with detail, alerts, audit head: ``kiosk.fleet_status``)."""
    try:
        from importlib.metadata import version

        app_version = version("egov-kiosk")
    except Exception:
        app_version = "unknown"

    def build(outbox: Outbox) -> dict[str, Any]:
        state = SyncState(outbox.store)
        counts = outbox.counts()
        oldest = state.oldest_unsent()
        now = datetime.now(UTC)
        return {
            "versions": {"app": app_version, "python": platform.python_version(),
                         "schema": outbox.store.schema_version()},
            "devices": device_states() if device_states else {},
            "queue_depth": counts["queued"] + counts["sending"] + counts["sealed"],
            "quarantined": counts["quarantined"],
            "oldest_unsent_age_s": None if oldest is None else round((now - oldest).total_seconds()),
            "free_disk_bytes": free_bytes(db_path.parent),
            "highest_acked_sequence": state.highest_acked_sequence(),
            "accepted_total": state.accepted_total(),
            **(status() if status else {}),
        }

    return build


class SyncService:
    """The terminal's sync worker, started when the terminal is enrolled.

    ``start``, ``sync_now`` and ``stop`` may be called from any thread; the work runs on the
    worker's own thread with its own SQLite connection. Progress is published as
    ``sync_progressed`` events carrying only ids and counts.
    """

    def __init__(self, db_path: Path, enrollment: Enrollment, config: CentralConfig, events: EventHub,
                 device_states: Callable[[], dict[str, str]] | None = None, *,
                 status: Callable[[], dict[str, Any]] | None = None,
                 backoff: Backoff | None = None, exit_when_idle: bool = False,
                 on_event: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self._db_path = db_path
        self._enrollment = enrollment
        self._config = config
        self._events = events
        self._device_states = device_states
        self._status = status
        self._backoff = backoff
        self._exit_when_idle = exit_when_idle
        self._on_event = on_event
        self._client: CentralClient | None = None
        self._worker: SyncWorker | None = None
        self._factory = _LockedOutboxFactory(db_path)
        self._paused: str | None = None

    @property
    def paused_reason(self) -> str | None:
        """Why the platform refused this terminal (401/403 paused the queue), or None. Staff
        fix it by re-enrolling or with ``kioskctl sync``. Any thread."""
        return self._paused

    @property
    def running(self) -> bool:
        """True once forwarding started (the terminal is enrolled and :meth:`start` succeeded)."""
        return self._worker is not None

    def start(self) -> bool:
        """Start forwarding; returns ``False`` (and forwards nothing) while not enrolled."""
        keys = self._enrollment.platform_keys()
        if keys is None:
            log.warning("not enrolled: submissions are refused and nothing is forwarded")
            return False
        if self._db_path.exists():  # a pause outlives a restart: show it from the start
            with Store(self._db_path) as store:
                self._paused = SyncState(store).paused_reason()
            self._adopt_sealing_key()  # a new key pulled just before the last stop
        self._client = CentralClient(self._config.url, keys.terminal_id,
                                     signing_key=self._enrollment.signing_key(),
                                     platform_key=keys.ed25519_public)
        self._worker = SyncWorker(
            self._factory, self._client, self._config.sync_interval_s, on_event=self._relay,
            backoff=self._backoff, heartbeat=heartbeat_builder(self._db_path, self._device_states, self._status),
            heartbeat_interval_s=HEARTBEAT_INTERVAL_S,
            documents=(keys.ed25519_public, (*KINDS, PLATFORM_KEYS)),
            exit_when_idle=self._exit_when_idle)
        self._worker.start()
        return True

    def _adopt_sealing_key(self) -> None:
        """Seal to the platform's newest sealing key from now on, as the last verified
        ``platform-keys`` document names it (``Enrollment.adopt_sealing_key`` ignores an older
        one). Worker thread, or the caller of ``start``."""
        try:
            held = self._enrollment.platform_keys()
            with Store(self._db_path) as store:  # re-verified: a copy edited on disk is not used
                document = None if held is None else held_document(
                    SyncState(store), PLATFORM_KEYS, held.ed25519_public)
            if document is not None and self._enrollment.adopt_sealing_key(document["body"]):
                log.info("the platform rotated its sealing key: sealing to the new one")
        except Exception as exc:
            log.warning("the platform's new sealing key was not adopted: %s", exc)

    def _relay(self, name: str, data: dict[str, Any]) -> None:
        if name == "document_updated" and data.get("kind") == PLATFORM_KEYS:
            self._adopt_sealing_key()
        if name == "sync_paused":
            self._paused = f"{data.get('status')} {data.get('reason')}"
        elif name in ("submission_acked", "sync_completed", "sync_resumed"):
            self._paused = None
        if self._on_event is not None:
            self._on_event(name, data)
        self._events.publish(SYNC_PROGRESSED, step=name, **data)

    def sync_now(self) -> None:
        """Forward everything queued as soon as possible (any thread, returns at once); lifts a
        pause (the worker pauses again, with an event, if the platform still refuses)."""
        self._paused = None
        if self._worker is not None:
            self._worker.sync_now()

    def heartbeat_now(self) -> None:
        """Queue a heartbeat now (an alert) and send it as soon as the platform answers; any
        thread, returns at once; nothing happens while not enrolled."""
        if self._worker is not None:
            self._worker.heartbeat_now()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for an ``exit_when_idle`` worker to finish; True when it did."""
        if self._worker is None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._worker.is_running:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        """Stop the worker (it hands back its lease), close the HTTP client, drop the lock."""
        if self._worker is not None:
            self._worker.stop()
        if self._client is not None:
            self._client.close()
        self._factory.release()


def sync_once(db_path: Path, enrollment: Enrollment, config: CentralConfig, timeout_s: float = 600.0,
              on_event: Callable[[str, dict[str, Any]], None] | None = None) -> dict[str, int]:
    """Drain what is queued now (``kioskctl sync``): runs until nothing is due, the platform is
    unreachable, or the queue pauses; returns the outbox counts afterwards."""
    service = SyncService(db_path, enrollment, config, EventHub(), exit_when_idle=True,
                          on_event=on_event, backoff=Backoff(base_s=1.0, cap_s=5.0))
    if not service.start():
        raise RuntimeError("this terminal is not enrolled: run kioskctl enroll --token TOKEN first")
    try:
        service.sync_now()
        service.join(timeout_s)
    finally:
        service.stop()
    with Store(db_path) as store:
        return Outbox(store).counts()
