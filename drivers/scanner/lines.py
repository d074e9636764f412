"""Parsing what a serial (USB CDC) scanner sends: each code as one line ended by CR, LF or CR LF.

Optionally the scanner prefixes an AIM symbology identifier (``]Q1`` for QR, ``]E0`` for EAN-13,
...; ISO/IEC 15424). Pure: :class:`LineParser` is used on the scanner's owner thread.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest code accepted (a QR code holds at most 7089 digits).
MAX_LINE = 8192
#: AIM identifier letter → symbology name.
AIM_SYMBOLOGIES = {"Q": "qr", "E": "ean13", "C": "code128", "A": "code39", "d": "datamatrix",
                   "L": "pdf417", "I": "itf", "z": "aztec", "X": "unknown"}


@dataclass(frozen=True)
class BadLine:
    """A line that is no code: ``reason`` says why (never the bytes themselves)."""

    reason: str


@dataclass(frozen=True)
class CodeLine:
    """One code as sent: its text and symbology."""

    text: str
    symbology: str


class LineParser:
    """Splits the byte stream into lines and decodes each (UTF-8, printable).

    :meth:`feed` returns what each completed line was; bytes after the last terminator wait for
    the next feed. :meth:`flush_partial` drops such a remainder (the scanner went quiet
    mid-code) and reports it.
    """

    def __init__(self, aim_ids: bool = False) -> None:
        self._aim_ids = aim_ids
        self._buffer = bytearray()
        self._overflowed = False

    @property
    def has_partial(self) -> bool:
        """True when bytes of an unfinished line are waiting."""
        return bool(self._buffer) or self._overflowed

    def feed(self, data: bytes) -> list[CodeLine | BadLine]:
        """Add received bytes; the results of every line they complete, in order."""
        results: list[CodeLine | BadLine] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer or self._overflowed:
                    results.append(self._finish())
                continue
            if self._overflowed:
                continue
            self._buffer.append(byte)
            if len(self._buffer) > MAX_LINE:
                self._buffer.clear()
                self._overflowed = True
        return results

    def flush_partial(self) -> BadLine | None:
        """Drop an unfinished line; a :class:`BadLine` if there was one."""
        if not self.has_partial:
            return None
        self._buffer.clear()
        self._overflowed = False
        return BadLine("an incomplete code was dropped (no line end)")

    def _finish(self) -> CodeLine | BadLine:
        raw, overflowed = bytes(self._buffer), self._overflowed
        self._buffer.clear()
        self._overflowed = False
        if overflowed:
            return BadLine(f"a line longer than {MAX_LINE} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return BadLine("a line that is not UTF-8")
        if not text.isprintable():
            return BadLine("a line with control characters")
        symbology = "unknown"
        if self._aim_ids:
            if len(text) < 3 or text[0] != "]":
                return BadLine("a line without its AIM symbology identifier")
            symbology = AIM_SYMBOLOGIES.get(text[1], "unknown")
            text = text[3:]
        if not text:
            return BadLine("an empty code")
        return CodeLine(text, symbology)
