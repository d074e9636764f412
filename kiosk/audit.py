"""The terminal's audit log: every staff action, citizen session and device fault, hash-linked.

``AuditLog.record(kind, actor=..., **details)`` may be called from any thread and never blocks on
the disk: it hands the event to the ``audit-writer`` thread, which owns its own SQLite connection
and appends to the chain in ``offline_cache.audit_trail``. A storage failure is logged, never
raised into the caller: a full disk must not stop a citizen's journey.

Truncation (cutting the newest events off) leaves a valid chain, so after each append the writer
also signs the new head (``seq``, ``hash``) with the terminal's Ed25519 key into
``<data_dir>/audit-head.json``, and heartbeats carry the head to the platform, which notices a
head that goes backwards. ``verify()`` checks the chain and the signed head.

Event kinds are past tense and dotted (``staff.signed_in``, ``session.wiped``); details are short
non-personal scalars. Keys that name personal data are dropped with a warning (defence in depth:
callers must not pass them in the first place).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.common import OwnerThread

from .safe_log import log_exception

if TYPE_CHECKING:  # imported where used: the core builds an AuditLog on the GUI thread's path
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from offline_cache import Store
    from offline_cache.audit_trail import AuditEvent

log = logging.getLogger(__name__)

HEAD_FILE = "audit-head.json"
GENESIS = "0" * 64  # the same as offline_cache.audit_trail.GENESIS, without its import
MAX_TEXT = 120
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Detail keys that would name personal data; such values are never stored.
PERSONAL_KEYS = frozenset({
    "name", "full_name", "id_number", "document_number", "address", "phone", "mobile",
    "birth_date", "date_of_birth", "photo", "face", "signature", "email", "mrz", "access_key",
    "can", "pin",
})


def _utcnow() -> datetime:
    return datetime.now(UTC)


def clean_details(details: dict[str, Any]) -> dict[str, str | int | bool | None]:
    """Details as stored: scalar values only (floats rounded to int, text cut to 120 characters),
    personal or malformed keys dropped."""
    clean: dict[str, str | int | bool | None] = {}
    for key, value in details.items():
        if not _KEY.match(key) or key in PERSONAL_KEYS:
            log.warning("audit detail %r dropped (not allowed)", key[:40])
            continue
        if isinstance(value, float):
            value = round(value)
        elif isinstance(value, str):
            value = value[:MAX_TEXT]
        elif value is not None and not isinstance(value, (int, bool)):
            value = type(value).__name__
        clean[key] = value
    return clean


def head_message(seq: int, digest: str, at: str) -> bytes:
    """The bytes the terminal signs to anchor the head of its chain."""
    from offline_cache.audit_trail import canonical

    return canonical({"purpose": "egov-kiosk audit head", "seq": seq, "hash": digest, "at": at})


@dataclass(frozen=True)
class AuditVerdict:
    """The result of :meth:`AuditLog.verify`: ``ok`` is False on any sign of tampering."""

    ok: bool
    events: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)


class AuditLog:
    """The audit log of one terminal database. Construct freely (no I/O until the first use)."""

    def __init__(self, db_path: Path, signing_key: Callable[[], Ed25519PrivateKey] | None = None,
                 *, head_path: Path | None = None, clock: Callable[[], datetime] = _utcnow) -> None:
        """``signing_key()`` returns the terminal's key for head anchors (called on the writer
        thread, lazily); ``head_path`` defaults to ``audit-head.json`` beside the database."""
        self._db_path = Path(db_path)
        self._key_source = signing_key
        self._key: Ed25519PrivateKey | None = None
        self._head_path = head_path or self._db_path.with_name(HEAD_FILE)
        self._clock = clock
        self._lock = threading.Lock()
        self._writer: OwnerThread | None = None
        self._store: Store | None = None  # writer thread only
        self._head: tuple[int, str] = (0, GENESIS)
        self._closed = False

    @classmethod
    def for_terminal(cls, data_dir: Path, platform_keys_file: str = "") -> AuditLog:
        """The audit log in ``<data_dir>/kiosk.db``, anchored with the terminal's own key."""
        def key() -> Ed25519PrivateKey:
            from .enrollment import Enrollment

            return Enrollment(Path(data_dir), platform_keys_file).signing_key()

        return cls(Path(data_dir) / "kiosk.db", key)

    def _signing_key(self) -> Ed25519PrivateKey:
        if self._key is None:
            if self._key_source is None:
                raise RuntimeError("this audit log has no signing key")
            self._key = self._key_source()
        return self._key

    # ---- any thread ---------------------------------------------------------------------
    def record(self, kind: str, *, actor: str | None = None, **details: Any) -> None:
        """Queue one event (any thread, returns at once, never raises)."""
        try:
            if not _KIND.match(kind):
                raise ValueError(f"audit kind {kind!r} is not dotted lower case")
            at = self._clock()
            clean = clean_details(details)
            actor = None if actor is None else str(actor)[:MAX_TEXT]
            with self._lock:
                if self._closed:
                    log.warning("audit log closed: %s not recorded", kind)
                    return
                if self._writer is None:
                    self._writer = OwnerThread("audit-writer")
                self._writer.post(lambda: self._append(kind, actor, clean, at))
        except Exception:
            log_exception(log, "audit event %s not recorded", kind)

    def flush(self) -> None:
        """Wait until every event recorded so far is stored (not for the GUI thread)."""
        with self._lock:
            writer = self._writer
            if writer is None or self._closed:
                return
            done: Future[None] = writer.submit(lambda: None)
        done.result()

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the newest event this process stored (any thread); after a restart
        it is read on the writer's first event, else ``(0, GENESIS)``. For heartbeats."""
        return self._head

    def close(self) -> None:
        """Store what is queued, stop the writer thread and close its connection (idempotent)."""
        with self._lock:
            writer, self._writer = self._writer, None
            self._closed = True
        if writer is not None:
            writer.submit(self._close_store)
            writer.stop(wait=True, cancel_pending=False)

    # ---- writer thread --------------------------------------------------------------------
    def _append(self, kind: str, actor: str | None, details: dict[str, Any], at: datetime) -> None:
        from offline_cache import Store
        from offline_cache.audit_trail import AuditTrail

        try:
            if self._store is None:
                self._store = Store(self._db_path).open()
            event = AuditTrail(self._store).append(kind, actor, details, at)
        except Exception:
            log_exception(log, "audit event %s could not be stored", kind)
            self._close_store()  # reopen next time (disk back, lock released)
            return
        self._head = (event.seq, event.hash)
        try:
            self._write_head(event)
        except Exception:
            log_exception(log, "audit head anchor not written")

    def _write_head(self, event: AuditEvent) -> None:
        if self._key_source is None:
            return
        key = self._signing_key()
        signature = key.sign(head_message(event.seq, event.hash, event.at))
        body = json.dumps({"seq": event.seq, "hash": event.hash, "at": event.at,
                           "signature": base64.b64encode(signature).decode()})
        temporary = self._head_path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._head_path)

    def _close_store(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    # ---- reading (calling thread, own connection) -----------------------------------------
    def events(self, since: str | None = None) -> list[AuditEvent]:
        """Stored events in order (``since``: ISO time, inclusive). Opens its own connection."""
        from offline_cache import Store
        from offline_cache.audit_trail import AuditTrail

        if not self._db_path.exists():
            return []
        with Store(self._db_path) as store:
            return list(AuditTrail(store).events(since))

    def verify(self) -> AuditVerdict:
        """Check the chain (edited, removed, reordered events) and the signed head (events cut
        off the end). Calling thread; opens its own connection."""
        from offline_cache.audit_trail import check_chain

        events = self.events()
        problems: list[str] = []
        broken = check_chain(events)
        if broken is not None:
            problems.append(broken.problem)
        last_seq, last_hash = (events[-1].seq, events[-1].hash) if events else (0, GENESIS)
        problems += self._check_head(events)
        return AuditVerdict(not problems, len(events), last_seq, last_hash, problems)

    def _check_head(self, events: list[AuditEvent]) -> list[str]:
        from cryptography.exceptions import InvalidSignature

        if self._key_source is None:
            return []
        try:
            anchor = json.loads(self._head_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ["the signed audit head is missing"] if events else []
        except ValueError:
            return ["the signed audit head is unreadable"]
        try:
            seq, digest, at = int(anchor["seq"]), str(anchor["hash"]), str(anchor["at"])
            signature = base64.b64decode(anchor["signature"], validate=True)
            self._signing_key().public_key().verify(signature, head_message(seq, digest, at))
        except (KeyError, TypeError, ValueError, OverflowError, InvalidSignature):
            return ["the signed audit head does not verify with this terminal's key"]
        by_seq = {event.seq: event for event in events}
        if seq > (events[-1].seq if events else 0):
            return [f"events after {events[-1].seq if events else 0} were removed "
                    f"(the signed head is at event {seq})"]
        if seq and (seq not in by_seq or by_seq[seq].hash != digest):
            return [f"event {seq} differs from the signed head"]
        return []
