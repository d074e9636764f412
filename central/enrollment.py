"""Enrollment on the platform: a one-time token registers a terminal's key.

A token from ``kiosk-central issue-token`` enrolls a *new* terminal. A known terminal is re-keyed
only with a token bound to it (``issue-token --terminal-id ID``), so a stray token cannot take
over an enrolled terminal's identity; and only while it is active: a revocation is lifted by an
operator (``kiosk-central reinstate``), never by enrolling. A refused token is not consumed.

Thread rule: like ``CentralStore``, callable from any thread.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from .db import insert
from .errors import TerminalKeyConflict, TokenRejected
from .tables import enroll_tokens, terminals
from .terminal_keys import record_key, retire_current_key


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def enroll_terminal(db, hashed: str, terminal_id: str, public_key: bytes, key_id: str,
                    site: str | None) -> bool:
    """Consume the token hashed ``hashed`` and register (or re-key) the terminal in one
    transaction of ``db`` (``central.db.Database``). True for a new terminal. Raises
    ``TokenRejected`` (nothing consumed) or ``TerminalKeyConflict``."""
    now = _now()
    t, k = terminals.c, enroll_tokens.c
    with db.transaction() as conn:
        bound = conn.execute(select(k.terminal_id).where(
            k.token_hash == hashed, k.used_at.is_(None), k.expires_at > now)).first()
        if bound is None or bound.terminal_id not in (None, terminal_id):
            raise TokenRejected("enrollment token is unknown, used, expired or not for "
                                "this terminal")
        status = conn.scalar(select(t.status).where(t.terminal_id == terminal_id))
        if status is not None and bound.terminal_id is None:
            raise TokenRejected(f"terminal {terminal_id} is already enrolled: re-keying it "
                                "needs a token bound to it (issue-token --terminal-id)")
        if status is not None and status != "active":
            raise TokenRejected(f"terminal {terminal_id} is revoked: enrolling does not "
                                "reinstate it; call the platform operators")
        if conn.execute(update(enroll_tokens).where(k.token_hash == hashed, k.used_at.is_(None))
                        .values(used_at=now, used_by=terminal_id)).rowcount != 1:
            raise TokenRejected("enrollment token is unknown, used, expired or not for "
                                "this terminal")  # used meanwhile by another request
        other = conn.scalar(select(t.terminal_id).where(t.key_id == key_id))
        if other is not None and other != terminal_id:
            raise TerminalKeyConflict(terminal_id)
        created = conn.execute(insert(conn, terminals).values(
            terminal_id=terminal_id, public_key=public_key, key_id=key_id, site=site,
            status="active", registered_at=now).on_conflict_do_nothing()).rowcount == 1
        record_key(conn, terminal_id, public_key, key_id, now)
        if not created:  # a bound token authorises a new key; the old one retires
            retire_current_key(conn, terminal_id, key_id, now)
            conn.execute(update(terminals).where(t.terminal_id == terminal_id,
                                                 t.status == "active")
                         .values(public_key=public_key, key_id=key_id, site=site))
    return created
