"""Receipt numbers assigned offline, and the printed receipt (受理回执).

A receipt number is ``<site>-<terminal>-<yyyymmdd>-<sequence>``: unique across the fleet without
asking the central platform (site and terminal are unique, the sequence is per terminal and day and
allocated atomically in the local store), so a township terminal that is offline for weeks still
hands out numbers that the platform will echo back unchanged.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from drivers.printer import PrintResult, Receipt, ReceiptPrinter

if TYPE_CHECKING:
    from .config import KioskConfig

RECEIPT_NUMBER = re.compile(r"(?P<site>\d{6})-(?P<terminal>[A-Za-z0-9]{1,8})-(?P<day>\d{8})-(?P<seq>\d{4,})")


def sequence_scope(site_code: str, terminal_id: str, day: dt.date) -> str:
    """The scope a sequence number is allocated in: one counter per terminal and day."""
    return f"{site_code}-{terminal_id}-{day:%Y%m%d}"


def format_receipt_number(site_code: str, terminal_id: str, day: dt.date, sequence: int) -> str:
    """``110105-T01-20261126-0001``; the sequence widens past 9999 rather than wrapping."""
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{sequence_scope(site_code, terminal_id, day)}-{sequence:04d}"


def mask_name(name: str) -> str:
    """A name as printed on a receipt others may see: first character kept (张** / J*** S***)."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in parts)
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


#: The receipt's words. A Chinese session gets a Chinese receipt; an English one gets English
#: with the Chinese heading and labels beside it (staff at the counter read the Chinese).
_WORDS = {
    "zh-CN": {"title": "受理回执", "service": "办理事项", "applicant": "申请人", "time": "受理时间",
              "place": "受理地点", "limit": "办理时限", "terminal": "{hall} {terminal}号自助终端",
              "accepted": "您的申请已受理，材料将转交审批部门办理。",
              "lookup": "扫描下方二维码或凭回执编号查询办理进度。", "hotline": "政务服务热线 {hotline}"},
    "en": {"title": "受理回执 Acceptance receipt", "service": "办理事项 Service", "applicant": "申请人 Applicant",
           "time": "受理时间 Accepted", "place": "受理地点 Place", "limit": "办理时限 Processing time",
           "terminal": "{hall}, self-service terminal {terminal}",
           "accepted": "Your application has been accepted and passed on to the department that decides it.",
           "lookup": "Scan the QR code below, or use the receipt number, to follow its progress.",
           "hotline": "政务服务热线 Service hotline {hotline}"},
}


def build_receipt(
    *,
    service_title: str,
    receipt_number: str,
    accepted_at: dt.datetime,
    hall_name: str,
    terminal_id: str,
    applicant_name: str,
    processing_time: str,
    collect: str,
    lookup_url: str,
    hotline: str,
    language: str = "zh-CN",
    progress_token: str = "",
) -> Receipt:
    """The receipt a citizen takes home, in the session's ``language`` ("zh-CN" or "en"; the
    service texts are passed in that language); the applicant's name appears masked only.

    Its QR code is ``lookup_url`` with ``{receipt_number}`` and ``{token}`` (``progress_token``,
    the secret of the case's progress page, URL-safe already) filled in."""
    words = _WORDS["en" if language == "en" else "zh-CN"]
    return Receipt(
        title=words["title"],
        receipt_number=receipt_number,
        lines=[
            (words["service"], service_title),
            (words["applicant"], mask_name(applicant_name)),
            (words["time"], accepted_at.strftime("%Y-%m-%d %H:%M")),
            (words["place"], words["terminal"].format(hall=hall_name, terminal=terminal_id)),
            (words["limit"], processing_time),
        ],
        notes=[words["accepted"], collect, words["lookup"]],
        qr_data=lookup_url.format(receipt_number=receipt_number, token=progress_token),
        footer=words["hotline"].format(hotline=hotline),
    )


