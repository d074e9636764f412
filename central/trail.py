"""The platform's own hash-linked trail: every operator action and every view of anything
personal, with the operator's name (``kiosk-central audit verify`` checks it).

Each entry's hash covers its sequence number, time, operator, action, subject and the previous
entry's hash, so an edited, removed or reordered entry breaks the chain from there on. Subjects
are ids (a terminal, a submission, a document kind), never personal data.

Thread rule: any thread, any worker process: appends are serial in the database (SQLite's write
transaction; on PostgreSQL a transaction-scoped advisory lock), so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from .db import Database
from .tables import platform_trail

GENESIS = "0" * 64


def entry_hash(seq: int, at: str, operator: str, action: str, subject: str, prev_hash: str) -> str:
    """The hash of one entry over its fields and its predecessor's hash."""
    canonical = json.dumps([seq, at, operator, action, subject, prev_hash], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class TrailCheck:
    """The result of :meth:`PlatformTrail.verify`: ``entries`` checked, and the first broken
    sequence number (``None``: intact)."""

    entries: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the whole chain verifies."""
        return self.broken_at is None


class PlatformTrail:
    """Appends to and verifies the ``platform_trail`` table of ``db``."""

    def __init__(self, db: Database) -> None:
        """Use the platform database ``db`` (its schema already created)."""
        self.db = db

    def record(self, operator: str, action: str, subject: str = "") -> int:
        """Append one entry; returns its sequence number."""
        t = platform_trail.c
        with self.db.transaction() as conn:
            if self.db.postgres:  # SQLite's write transactions are serial already
                conn.execute(select(func.pg_advisory_xact_lock(7002)))
            last = conn.execute(select(t.seq, t.hash).order_by(t.seq.desc()).limit(1)).first()
            seq = (last.seq + 1) if last else 1
            prev = last.hash if last else GENESIS
            at = datetime.now(UTC).isoformat(timespec="microseconds")
            conn.execute(platform_trail.insert().values(
                seq=seq, at=at, operator=operator, action=action, subject=subject,
                prev_hash=prev, hash=entry_hash(seq, at, operator, action, subject, prev)))
        return seq

    def entries(self, limit: int = 200) -> list[dict]:
        """The newest ``limit`` entries, newest first."""
        t = platform_trail.c
        with self.db.transaction(write=False) as conn:
            return [dict(row) for row in conn.execute(
                select(t.seq, t.at, t.operator, t.action, t.subject, t.hash)
                .order_by(t.seq.desc()).limit(limit)).mappings()]

    def verify(self) -> TrailCheck:
        """Walk the whole chain from the first entry."""
        with self.db.transaction(write=False) as conn:
            rows = conn.execute(select(platform_trail).order_by(platform_trail.c.seq)
                                ).mappings().all()
        prev, expected_seq = GENESIS, 1
        for row in rows:
            if row["seq"] != expected_seq:
                return TrailCheck(len(rows), expected_seq, "an entry is missing")
            if row["prev_hash"] != prev:
                return TrailCheck(len(rows), row["seq"], "the link to the previous entry is broken")
            if row["hash"] != entry_hash(row["seq"], row["at"], row["operator"], row["action"],
                                         row["subject"], row["prev_hash"]):
                return TrailCheck(len(rows), row["seq"], "the entry was changed")
            prev, expected_seq = row["hash"], expected_seq + 1
        return TrailCheck(len(rows))
