"""The terminals' signing keys on the platform, current and retired (``terminal_keys`` table).

A terminal's key changes by ``kioskctl rekey``: a request signed by the old key registers the
new one (``POST /v1/terminal-key``), or, when the old key is lost, an enrollment token bound to
the terminal does (``kioskctl rekey --token``). Either way the previous key stays on record with
its ``retired_at`` time: envelopes the terminal signed and queued before the change still verify
for the grace period (``central.keyring``; 30 days by default), and are refused with a
reason naming the key and its retirement date after it. Requests must always be signed with the
current key. A key never moves to another terminal.

Thread rule: like ``CentralStore``, every function may be called from any thread.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select, update

from .db import insert
from .tables import terminal_keys, terminals


class KeyNotKnown(Exception):
    """The envelope names a key this terminal never registered."""


class KeyRetiredTooLong(Exception):
    """The envelope is signed with a key of this terminal retired longer than the grace period."""

    def __init__(self, key_id: str, retired_at: str, grace: timedelta) -> None:
        """``retired_at``: ISO 8601 UTC; ``grace``: the platform's grace period."""
        super().__init__(
            f"envelope is signed with terminal key {key_id}, retired on {retired_at[:10]}, past "
            f"the {grace.total_seconds() / 86400:g}-day grace period for retired keys: the "
            "terminal was re-keyed too long ago; call the platform operators")
        self.key_id = key_id
        self.retired_at = retired_at


class KeyChangeRefused(Exception):
    """A re-key cannot be recorded: the key belongs to another terminal, or the terminal's key
    changed meanwhile."""


def retire_current_key(conn: Connection, terminal_id: str, new_key_id: str, now: str) -> None:
    """Mark the terminal's keys other than ``new_key_id`` retired at ``now`` (inside the
    caller's transaction). A terminal enrolled before the key history existed gets its current
    key recorded first, so that it too is kept."""
    t, k = terminals.c, terminal_keys.c
    columns = ["key_id", "terminal_id", "public_key", "registered_at"]
    conn.execute(insert(conn, terminal_keys).from_select(
        columns, select(*(t[name] for name in columns)).where(t.terminal_id == terminal_id))
        .on_conflict_do_nothing())
    conn.execute(update(terminal_keys).where(k.terminal_id == terminal_id, k.key_id != new_key_id,
                                             k.retired_at.is_(None)).values(retired_at=now))


def record_key(conn: Connection, terminal_id: str, public_key: bytes, key_id: str, now: str) -> None:
    """Record ``key_id`` as a current key of the terminal (a key enrolled again is current
    again); a key recorded for another terminal is left alone."""
    statement = insert(conn, terminal_keys).values(
        key_id=key_id, terminal_id=terminal_id, public_key=public_key, registered_at=now)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[terminal_keys.c.key_id], set_={"retired_at": None},
        where=terminal_keys.c.terminal_id == statement.excluded.terminal_id))


def envelope_signer(store, terminal: dict, key_id: str, grace: timedelta,
                    now: datetime | None = None) -> bytes:
    """The public key that must have signed an envelope naming ``key_id`` from ``terminal``:
    its current key, or a retired one within ``grace``. Raises ``KeyNotKnown`` or
    ``KeyRetiredTooLong``."""
    if key_id == terminal["key_id"]:
        return bytes(terminal["public_key"])
    k = terminal_keys.c
    with store.db.transaction(write=False) as conn:
        row = conn.execute(select(k.public_key, k.retired_at).where(
            k.key_id == key_id, k.terminal_id == terminal["terminal_id"])).first()
    if row is None:
        raise KeyNotKnown(key_id)
    if row.retired_at is not None:
        retired = datetime.fromisoformat(row.retired_at)
        if (now or datetime.now(UTC)) - retired > grace:
            raise KeyRetiredTooLong(key_id, row.retired_at, grace)
    return bytes(row.public_key)


def replace_terminal_key(store, terminal_id: str, signed_with: str, public_key: bytes,
                         key_id: str) -> tuple[bool, str | None]:
    """Make ``key_id`` the terminal's key, retiring ``signed_with`` (the key that signed the
    request). ``(True, retired_at)`` when changed now, ``(False, None)`` when ``key_id`` already
    is the terminal's key (a retry whose first answer was lost). Raises ``KeyChangeRefused``."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    store.forget_terminal(terminal_id)
    t = terminals.c
    with store.db.transaction() as conn:
        current = conn.scalar(select(t.key_id).where(t.terminal_id == terminal_id))
        if current is None:
            raise KeyChangeRefused("unknown terminal")
        if current == key_id:
            return False, None
        if current != signed_with:
            raise KeyChangeRefused("the terminal's key changed while this request travelled")
        for table in (terminals, terminal_keys):
            other = conn.scalar(select(table.c.terminal_id).where(table.c.key_id == key_id))
            if other is not None and other != terminal_id:
                raise KeyChangeRefused("this key is registered to another terminal")
        retire_current_key(conn, terminal_id, key_id, now)
        record_key(conn, terminal_id, public_key, key_id, now)
        if conn.execute(update(terminals).where(t.terminal_id == terminal_id,
                                                t.key_id == signed_with)
                        .values(public_key=public_key, key_id=key_id)).rowcount != 1:
            raise KeyChangeRefused("the terminal's key changed while this request travelled")
    store.forget_terminal(terminal_id)
    return True, now


def terminal_key_history(store, terminal_id: str) -> list[dict]:
    """The terminal's keys, newest first: ``key_id``, ``registered_at``, ``retired_at``."""
    k = terminal_keys.c
    with store.db.transaction(write=False) as conn:
        return [dict(row) for row in conn.execute(
            select(k.key_id, k.registered_at, k.retired_at).where(k.terminal_id == terminal_id)
            .order_by(k.registered_at.desc())).mappings()]
