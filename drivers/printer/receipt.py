"""What a receipt says, and what a print job produced."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Receipt:
    """The content of one receipt, built by ``kiosk``; printers decide how it looks.

    ``lines`` are (label, value) pairs; ``notes`` are paragraphs printed after them (e.g. what
    happens next); ``qr_data`` (a URL or the receipt number) becomes a QR code. Receipts carry no
    personal data except what ``kiosk`` deliberately puts there.
    """

    title: str
    receipt_number: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    qr_data: str | None = None
    footer: str = ""

    def as_text(self) -> str:
        """A plain-text rendering (for the simulator's ``.txt`` and for text-only printers)."""
        parts = [self.title, f"回执编号 No.: {self.receipt_number}", "-" * 32]
        parts += [f"{label}: {value}" for label, value in self.lines]
        if self.notes:
            parts.append("-" * 32)
            parts += list(self.notes)
        if self.qr_data:
            parts.append(f"[QR] {self.qr_data}")
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class PrintResult:
    """A finished print job: its id, the number of pages (receipts count as one) and, for
    simulated or file-based printers, where the output went."""

    job_id: str
    pages: int = 1
    output: str | None = None
