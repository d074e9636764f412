"""Receipts owed, in the maintenance mode: stored submissions whose receipt never printed.

When the terminal dies between storing a submission and printing its receipt, the citizen leaves
with nothing. The next start reports such receipts (``kiosk.receipts.report_unprinted``); here
staff see them on the queue page -- receipt number, service and time, nothing personal -- and
reprint each one under the reprint rules of ``kioskctl reprint``: the remembered copy without the
applicant's name, marked 补打 (reprint).

Part of the maintenance service's operations (:mod:`kiosk.maintenance_operations`): every method
runs on the service's ``maintenance`` thread except the printing, which runs on the receipt
printer's owner thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from .maintenance_desk import MaintenanceDesk


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
