"""Receipts owed, in the maintenance mode: stored submissions whose receipt never printed.

When the terminal dies between storing a submission and printing its receipt, the citizen leaves
with nothing. The next start reports such receipts (``kiosk.receipts.report_unprinted``); here
staff see them on the queue page -- receipt number, service and time, nothing personal -- and
reprint each one under the reprint rules of ``kioskctl reprint``: the remembered copy without the
applicant's name, marked 补打 (reprint).

A mixin of :class:`kiosk.maintenance.MaintenanceService`, kept apart for size: every method runs
on the service's ``maintenance`` thread except the printing, which runs on the receipt printer's
owner thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any


class ReceiptReprints:
    """Owed receipts of the maintenance service (mixin; uses its view, post, audit and devices)."""

    _core: Any
    _view: dict[str, Any]
    _staff_action: Callable[[Callable[[], Any]], Future[None]]

    def reprint_receipt(self, receipt_number: str) -> Future[None]:
        """Print an owed (or any remembered) receipt again, as a reprint without the name."""
        return self._staff_action(lambda: self._reprint(receipt_number))

    def _unprinted(self) -> list[dict[str, str]]:
        from .receipts import unprinted_receipts

        return unprinted_receipts(Path(self._core.data_dir))

    def _remembered(self) -> Any:
        from .receipts import RecentReceipts

        return RecentReceipts(Path(self._core.data_dir) / "receipts" / "recent.json")

    def _reprint(self, receipt_number: str) -> None:
        receipt = self._remembered().receipt(receipt_number)
        if receipt is None:
            self._result("reprint", False, "reprint_failed", "unknown receipt")  # type: ignore[attr-defined]
            return
        device = self._devices()["receipt_printer"]  # type: ignore[attr-defined]

        def printed(future: Future[Any]) -> None:
            try:
                future.result()
            except Exception as exc:
                self._result("reprint", False, "reprint_failed", type(exc).__name__)  # type: ignore[attr-defined]
            else:
                self._remembered().mark_printed(receipt_number)
                self._result("reprint", True, "reprint_ok", receipt_number)  # type: ignore[attr-defined]
            self._audit("receipt_reprinted", receipt_number=receipt_number,  # type: ignore[attr-defined]
                        ok=self._view["results"]["reprint"]["ok"])
            self._view["queue"] = {**self._view.get("queue", {}), "unprinted": self._unprinted()}
            self._after_device("receipt_printer")  # type: ignore[attr-defined]

        self._later("reprint", device.submit(lambda driver: driver.print_receipt(receipt)),  # type: ignore[attr-defined]
                    printed)
