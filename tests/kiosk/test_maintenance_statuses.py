"""The platform statuses on the maintenance queue page (``kiosk/maintenance_receipts.py``): what
the view model carries for each recent receipt, in both languages, and nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.maintenance_receipts import platform_statuses
from offline_cache import CaseStatuses, ReceiptStatus, Store

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def test_each_receipt_shows_its_latest_status_by_name_newest_first() -> None:
    with Store.memory() as store:
        CaseStatuses(store).record([
            (1, ReceiptStatus("GZ01-T01-20260301-000001", "accepted", AT, "wait", False)),
            (2, ReceiptStatus("GZ01-T01-20260301-000002", "corrections_requested",
                              AT + timedelta(hours=1), "correct", True)),
            (3, ReceiptStatus("GZ01-T01-20260301-000001", "completed", AT + timedelta(hours=2), "pick up", False)),
        ], 3)
        shown = platform_statuses(store)
    assert [(s["receipt_number"], s["status"]) for s in shown] == [
        ("GZ01-T01-20260301-000001", "completed"), ("GZ01-T01-20260301-000002", "corrections_requested")]
    assert shown[0]["names"] == {"zh-CN": "已办结", "en": "Completed"}
    assert shown[1]["names"]["zh-CN"] == "待补正" and shown[1]["correction_requested"]
    assert shown[0]["at"] == f"{(AT + timedelta(hours=2)).astimezone():%Y-%m-%d %H:%M}"


def test_no_statuses_before_the_first_pull_and_the_list_is_bounded() -> None:
    with Store.memory() as store:
        assert platform_statuses(store) == []
        CaseStatuses(store).record([(n, ReceiptStatus(f"R-{n}", "received", AT + timedelta(minutes=n), "", False))
                                    for n in range(1, 30)], 29)
        shown = platform_statuses(store, limit=5)
    assert [s["receipt_number"] for s in shown] == ["R-29", "R-28", "R-27", "R-26", "R-25"]
