"""The SAM module frame protocol (GA 467): ``AA AA AA 96 69 | LEN | body | XOR`` — pure bytes, no I/O.

Host → reader: ``preamble | LEN_HI LEN_LO | CMD PARA DATA… | CHK``; reader → host:
``preamble | LEN | SW1 SW2 SW3 DATA… | CHK``. ``LEN`` counts the bytes after the length field
(body and checksum); ``CHK`` is the XOR of every byte from ``LEN_HI`` to the byte before it.
:data:`SW3_ERRORS` maps each status to our exception tree and the :class:`ErrorAction` it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from ...common import (
    DeviceBusy,
    DeviceError,
    DeviceIOError,
    DeviceUserError,
    ErrorAction,
    NoDocumentPresent,
    ProtocolError,
)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
#: A response body is at least SW1 SW2 SW3; the length field then also counts the checksum.
MIN_RESPONSE_LEN = 4
#: The longest legal frame body (text + photo + fingerprints is 2321 bytes in total).
MAX_LEN = 4096

# Commands: (CMD, PARA).
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)
READ_APPENDED_ADDRESS = (0x30, 0x03)
READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)
#: SET_BAUD[rate] = (0x60, para).
SET_BAUD = {115200: (0x60, 0x00), 57600: (0x60, 0x01), 38400: (0x60, 0x02), 19200: (0x60, 0x03),
            9600: (0x60, 0x04)}

SW_OK = 0x90
SW_READ_FAILED = 0x41
SW_FIND_OK = 0x9F
SW_NO_CARD = 0x80

#: SW3 → (exception class, action, non-personal message). Retryable statuses are marked by class:
#: ProtocolError and DeviceIOError are retried by the reader, the rest end the read.
class ReadFailed(DeviceIOError):
    """The reader answered SW3 41: reading the card failed, most likely because it was moved."""


SW3_ERRORS: dict[int, tuple[type[DeviceError], ErrorAction, str]] = {
    0x10: (ProtocolError, ErrorAction.RESET, "the reader reported a checksum error in our command"),
    0x11: (ProtocolError, ErrorAction.RESET, "the reader reported a length error in our command"),
    0x21: (ProtocolError, ErrorAction.SOFTWARE, "the reader did not recognise the command"),
    0x24: (DeviceError, ErrorAction.RESET, "the reader reported an unrecognised error"),
    0x31: (DeviceIOError, ErrorAction.NONE, "the card rejected the reader's authentication"),
    0x32: (DeviceIOError, ErrorAction.NONE, "the reader rejected the card's authentication"),
    0x33: (DeviceIOError, ErrorAction.NONE, "card verification failed"),
    0x40: (DeviceUserError, ErrorAction.CLEAR, "this card is not a supported ID card"),
    0x41: (ReadFailed, ErrorAction.NONE, "reading the card failed (was it moved?)"),
    0x47: (DeviceIOError, ErrorAction.NONE, "the card's random number exchange failed"),
    0x60: (DeviceError, ErrorAction.MAINTENANCE, "the SAM module failed its self-test"),
    0x66: (DeviceError, ErrorAction.MAINTENANCE, "the SAM module has not authorised this reader"),
    0x80: (NoDocumentPresent, ErrorAction.NONE, "no card on the reader"),
    0x81: (NoDocumentPresent, ErrorAction.NONE, "selecting the card failed (card moved away)"),
    0x91: (DeviceBusy, ErrorAction.NONE, "the card has no content for this item"),
}


def checksum(data: bytes) -> int:
    """The XOR of ``data`` (the length field and body of a frame)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def encode_command(command: tuple[int, int], data: bytes = b"") -> bytes:
    """A host → reader frame for ``(CMD, PARA)`` with optional ``data``."""
    body = bytes(command) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader → host frame (used by the simulator and tests)."""
    body = bytes([sw1, sw2, sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


@dataclass(frozen=True)
class Response:
    """One decoded reader → host frame: status bytes and data (checksum already verified)."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def ok(self) -> bool:
        """True for 0x90 (OK) and 0x9F (find succeeded)."""
        return self.sw3 in (SW_OK, SW_FIND_OK)

    def raise_for_status(self) -> None:
        """Raise the mapped :class:`DeviceError` unless the status is a success."""
        if self.ok:
            return
        error, action, message = SW3_ERRORS.get(
            self.sw3, (ProtocolError, ErrorAction.RESET, "the reader returned an unknown status")
        )
        # The error class tells "read failed" (card moved, ReadFailed) from the rest.
        raise error(f"{message} (SW3 {self.sw3:02X})", action)


