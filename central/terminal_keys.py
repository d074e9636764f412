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


def retire_current_key(tx, terminal_id: str, new_key_id: str, now: str) -> None:
    """Mark the terminal's keys other than ``new_key_id`` retired at ``now`` (inside the
    caller's transaction). A terminal enrolled before the key history existed gets its current
    key recorded first, so that it too is kept."""
    tx.run("INSERT INTO terminal_keys (key_id, terminal_id, public_key, registered_at) "
           "SELECT key_id, terminal_id, public_key, registered_at FROM terminals "
           "WHERE terminal_id = ? ON CONFLICT DO NOTHING", (terminal_id,))
    tx.run("UPDATE terminal_keys SET retired_at = ? WHERE terminal_id = ? AND key_id <> ? "
           "AND retired_at IS NULL", (now, terminal_id, new_key_id))


def record_key(tx, terminal_id: str, public_key: bytes, key_id: str, now: str) -> None:
    """Record ``key_id`` as a current key of the terminal (a key enrolled again is current
    again); a key recorded for another terminal is left alone."""
    tx.run("INSERT INTO terminal_keys (key_id, terminal_id, public_key, registered_at) "
           "VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET retired_at = NULL "
           "WHERE terminal_keys.terminal_id = excluded.terminal_id",
           (key_id, terminal_id, public_key, now))


def envelope_signer(store, terminal: dict, key_id: str, grace: timedelta,
                    now: datetime | None = None) -> bytes:
    """The public key that must have signed an envelope naming ``key_id`` from ``terminal``:
    its current key, or a retired one within ``grace``. Raises ``KeyNotKnown`` or
    ``KeyRetiredTooLong``."""
    if key_id == terminal["key_id"]:
        return bytes(terminal["public_key"])
    with store.db.transaction(write=False) as tx:
        row = tx.one("SELECT public_key, retired_at FROM terminal_keys WHERE key_id = ? "
                     "AND terminal_id = ?", (key_id, terminal["terminal_id"]))
    if row is None:
        raise KeyNotKnown(key_id)
    if row["retired_at"] is not None:
        retired = datetime.fromisoformat(row["retired_at"])
        if (now or datetime.now(UTC)) - retired > grace:
            raise KeyRetiredTooLong(key_id, row["retired_at"], grace)
    return bytes(row["public_key"])


def replace_terminal_key(store, terminal_id: str, signed_with: str, public_key: bytes,
                         key_id: str) -> tuple[bool, str | None]:
    """Make ``key_id`` the terminal's key, retiring ``signed_with`` (the key that signed the
    request). ``(True, retired_at)`` when changed now, ``(False, None)`` when ``key_id`` already
    is the terminal's key (a retry whose first answer was lost). Raises ``KeyChangeRefused``."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    with store.db.transaction() as tx:
        row = tx.one("SELECT key_id FROM terminals WHERE terminal_id = ?", (terminal_id,))
        if row is None:
            raise KeyChangeRefused("unknown terminal")
        if row["key_id"] == key_id:
            return False, None
        if row["key_id"] != signed_with:
            raise KeyChangeRefused("the terminal's key changed while this request travelled")
        for table in ("terminals", "terminal_keys"):
            other = tx.one(f"SELECT terminal_id FROM {table} WHERE key_id = ?", (key_id,))
            if other is not None and other["terminal_id"] != terminal_id:
                raise KeyChangeRefused("this key is registered to another terminal")
        retire_current_key(tx, terminal_id, key_id, now)
        record_key(tx, terminal_id, public_key, key_id, now)
        if tx.run("UPDATE terminals SET public_key = ?, key_id = ? WHERE terminal_id = ? "
                  "AND key_id = ?", (public_key, key_id, terminal_id, signed_with)) != 1:
            raise KeyChangeRefused("the terminal's key changed while this request travelled")
    return True, now


def terminal_key_history(store, terminal_id: str) -> list[dict]:
    """The terminal's keys, newest first: ``key_id``, ``registered_at``, ``retired_at``."""
    with store.db.transaction(write=False) as tx:
        return tx.all("SELECT key_id, registered_at, retired_at FROM terminal_keys "
                      "WHERE terminal_id = ? ORDER BY registered_at DESC", (terminal_id,))