def qr_modules(data: str) -> list[str]:
    """The QR code of ``data`` as rows of "1" (dark) and "0", quiet zone included (for the screen)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    return ["".join("1" if dark else "0" for dark in row) for row in code.get_matrix()]


def fallback_view(receipt: Receipt) -> dict[str, object]:
    """What the done screen shows when the receipt could not be printed: the progress address as a
    QR code the citizen scans with a phone (a phone-friendly copy of the receipt), and its text."""
    url = receipt.qr_data or ""
    return {"url": url, "modules": qr_modules(url) if url else []}


# Reprints: the last receipts, kept so staff can print one again (``kioskctl reprint``). The
# applicant line is dropped before anything is written: only the service, number, time and place
# reach the disk, never the citizen's name.
_PERSONAL_LABELS = {words["applicant"] for words in _WORDS.values()}
RECENT_RECEIPTS_KEPT = 10
#: States of a remembered receipt. ``pending``: its submission is being stored or is stored and
#: the receipt has not printed yet -- still pending at the next start means the terminal died
#: between storing and printing, and the citizen left without it.
PENDING, PRINTED, FAILED = "pending", "printed", "failed"


def reprint_copy(receipt: Receipt) -> Receipt:
    """``receipt`` without personal lines and marked as a reprint (补打)."""
    return Receipt(
        title=receipt.title if receipt.title.endswith("（补打）") else f"{receipt.title}（补打）",
        receipt_number=receipt.receipt_number,
        lines=[(label, value) for label, value in receipt.lines if label not in _PERSONAL_LABELS],
        notes=list(receipt.notes),
        qr_data=receipt.qr_data,
        footer=receipt.footer,
    )


class RecentReceipts:
    """The last :data:`RECENT_RECEIPTS_KEPT` receipts (without personal lines) in a JSON file,
    plus every receipt still ``pending`` (never dropped until it prints).

    Written by the outbox writer (``pending``, just before the submission is stored), the core's
    journey thread (after each print attempt) and staff reprints (``kioskctl reprint``, maintenance
    mode), possibly from two processes: every change holds an exclusive lock on a side file and
    replaces the file atomically, so a reader never sees half of it and no change is lost.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def add(self, receipt: Receipt, printed: bool | None) -> None:
        """Remember ``receipt`` (its reprint copy): printed, failed, or ``None`` for pending."""
        copy = reprint_copy(receipt)
        state = PENDING if printed is None else PRINTED if printed else FAILED
        entry = {"printed": bool(printed), "state": state, "receipt": {
            "title": copy.title, "receipt_number": copy.receipt_number, "lines": copy.lines,
            "notes": copy.notes, "qr_data": copy.qr_data, "footer": copy.footer}}
        self._update(lambda entries: [e for e in entries if _number(e) != receipt.receipt_number] + [entry])

    def mark_printed(self, receipt_number: str) -> None:
        """The receipt has printed (a staff reprint): no longer owed."""
        def printed(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{**e, "printed": True, "state": PRINTED} if _number(e) == receipt_number else e for e in entries]
        self._update(printed)

    def forget(self, receipt_number: str) -> None:
        """Drop a pending receipt whose submission was not stored after all."""
        self._update(lambda entries: [e for e in entries if _number(e) != receipt_number])

    def _update(self, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = change(self.load())
            others = [e for e in entries if e.get("state") != PENDING]
            dropped = {id(e) for e in others[:-RECENT_RECEIPTS_KEPT]} if len(others) > RECENT_RECEIPTS_KEPT else set()
            temporary = self.path.with_name(self.path.name + ".part")
            temporary.write_text(json.dumps([e for e in entries if id(e) not in dropped], ensure_ascii=False),
                                 "utf-8")
            os.replace(temporary, self.path)
        finally:
            os.close(lock)  # releases the lock

    def load(self) -> list[dict[str, Any]]:
        """The remembered entries, oldest first (empty if none or unreadable)."""
        try:
            entries = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return []
        entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("receipt"), dict)]
        for entry in entries:  # files written before receipts had states
            entry.setdefault("state", PRINTED if entry.get("printed") else FAILED)
        return entries

    def receipt(self, receipt_number: str | None = None) -> Receipt | None:
        """The remembered receipt with that number (the newest if None), ready to print."""
        for entry in reversed(self.load()):
            data = entry["receipt"]
            if receipt_number is None or data.get("receipt_number") == receipt_number:
                return Receipt(data["title"], data["receipt_number"], [tuple(pair) for pair in data["lines"]],
                               list(data["notes"]), data.get("qr_data"), data.get("footer", ""))
        return None


