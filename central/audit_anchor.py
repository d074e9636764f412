"""Each terminal's audit anchor on the platform: the last (sequence, head hash) it reported.

A terminal's heartbeats carry the head of its hash-linked audit chain (``kiosk/audit.py``:
``{"seq", "hash"}``). The platform keeps the newest head it accepted in ``audit_anchors`` and
requires every head reported after it to extend it:

- a lower sequence is a **truncation** (events removed at the end);
- the same sequence with another hash is a **rewrite** (the last events replaced).

A head at sequence 0 says nothing (a terminal reports it after a restart until its first event)
and is ignored.

A problem is kept on the anchor with its time and shown on the fleet page however long ago it
happened (not only while recent heartbeats show it); the anchor itself stays at the last good
head, so the evidence is not overwritten by what the terminal reports next. Heartbeats are
evaluated once, in the order sent, when first stored (a resent heartbeat is not evaluated again).

Thread rule: functions run inside the caller's transaction (any thread).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from .db import insert
from .tables import audit_anchors


def _head(heartbeat: dict) -> tuple[int, str] | None:
    audit = heartbeat.get("audit")
    if not isinstance(audit, dict):
        return None
    seq, digest = audit.get("seq"), audit.get("hash")
    if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(digest, str):
        return None
    if seq < 0 or seq > 2**62 or len(digest) > 128:
        return None
    return seq, digest


def check_head(conn: Connection, terminal_id: str, heartbeat: dict, now: str) -> str | None:
    """Compare the heartbeat's audit head with the terminal's anchor and move the anchor
    forward; returns the problem found (also recorded), or None."""
    a = audit_anchors.c
    anchor = conn.execute(select(a.seq, a.hash).where(a.terminal_id == terminal_id)
                          ).mappings().first()
    head = _head(heartbeat)
    if anchor is None:
        if head is not None and head[0] > 0:
            conn.execute(insert(conn, audit_anchors).values(
                terminal_id=terminal_id, seq=head[0], hash=head[1], anchored_at=now,
            ).on_conflict_do_nothing())
        return None
    if head is None or head[0] == 0:
        return None
    if head[0] < anchor["seq"]:
        problem = (f"truncation: head at event {head[0]}, the platform anchored event "
                   f"{anchor['seq']} (events removed)")
    elif head[0] == anchor["seq"] and head[1] != anchor["hash"]:
        problem = f"rewrite: event {head[0]} has another hash than the one anchored"
    else:
        conn.execute(update(audit_anchors).where(a.terminal_id == terminal_id)
                     .values(seq=head[0], hash=head[1], anchored_at=now))
        return None
    conn.execute(update(audit_anchors).where(a.terminal_id == terminal_id, a.problem.is_(None))
                 .values(problem=problem[:300], problem_at=now))
    return problem


def anchors(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every terminal's anchor: ``{terminal_id: {seq, hash, anchored_at, problem, problem_at}}``."""
    return {row["terminal_id"]: dict(row)
            for row in conn.execute(select(audit_anchors)).mappings()}
