"""The platform's latest status of each case this terminal took, for staff (``kioskctl queue``).

The sync worker pulls the status changes of this terminal's cases (``GET /v1/case-updates``) and
keeps here, per receipt number, the newest one: status, time, the platform's next step and
whether corrections are asked for. The case worker's note is never kept: it may name the
citizen. The cursor of the changes read so far lives in ``sync_state`` and moves in the same
transaction as the statuses it covers, so a crash repeats a page and never skips one.

Thread rule: like every user of a ``Store``, on the thread that owns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .state import SyncState
from .store import Store

#: ``sync_state`` key of the platform cursor after the last change read.
CURSOR_KEY = "case_updates_cursor"


@dataclass(frozen=True)
class ReceiptStatus:
    """Where one case stands on the platform (nothing personal)."""

    receipt_number: str
    status: str
    at: datetime
    next_step: str
    correction_requested: bool


class CaseStatuses:
    """The ``case_statuses`` table of one ``Store`` and its cursor."""

    def __init__(self, store: Store) -> None:
        """Wrap an open store; no I/O."""
        self.store = store

    def cursor(self) -> int:
        """The platform cursor after the last change kept (0 before the first)."""
        value = SyncState(self.store).get(CURSOR_KEY)
        return int(value) if value is not None else 0

    def record(self, changes: Sequence[tuple[int, ReceiptStatus]], next_cursor: int) -> None:
        """Keep each ``(cursor, status)`` change unless a newer one of its receipt is held, and
        move the cursor to ``next_cursor`` (never back), all in one transaction."""
        with self.store.transaction() as db:
            db.conn.executemany(
                "INSERT INTO case_statuses (receipt_number, status, at, next_step, "
                "correction_requested, cursor) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (receipt_number) DO UPDATE SET status = excluded.status, "
                "at = excluded.at, next_step = excluded.next_step, "
                "correction_requested = excluded.correction_requested, cursor = excluded.cursor "
                "WHERE excluded.cursor > case_statuses.cursor",
                [(s.receipt_number, s.status, s.at.isoformat(), s.next_step,
                  int(s.correction_requested), cursor) for cursor, s in changes])
            db.conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                "SET value = CAST(max(CAST(sync_state.value AS INTEGER), "
                "CAST(excluded.value AS INTEGER)) AS TEXT)", (CURSOR_KEY, str(next_cursor)))

    def latest(self, receipt_number: str) -> ReceiptStatus | None:
        """The newest status kept for ``receipt_number``, or None."""
        rows = self._select("WHERE receipt_number = ?", (receipt_number,))
        return rows[0] if rows else None

    def recent(self, limit: int = 20) -> list[ReceiptStatus]:
        """The ``limit`` statuses that changed last, newest first."""
        return self._select("ORDER BY at DESC, cursor DESC LIMIT ?", (limit,))

    def _select(self, tail: str, args: tuple[object, ...]) -> list[ReceiptStatus]:
        return [ReceiptStatus(receipt, status, datetime.fromisoformat(at), next_step, bool(flag))
                for receipt, status, at, next_step, flag in self.store.db.conn.execute(
                    "SELECT receipt_number, status, at, next_step, correction_requested "
                    f"FROM case_statuses {tail}", args)]
