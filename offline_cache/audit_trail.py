"""The terminal's audit trail: hash-linked events in the terminal database.

Each event carries ``hash = sha256(canonical JSON of seq, at, kind, actor, details, prev)``, where
``prev`` is the previous event's hash (64 zeros for the first), so editing, removing or reordering
any stored event breaks the chain from that point on. Cutting events off the end keeps the chain
intact, which is why the head is also anchored outside this table (``kiosk.audit`` signs it and the
heartbeat carries it to the platform).

Thread rule: an ``AuditTrail`` runs on the thread that owns its ``Store``. Events hold no personal
data; the caller (``kiosk.audit``) enforces that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .store import Store

#: The ``prev`` of the first event.
GENESIS = "0" * 64

Scalar = str | int | bool | None


def canonical(value: object) -> bytes:
    """The canonical JSON bytes hashed for an event: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(seq: int, at: str, kind: str, actor: str | None, details: dict[str, Scalar],
               prev: str) -> str:
    """The SHA-256 hex that links an event to its predecessor."""
    return hashlib.sha256(canonical({"seq": seq, "at": at, "kind": kind, "actor": actor,
                                     "details": details, "prev": prev})).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    """One stored event, as read back (``details`` parsed)."""

    seq: int
    at: str
    kind: str
    actor: str | None
    details: dict[str, Scalar]
    prev: str
    hash: str

    def expected_hash(self) -> str:
        """What ``hash`` must be for the stored fields."""
        return event_hash(self.seq, self.at, self.kind, self.actor, self.details, self.prev)


@dataclass(frozen=True)
class ChainBreak:
    """Where and how a chain stops being trustworthy."""

    seq: int
    problem: str


def check_chain(events: Iterable[AuditEvent]) -> ChainBreak | None:
    """The first break in ``events`` (read in ``seq`` order from 1), or ``None`` when every event
    hashes correctly, numbers run 1, 2, 3... and each links to the one before."""
    prev, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"event {expected_seq} is missing (next is {event.seq})")
        if event.prev != prev:
            return ChainBreak(event.seq, f"event {event.seq} does not follow event {event.seq - 1}")
        if event.hash != event.expected_hash():
            return ChainBreak(event.seq, f"event {event.seq} was altered (hash mismatch)")
        prev, expected_seq = event.hash, expected_seq + 1
    return None


def _row(row: tuple[Any, ...]) -> AuditEvent:
    seq, at, kind, actor, details, prev, digest = row
    try:
        parsed = json.loads(details)
    except ValueError:
        parsed = {"unreadable": details}
    if not isinstance(parsed, dict):
        parsed = {"unreadable": details}
    return AuditEvent(int(seq), at, kind, actor, parsed, prev, digest)


class AuditTrail:
    """Appends to and reads the ``audit_events`` table of one open ``Store``."""

    def __init__(self, store: Store) -> None:
        """Wrap an open (or soon opened) store; no I/O."""
        self.store = store

    def append(self, kind: str, actor: str | None, details: dict[str, Scalar],
               at: datetime) -> AuditEvent:
        """Number, link and store one event in its own write transaction; returns it."""
        stamp = at.isoformat(timespec="microseconds")
        with self.store.transaction() as db:
            head = db.conn.execute(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (1, GENESIS) if head is None else (int(head[0]) + 1, head[1])
            digest = event_hash(seq, stamp, kind, actor, details, prev)
            db.conn.execute(
                "INSERT INTO audit_events (seq, at, kind, actor, details, prev, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, stamp, kind, actor, canonical(details).decode(), prev, digest))
        return AuditEvent(seq, stamp, kind, actor, details, prev, digest)

    def events(self, since: str | None = None) -> Iterator[AuditEvent]:
        """Every event in ``seq`` order; with ``since`` (ISO time) only those at or after it."""
        sql = "SELECT seq, at, kind, actor, details, prev, hash FROM audit_events"
        params: tuple[str, ...] = ()
        if since is not None:
            sql, params = sql + " WHERE at >= ?", (since,)
        for row in self.store.db.conn.execute(sql + " ORDER BY seq", params):
            yield _row(row)

    def hash_at(self, seq: int) -> str | None:
        """The hash of event ``seq`` as stored now (``GENESIS`` for 0), or None if absent."""
        if seq == 0:
            return GENESIS
        row = self.store.db.conn.execute(
            "SELECT hash FROM audit_events WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else row[0]

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the newest event, ``(0, GENESIS)`` when there is none."""
        row = self.store.db.conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, GENESIS) if row is None else (int(row[0]), row[1])
