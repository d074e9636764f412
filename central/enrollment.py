"""Enrollment on the platform: a one-time token registers a terminal's key.

A token from ``kiosk-central issue-token`` enrolls a *new* terminal. A known terminal is re-keyed
only with a token bound to it (``issue-token --terminal-id ID``), so a stray token cannot take
over an enrolled terminal's identity; and only while it is active: a revocation is lifted by an
operator (``kiosk-central reinstate``), never by enrolling. A refused token is not consumed.

Thread rule: like ``CentralStore``, callable from any thread.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import TerminalKeyConflict, TokenRejected
from .terminal_keys import record_key, retire_current_key


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def enroll_terminal(db, hashed: str, terminal_id: str, public_key: bytes, key_id: str,
                    site: str | None) -> bool:
    """Consume the token hashed ``hashed`` and register (or re-key) the terminal in one
    transaction of ``db`` (``central.db.Database``). True for a new terminal. Raises
    ``TokenRejected`` (nothing consumed) or ``TerminalKeyConflict``."""
    now = _now()
    with db.transaction() as tx:
        bound = tx.one("SELECT terminal_id FROM enroll_tokens WHERE token_hash = ? AND "
                       "used_at IS NULL AND expires_at > ?", (hashed, now))
        if bound is None or bound["terminal_id"] not in (None, terminal_id):
            raise TokenRejected("enrollment token is unknown, used, expired or not for "
                                "this terminal")
        known = tx.one("SELECT status FROM terminals WHERE terminal_id = ?", (terminal_id,))
        if known is not None and bound["terminal_id"] is None:
            raise TokenRejected(f"terminal {terminal_id} is already enrolled: re-keying it "
                                "needs a token bound to it (issue-token --terminal-id)")
        if known is not None and known["status"] != "active":
            raise TokenRejected(f"terminal {terminal_id} is revoked: enrolling does not "
                                "reinstate it; call the platform operators")
        if tx.run("UPDATE enroll_tokens SET used_at = ?, used_by = ? WHERE token_hash = ? "
                  "AND used_at IS NULL", (now, terminal_id, hashed)) != 1:
            raise TokenRejected("enrollment token is unknown, used, expired or not for "
                                "this terminal")  # used meanwhile by another request
        other = tx.one("SELECT terminal_id FROM terminals WHERE key_id = ?", (key_id,))
        if other is not None and other["terminal_id"] != terminal_id:
            raise TerminalKeyConflict(terminal_id)
        created = tx.run(
            "INSERT INTO terminals (terminal_id, public_key, key_id, site, status, "
            "registered_at) VALUES (?, ?, ?, ?, 'active', ?) ON CONFLICT DO NOTHING",
            (terminal_id, public_key, key_id, site, now)) == 1
        record_key(tx, terminal_id, public_key, key_id, now)
        if not created:  # a bound token authorises a new key; the old one retires
            retire_current_key(tx, terminal_id, key_id, now)
            tx.run("UPDATE terminals SET public_key = ?, key_id = ?, site = ? "
                   "WHERE terminal_id = ? AND status = 'active'",
                   (public_key, key_id, site, terminal_id))
    return created

