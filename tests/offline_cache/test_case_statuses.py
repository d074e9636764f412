"""The platform statuses of this terminal's cases (``offline_cache/case_statuses.py``): the
migration that adds their table to a store already in service, newest-wins keeping, the cursor."""

from __future__ import annotations

from datetime import timedelta

from offline_cache import TERMINAL_MIGRATIONS, CaseStatuses, Outbox, ReceiptStatus, Store
from offline_cache.migrations import schema_version

from .conftest import NOW, _make_submission


def status(receipt: str, name: str, minutes: int = 0) -> ReceiptStatus:
    return ReceiptStatus(receipt, name, NOW + timedelta(minutes=minutes), "next step",
                         name == "corrections_requested")


def test_a_store_in_service_gains_the_table_and_keeps_its_queue(db_path):
    with Store(db_path, migrations=TERMINAL_MIGRATIONS[:3]) as old:
        Outbox(old).add(_make_submission(1))
        assert schema_version(old.db.conn) == 3
    with Store(db_path) as store:
        assert schema_version(store.db.conn) == len(TERMINAL_MIGRATIONS)
        assert Outbox(store).counts()["sealed"] + Outbox(store).counts()["queued"] == 1
        table = CaseStatuses(store)
        assert table.cursor() == 0 and table.recent() == []
        table.record([(1, status("R-1", "received"))], 1)
        assert table.latest("R-1") == status("R-1", "received")


def test_the_newest_change_of_a_receipt_wins_and_the_cursor_never_goes_back(store):
    table = CaseStatuses(store)
    table.record([(4, status("R-1", "accepted", 1)), (6, status("R-1", "completed", 2)),
                  (5, status("R-2", "corrections_requested", 3))], 6)
    table.record([(4, status("R-1", "accepted", 1))], 3)  # a page read again after a crash
    assert table.cursor() == 6
    assert table.latest("R-1").status == "completed"
    assert [s.receipt_number for s in table.recent()] == ["R-2", "R-1"]
    assert table.latest("R-2").correction_requested and table.latest("R-9") is None
    assert table.latest("R-2").at == NOW + timedelta(minutes=3)