def _number(entry: dict[str, Any]) -> str:
    return str(entry["receipt"].get("receipt_number", ""))


def unprinted_receipts(data_dir: Path) -> list[dict[str, str]]:
    """Stored submissions whose receipt never printed (the terminal died in between), oldest first.

    Only what staff need to find the citizen and reprint: ``receipt_number``, ``service`` and
    ``accepted_at`` (as printed on the receipt). A pending receipt whose submission is not in the
    local store (the terminal died while storing it) is not owed: nothing was accepted. Any thread;
    opens its own short-lived connection to the store.
    """
    pending = [e for e in RecentReceipts(Path(data_dir) / "receipts" / "recent.json").load()
               if e["state"] == PENDING]
    db = Path(data_dir) / "kiosk.db"
    if not pending or not db.exists():
        return []
    from offline_cache import Store, SyncState

    with Store(db) as store:
        stored = SyncState(store).stored_receipts([_number(e) for e in pending])
    owed = []
    for entry in pending:
        if _number(entry) in stored:
            lines = {label: value for label, value in entry["receipt"].get("lines", [])}
            owed.append({"receipt_number": _number(entry), "service": str(lines.get("办理事项", "")),
                         "accepted_at": str(lines.get("受理时间", ""))})
    return owed


class _AuditRecorder(Protocol):
    """What ``report_unprinted`` needs of the audit log (``kiosk.audit.AuditLog``)."""

    def record(self, kind: str, *, actor: str | None = None, **details: Any) -> None:
        """Queue one event."""


def report_unprinted(data_dir: Path, audit: _AuditRecorder | None = None) -> list[dict[str, str]]:
    """At start: log and audit (``receipt.unprinted``) each stored submission whose receipt never
    printed, for staff to reprint from maintenance mode or ``kioskctl reprint``. Never raises."""
    import logging

    from .safe_log import log_exception

    log = logging.getLogger(__name__)
    try:
        owed = unprinted_receipts(data_dir)
    except Exception:
        log_exception(log, "stored submissions without a printed receipt could not be listed")
        return []
    for item in owed:
        log.warning("receipt %s (%s, %s) was never printed: the terminal stopped after storing it; "
                    "reprint it from maintenance mode or with kioskctl reprint %s",
                    item["receipt_number"], item["service"], item["accepted_at"], item["receipt_number"])
        if audit is not None:
            audit.record("receipt.unprinted", receipt_number=item["receipt_number"])
    return owed


def reprint(config: KioskConfig, data_dir: Path, receipt_number: str | None = None) -> tuple[Receipt, PrintResult]:
    """Print a remembered receipt again on the configured receipt printer (``kioskctl reprint``).

    Runs in the calling thread (a staff tool, not the kiosk process). Raises :class:`LookupError`
    when no such receipt is remembered, and the driver's ``DeviceError`` when it cannot print —
    also when the kiosk itself holds a USB or serial printer open; stop it first, or reprint over
    the network or CUPS backends, which can be shared.
    """
    from .devices import create_driver

    remembered = RecentReceipts(Path(data_dir) / "receipts" / "recent.json")
    receipt = remembered.receipt(receipt_number)
    if receipt is None:
        raise LookupError(f"no remembered receipt {receipt_number or ''}".strip())
    printer = create_driver("receipt_printer", config.devices.receipt_printer, Path(data_dir))
    if not isinstance(printer, ReceiptPrinter):
        raise TypeError(f"the receipt_printer backend built a {type(printer).__name__}")
    printer.open()
    try:
        result = printer.print_receipt(receipt)
    finally:
        printer.close()
    remembered.mark_printed(receipt.receipt_number)
    return receipt, result
