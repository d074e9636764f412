"""Request nonces: each signed request's nonce is recorded once per terminal, so a replayed
request is told apart (``nonces`` table). Functions run inside the caller's transaction.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, exists, literal, select

from .db import insert
from .errors import TerminalChanged
from .tables import nonces, terminals


def record_nonce(conn: Connection, terminal_id: str, nonce: str, window_s: float,
                 key_id: str | None = None) -> bool:
    """Record a nonce; False for a replay. With ``key_id``, only while the terminal is active
    with that key (``TerminalChanged`` otherwise), checked in the same statement."""
    now = datetime.now(UTC)
    if key_id is None:
        statement = insert(conn, nonces).values(terminal_id=terminal_id, nonce=nonce,
                                                seen_at=now.isoformat())
    else:
        statement = insert(conn, nonces).from_select(
            ["terminal_id", "nonce", "seen_at"],
            select(literal(terminal_id), literal(nonce), literal(now.isoformat()))
            .where(exists().where(terminals.c.terminal_id == terminal_id,
                                  terminals.c.status == "active", terminals.c.key_id == key_id)))
    fresh = conn.execute(statement.on_conflict_do_nothing()).rowcount == 1
    if not fresh and key_id is not None:
        _check_unchanged(conn, terminal_id, key_id)
    if random.random() < 0.01:  # a request outside the window is refused anyway
        conn.execute(delete(nonces).where(
            nonces.c.seen_at < (now - timedelta(seconds=3 * window_s)).isoformat()))
    return fresh


def _check_unchanged(conn: Connection, terminal_id: str, key_id: str) -> None:
    refuse_changed(conn.execute(select(terminals.c.status, terminals.c.key_id)
                                .where(terminals.c.terminal_id == terminal_id)).first(), key_id)


def refuse_changed(row: tuple[str, str] | None, key_id: str) -> None:
    """Raise ``TerminalChanged`` unless ``row`` (the terminal's ``(status, key_id)``, or None)
    is active with ``key_id``."""
    if row is None:
        raise TerminalChanged(401, "unknown terminal: enroll it with a token")
    if row[0] != "active":
        raise TerminalChanged(403, "terminal is revoked: call the platform operators")
    if row[1] != key_id:
        raise TerminalChanged(401, "the terminal's key was replaced: sign with the new key")
