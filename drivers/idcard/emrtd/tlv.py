"""BER-TLV / DER parsing and building for LDS files, SM objects and CMS — pure bytes, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from ...common import ErrorAction, ProtocolError

MAX_DEPTH = 16


class TlvError(ProtocolError):
    """Bytes that are not valid BER-TLV (the document's data is corrupt or we misread it)."""

    default_action = ErrorAction.NONE


@dataclass(frozen=True)
class Tlv:
    """One decoded TLV: ``tag`` as an int (multi-byte tags big-endian), ``value`` bytes."""

    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        """True when the tag's constructed bit (0x20 of the first byte) is set."""
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self) -> list[Tlv]:
        """The TLVs inside a constructed value."""
        return parse_all(self.value)


def read_tag(data: bytes, offset: int) -> tuple[int, int]:
    """(tag, next offset) at ``offset``."""
    if offset >= len(data):
        raise TlvError("TLV truncated in the tag")
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:
        for _ in range(4):
            if offset >= len(data):
                raise TlvError("TLV truncated in a multi-byte tag")
            byte = data[offset]
            tag = (tag << 8) | byte
            offset += 1
            if not byte & 0x80:
                break
        else:
            raise TlvError("TLV tag longer than 5 bytes")
    return tag, offset


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """(length, next offset) at ``offset``; indefinite lengths are refused."""
    if offset >= len(data):
        raise TlvError("TLV truncated in the length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    count = first & 0x7F
    if count == 0 or count > 4:
        raise TlvError("unsupported TLV length form")
    if offset + count > len(data):
        raise TlvError("TLV truncated in the length")
    return int.from_bytes(data[offset:offset + count], "big"), offset + count


def parse_one(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """The TLV at ``offset`` and the offset after it."""
    tag, offset = read_tag(data, offset)
    length, offset = read_length(data, offset)
    end = offset + length
    if end > len(data):
        raise TlvError("TLV value runs past the end of the data")
    return Tlv(tag, bytes(data[offset:end])), end


def parse_all(data: bytes) -> list[Tlv]:
    """Every TLV in ``data`` in order; trailing garbage is an error."""
    items, offset = [], 0
    while offset < len(data):
        item, offset = parse_one(data, offset)
        items.append(item)
    return items


def header_length(data: bytes) -> int:
    """Total size (tag + length + value) of the TLV whose first bytes are ``data``."""
    tag_end = read_tag(data, 0)[1]
    length, value_start = read_length(data, tag_end)
    return value_start + length


def find(items: list[Tlv], tag: int) -> Tlv | None:
    """The first item with ``tag``, or None."""
    return next((item for item in items if item.tag == tag), None)


def require(items: list[Tlv], tag: int, what: str) -> Tlv:
    """The first item with ``tag``, or :class:`TlvError` naming ``what`` is missing."""
    item = find(items, tag)
    if item is None:
        raise TlvError(f"{what} is missing")
    return item


def encode_length(length: int) -> bytes:
    """DER length bytes."""
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def build(tag: int, value: bytes) -> bytes:
    """Encode one TLV (tag given as an int, e.g. ``0x5F1F``)."""
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + encode_length(len(value)) + value


def der_int(value: int) -> bytes:
    """DER INTEGER."""
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    return build(0x02, raw)


def der_oid(dotted: str) -> bytes:
    """DER OBJECT IDENTIFIER from dotted text."""
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body += bytes(reversed(chunk))
    return build(0x06, bytes(body))


def oid_text(value: bytes) -> str:
    """Dotted text of a DER OID's value bytes; :class:`TlvError` when malformed."""
    if not value or value[-1] & 0x80:
        raise TlvError("malformed object identifier")
    parts, current = [], 0
    for byte in value:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(current)
            current = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(p) for p in [first, parts[0] - first * 40, *parts[1:]])


def der_int_value(value: bytes) -> int:
    """The integer of a DER INTEGER's value bytes."""
    if not value:
        raise TlvError("empty integer")
    return int.from_bytes(value, "big", signed=True)
