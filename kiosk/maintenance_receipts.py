"""Receipts owed, in the maintenance mode: stored submissions whose receipt never printed.

When the terminal dies between storing a submission and printing its receipt, the citizen leaves
with nothing. The next start reports such receipts (``kiosk.receipts.report_unprinted``); here
staff see them on the queue page -- receipt number, service and time, nothing personal -- and
reprint each one under the reprint rules of ``kioskctl reprint``: the remembered copy without the
applicant's name, marked 补打 (reprint).

The same page shows where the recent receipts' cases stand on the platform
(:func:`platform_statuses`): the statuses the sync worker pulls (``sync.worker_case_updates``,
kept in ``offline_cache.case_statuses``) with their names in both languages, so the screen says
them in the session's -- receipt number, status and time only.

Part of the maintenance service's operations (:mod:`kiosk.maintenance_operations`): every method
runs on the service's ``maintenance`` thread except the printing, which runs on the receipt
printer's owner thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from offline_cache import CaseStatuses, Store

from .maintenance_desk import MaintenanceDesk

#: The receipts whose platform status the queue page lists, newest change first.
STATUSES_SHOWN = 20


def platform_statuses(store: Store, limit: int = STATUSES_SHOWN) -> list[dict[str, Any]]:
    """The latest platform status of the ``limit`` receipts that changed last: receipt number,
    status code, its names by language (``kiosk.case_progress``), when (terminal's local time),
    whether corrections are asked for. Runs on the thread that owns ``store``."""
    from .case_progress import STATUS_NAMES

    return [{"receipt_number": s.receipt_number, "status": s.status,
             "names": STATUS_NAMES.get(s.status, {"zh-CN": s.status, "en": s.status}),
             "at": f"{s.at.astimezone():%Y-%m-%d %H:%M}",
             "correction_requested": s.correction_requested}
            for s in CaseStatuses(store).recent(limit)]


class ReceiptReprints:
    """Lists owed receipts and prints one again on staff request."""

    def __init__(self, desk: MaintenanceDesk, after_device: Callable[[str], None]) -> None:
        """``after_device(role)`` re-reads the printer's state after a reprint."""
        self._desk = desk
        self._after_device = after_device

    def unprinted(self) -> list[dict[str, str]]:
        """Receipts stored but never printed: number, service, time (nothing personal)."""
        from .receipts import unprinted_receipts

        return unprinted_receipts(Path(self._desk.core.data_dir))

    def _remembered(self) -> Any:
        from .receipts import RecentReceipts

        return RecentReceipts(Path(self._desk.core.data_dir) / "receipts" / "recent.json")

    def reprint(self, receipt_number: str) -> None:
        """Print an owed (or any remembered) receipt again, as a reprint without the name."""
        desk = self._desk
        receipt = self._remembered().receipt(receipt_number)
        if receipt is None:
            desk.result("reprint", False, "reprint_failed", "unknown receipt")
            return
        device = desk.devices()["receipt_printer"]

        def printed(future: Future[Any]) -> None:
            try:
                future.result()
            except Exception as exc:
                desk.result("reprint", False, "reprint_failed", type(exc).__name__)
            else:
                self._remembered().mark_printed(receipt_number)
                desk.result("reprint", True, "reprint_ok", receipt_number)
            desk.audit("receipt_reprinted", receipt_number=receipt_number,
                       ok=desk.view["results"]["reprint"]["ok"])
            desk.view["queue"] = {**desk.view.get("queue", {}), "unprinted": self.unprinted()}
            self._after_device("receipt_printer")

        desk.later("reprint", device.submit(lambda driver: driver.print_receipt(receipt)), printed)