def frame_length(header: bytes) -> int:
    """The ``LEN`` of a response from its 7-byte header; :class:`ProtocolError` when out of range."""
    if len(header) != 7 or header[:5] != PREAMBLE:
        raise ProtocolError("the reader sent bytes that are not a frame header")
    length = int.from_bytes(header[5:7], "big")
    if not MIN_RESPONSE_LEN <= length <= MAX_LEN:
        raise ProtocolError(f"the reader sent an impossible frame length {length}")
    return length


def decode_response(frame: bytes) -> Response:
    """Decode one complete reader → host frame; :class:`ProtocolError` on any malformation."""
    length = frame_length(frame[:7])
    if len(frame) != 7 + length:
        raise ProtocolError("the reader's frame is truncated or has trailing bytes")
    body, check = frame[7:-1], frame[-1]
    if checksum(frame[5:-1]) != check:
        raise ProtocolError("the reader's frame has a bad checksum")
    return Response(body[0], body[1], body[2], bytes(body[3:]))


def decode_command(frame: bytes) -> tuple[tuple[int, int], bytes]:
    """Decode a host → reader frame into ``((CMD, PARA), data)`` (simulator side)."""
    if len(frame) < 10 or frame[:5] != PREAMBLE:
        raise ProtocolError("not a command frame")
    length = int.from_bytes(frame[5:7], "big")
    if length < 3 or len(frame) != 7 + length:
        raise ProtocolError("command frame length mismatch")
    if checksum(frame[5:-1]) != frame[-1]:
        raise ProtocolError("command frame checksum error")
    return (frame[7], frame[8]), bytes(frame[9:-1])


def find_preamble(buffer: bytes | bytearray) -> int:
    """Index of the first preamble in ``buffer``, or -1 (used to resynchronise after noise)."""
    return bytes(buffer).find(PREAMBLE)


@dataclass(frozen=True)
class CardRecord:
    """The payload of a successful read: text block, WLT photo and fingerprint templates."""

    text: bytes
    photo: bytes
    fingerprints: bytes = b""


def split_read_payload(data: bytes, with_fingerprint: bool) -> CardRecord:
    """Split the data of a ``30 01`` / ``30 10`` response by its big-endian length fields."""
    header = 6 if with_fingerprint else 4
    if len(data) < header:
        raise ProtocolError("the card data is shorter than its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    finger_len = int.from_bytes(data[4:6], "big") if with_fingerprint else 0
    if len(data) != header + text_len + photo_len + finger_len:
        raise ProtocolError("the card data does not match its length fields")
    if text_len != 256:
        raise ProtocolError(f"the text block has {text_len} bytes, not 256")
    text = data[header:header + text_len]
    photo = data[header + text_len:header + text_len + photo_len]
    fingerprints = data[header + text_len + photo_len:]
    return CardRecord(bytes(text), bytes(photo), bytes(fingerprints))


def join_read_payload(record: CardRecord, with_fingerprint: bool) -> bytes:
    """The inverse of :func:`split_read_payload` (simulator side)."""
    lengths = len(record.text).to_bytes(2, "big") + len(record.photo).to_bytes(2, "big")
    if with_fingerprint:
        lengths += len(record.fingerprints).to_bytes(2, "big")
        return lengths + record.text + record.photo + record.fingerprints
    return lengths + record.text + record.photo
