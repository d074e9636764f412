"""Command APDUs (ISO 7816-4), short and extended — pure bytes."""

from __future__ import annotations

from dataclasses import dataclass

from .tlv import TlvError


@dataclass(frozen=True)
class Command:
    """One command APDU; ``le`` None means no response data expected, 0 means "up to 256"."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def encode(self, extended: bool = False) -> bytes:
        """Encode as a short APDU, or as an extended one when ``extended`` or sizes need it."""
        header = bytes([self.cla, self.ins, self.p1, self.p2])
        extended = extended or len(self.data) > 255 or (self.le or 0) > 256
        body = b""
        if extended:
            if self.data:
                body += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = b"\x00\x00" if self.le in (0, 65536) else self.le.to_bytes(2, "big")
                body += le if self.data else b"\x00" + le
        else:
            if self.data:
                body += bytes([len(self.data)]) + self.data
            if self.le is not None:
                body += bytes([0 if self.le in (0, 256) else self.le])
        return header + body


def decode(raw: bytes) -> Command:
    """Parse a command APDU (card side); :class:`TlvError` when malformed."""
    if len(raw) < 4:
        raise TlvError("command APDU shorter than its header")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] != 0:
        lc = body[0]
        data = body[1:1 + lc]
        rest = body[1 + lc:]
        if len(data) != lc or len(rest) > 1:
            raise TlvError("command APDU length mismatch")
        return Command(cla, ins, p1, p2, data, (rest[0] or 256) if rest else None)
    if len(body) == 3:
        return Command(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536)
    lc = int.from_bytes(body[1:3], "big")
    data = body[3:3 + lc]
    rest = body[3 + lc:]
    if lc == 0 or len(data) != lc or len(rest) not in (0, 2):
        raise TlvError("extended command APDU length mismatch")
    return Command(cla, ins, p1, p2, data, (int.from_bytes(rest, "big") or 65536) if rest else None)
