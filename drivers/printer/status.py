"""ESC/POS real-time status (``DLE EOT n``): the protocol, parsed into flags and a DeviceStatus.

python-escpos' own ``query_status`` reads 16 bytes and so always waits for its full timeout on
serial, and it reports an empty answer as "paper OK". Here every
query reads exactly one byte with a short timeout, and no answer is "offline", never "fine".

Status bytes (Epson ESC/POS, the common subset Chinese thermal printers implement too): every
answer has bit 1 and bit 4 set and bits 0 and 7 clear; anything else is not a status byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..common import DeviceState, DeviceStatus, DeviceTimeout, ErrorAction, ProtocolError

DLE_EOT = b"\x10\x04"
#: ``DLE DC4 fn=8``: clear the receive and print buffers (real-time, works while offline).
CLEAR_BUFFERS = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"

PRINTER_STATUS, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR = 1, 2, 3, 4
_FIXED_MASK, _FIXED_VALUE = 0b1001_0011, 0b0001_0010

# (query n, bit mask, flag name): the bits this driver acts on.
_BITS: tuple[tuple[int, int, str], ...] = (
    (PRINTER_STATUS, 0x08, "offline"),
    (PRINTER_STATUS, 0x20, "waiting_recovery"),
    (OFFLINE_CAUSE, 0x04, "cover_open"),
    (OFFLINE_CAUSE, 0x08, "feed_button"),
    (OFFLINE_CAUSE, 0x20, "paper_stop"),
    (OFFLINE_CAUSE, 0x40, "error"),
    (ERROR_CAUSE, 0x08, "cutter_error"),
    (ERROR_CAUSE, 0x20, "unrecoverable_error"),
    (ERROR_CAUSE, 0x40, "auto_recoverable_error"),
    (PAPER_SENSOR, 0x0C, "paper_near_end"),
    (PAPER_SENSOR, 0x60, "paper_out"),
)
FLAG_NAMES: tuple[str, ...] = tuple(name for _, _, name in _BITS)


@dataclass(frozen=True)
class PrinterFlags:
    """What the printer reported over the queries made; unqueried flags are False."""

    offline: bool = False
    waiting_recovery: bool = False
    cover_open: bool = False
    feed_button: bool = False
    paper_stop: bool = False
    error: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    auto_recoverable_error: bool = False
    paper_near_end: bool = False
    paper_out: bool = False


def parse_status_byte(n: int, value: int) -> dict[str, bool]:
    """The flags one ``DLE EOT n`` answer carries; :class:`ProtocolError` if it is not a status byte.

    Sensor bit pairs (near end: bits 2+3, paper end: bits 5+6) count as set if either bit is.
    """
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1-4, not {n}")
    if not 0 <= value <= 255 or value & _FIXED_MASK != _FIXED_VALUE:
        raise ProtocolError(f"0x{value:02x} is not an answer to DLE EOT {n}")
    return {name: bool(value & mask) for query, mask, name in _BITS if query == n}


def encode_status_byte(n: int, flags: PrinterFlags) -> int:
    """The answer a printer in state ``flags`` gives to ``DLE EOT n`` (for the simulated device)."""
    value = _FIXED_VALUE
    for query, mask, name in _BITS:
        if query == n and getattr(flags, name):
            value |= mask
    return value


def status_from_flags(flags: PrinterFlags) -> DeviceStatus:
    """Map printer flags to a DeviceStatus: who must act (paper and cover → staff can CLEAR)."""
    if flags.cover_open:
        return DeviceStatus(DeviceState.USER_ERROR, ErrorAction.CLEAR, "cover_open")
    if flags.paper_out or flags.paper_stop:
        return DeviceStatus(DeviceState.USER_ERROR, ErrorAction.CLEAR, "paper_out")
    if flags.cutter_error:
        return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.CLEAR, "cutter_error")
    if flags.unrecoverable_error:
        return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.MAINTENANCE, "unrecoverable_error")
    if flags.error or flags.auto_recoverable_error:
        return DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, "error")
    if flags.offline:
        return DeviceStatus(DeviceState.OFFLINE, ErrorAction.RESET, "offline")
    if flags.paper_near_end:
        # Still printing: ready, but the detail tells staff to refill soon.
        return DeviceStatus(DeviceState.ONLINE, ErrorAction.NONE, "paper_near_end")
    return DeviceStatus(DeviceState.ONLINE)


class StatusChannel(Protocol):
    """The two transport operations a status query needs."""

    def write(self, data: bytes) -> None:
        """Send bytes to the printer."""

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte from the printer, or ``b""`` after ``timeout_s``."""

    def drain(self) -> None:
        """Drop bytes already received (late answers to an earlier query)."""


def query(channel: StatusChannel, n: int, timeout_s: float) -> dict[str, bool]:
    """Send ``DLE EOT n`` and parse the one-byte answer (printer's owner thread).

    Raises :class:`DeviceTimeout` when no byte arrives within ``timeout_s`` and
    :class:`ProtocolError` when the byte is not a status byte.
    """
    channel.write(DLE_EOT + bytes([n]))
    answer = channel.read_byte(timeout_s)
    if not answer:
        raise DeviceTimeout(f"the printer did not answer DLE EOT {n} within {timeout_s:g} s")
    return parse_status_byte(n, answer[0])


def query_flags(channel: StatusChannel, timeout_s: float = 0.5) -> PrinterFlags:
    """Query printer status, offline cause, paper sensor (and error cause if an error is set)."""
    channel.drain()
    flags: dict[str, bool] = {}
    flags.update(query(channel, PRINTER_STATUS, timeout_s))
    flags.update(query(channel, OFFLINE_CAUSE, timeout_s))
    if flags["error"]:
        flags.update(query(channel, ERROR_CAUSE, timeout_s))
    flags.update(query(channel, PAPER_SENSOR, timeout_s))
    return PrinterFlags(**flags)
