"""Decoding an ESC/POS byte stream back into what a printer would print: images, text, QR, cuts.

Covers the commands this project sends plus the common formatting ones a receipt may contain; an
unknown command is a :class:`ProtocolError` (the decoder is strict so tests notice drift). Used by
the simulated ESC/POS device (:mod:`.simulated.escpos_device`), the simulated printers and the tests. Pure computation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from PIL import Image

from ..common import ProtocolError

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10

# Fixed-length commands: prefix bytes → number of parameter bytes that follow.
_FIXED: dict[bytes, int] = {
    b"\x1b@": 0, b"\x1ba": 1, b"\x1bd": 1, b"\x1bE": 1, b"\x1b!": 1, b"\x1bt": 1, b"\x1b2": 0,
    b"\x1b3": 1, b"\x1bJ": 1, b"\x1bM": 1, b"\x1b-": 1, b"\x1b{": 1, b"\x1bG": 1, b"\x1bR": 1,
    b"\x1b\x00": 0,
    b"\x1d!": 1, b"\x1dB": 1, b"\x1dL": 2, b"\x1dW": 2, b"\x1da": 1, b"\x1db": 1, b"\x1dH": 1,
    b"\x1dh": 1, b"\x1dw": 1, b"\x1df": 1, b"\x1dr": 1,
    b"\x1c&": 0, b"\x1c.": 0, b"\x1c!": 1, b"\x1cC": 1, b"\x1c-": 1, b"\x1cW": 1,
    b"\x10\x04": 1,
}


@dataclass(frozen=True)
class Command:
    """One decoded command: ``name`` (e.g. ``"GS v 0"``, ``"text"``), raw bytes and parsed values."""

    name: str
    raw: bytes
    value: object = None


class Incomplete(Exception):
    """The stream ends inside a command (more bytes are needed)."""


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise Incomplete


def _one(data: bytes, pos: int) -> tuple[Command, int]:
    """The command starting at ``pos`` and the position after it."""
    first = data[pos]
    if first == 0x0A:
        return Command("LF", data[pos : pos + 1]), pos + 1
    if first in (0x0D, 0x09):
        return Command("ignore", data[pos : pos + 1]), pos + 1
    if first not in (ESC, GS, FS, DLE):
        if first < 0x20:
            raise ProtocolError(f"unknown control byte 0x{first:02x} at byte {pos}")
        end = pos
        while end < len(data) and data[end] >= 0x20 and data[end] not in (ESC, GS, FS, DLE):
            end += 1
        return Command("text", data[pos:end]), end
    _need(data, pos + 2)
    prefix = data[pos : pos + 2]
    if prefix in _FIXED:
        end = pos + 2 + _FIXED[prefix]
        _need(data, end)
        second = prefix[1]
        suffix = _PRINTABLE.get(second) or (chr(second) if second >= 0x20 else f"{second:02x}")
        name = _PRINTABLE[prefix[0]] + " " + suffix
        return Command(name, data[pos:end], tuple(data[pos + 2 : end])), end
    if prefix == b"\x1dv":  # GS v 0 m xL xH yL yH data
        _need(data, pos + 8)
        if data[pos + 2] != 0x30:
            raise ProtocolError(f"GS v {data[pos + 2]:#x} at byte {pos} is not a raster image")
        width_bytes = data[pos + 4] | data[pos + 5] << 8
        height = data[pos + 6] | data[pos + 7] << 8
        end = pos + 8 + width_bytes * height
        _need(data, end)
        return Command("GS v 0", data[pos:end], (width_bytes, height, data[pos + 8 : end])), end
    if prefix == b"\x1d(":  # GS ( x pL pH data
        _need(data, pos + 5)
        end = pos + 5 + (data[pos + 3] | data[pos + 4] << 8)
        _need(data, end)
        return Command(f"GS ( {chr(data[pos + 2])}", data[pos:end], data[pos + 5 : end]), end
    if prefix == b"\x1dV":  # GS V m [n]
        _need(data, pos + 3)
        m = data[pos + 2]
        end = pos + 3 + (1 if m in (65, 66, 97, 98, 103, 104) else 0)
        if m not in (0, 1, 48, 49, 65, 66, 97, 98, 103, 104):
            raise ProtocolError(f"GS V {m} at byte {pos} is not a cut")
        _need(data, end)
        return Command("GS V", data[pos:end], m), end
    if prefix == b"\x10\x14":  # DLE DC4 fn ...
        _need(data, pos + 3)
        fn = data[pos + 2]
        lengths = {1: 2, 2: 2, 7: 1, 8: 7}
        if fn not in lengths:
            raise ProtocolError(f"DLE DC4 {fn} at byte {pos} is not supported")
        end = pos + 3 + lengths[fn]
        _need(data, end)
        return Command("DLE DC4", data[pos:end], fn), end
    raise ProtocolError(f"unknown command {prefix.hex(' ')} at byte {pos}")


_PRINTABLE = {ESC: "ESC", GS: "GS", FS: "FS", DLE: "DLE", 0x04: "EOT", 0x00: "NUL"}


def iter_commands(data: bytes, *, final: bool = True) -> Iterator[tuple[Command, int]]:
    """Each command in ``data`` with the position after it.

    With ``final=False`` a command cut off at the end stops the iteration quietly (the caller
    keeps the rest for later); with ``final=True`` it is a :class:`ProtocolError`.
    """
    pos = 0
    while pos < len(data):
        try:
            command, pos = _one(data, pos)
        except Incomplete:
            if final:
                raise ProtocolError(f"the stream ends inside a command at byte {pos}") from None
            return
        yield command, pos


@dataclass
class DecodedJob:
    """What one ESC/POS job prints, in order: ``("image", Image)``, ``("text", str)``,
    ``("qr", str)``; plus whether it was cut and which status queries it contained."""

    elements: list[tuple[str, object]] = field(default_factory=list)
    cut: bool = False
    status_queries: list[int] = field(default_factory=list)

    @property
    def images(self) -> list[Image.Image]:
        """The raster images, in order."""
        return [value for kind, value in self.elements if kind == "image"]  # type: ignore[misc]

    @property
    def text_lines(self) -> list[str]:
        """The text printed in text mode, one entry per line."""
        return [value for kind, value in self.elements if kind == "text"]  # type: ignore[misc]

    @property
    def qr_codes(self) -> list[str]:
        """The data of every native QR code printed."""
        return [value for kind, value in self.elements if kind == "qr"]  # type: ignore[misc]

    def as_text(self) -> str:
        """Text lines, ``[QR] data``, ``[image WxH]`` and ``[cut]`` markers, one per line."""
        out = []
        for kind, value in self.elements:
            if kind == "image":
                out.append(f"[image {value.width}x{value.height}]")  # type: ignore[attr-defined]
            elif kind == "qr":
                out.append(f"[QR] {value}")
            else:
                out.append(str(value))
        if self.cut:
            out.append("[cut]")
        return "\n".join(out) + "\n"


def raster_image(width_bytes: int, height: int, payload: bytes) -> Image.Image:
    """A ``GS v 0`` payload as a 1-bit PIL image (ESC/POS: set bit = black; PIL: set bit = white)."""
    raw = Image.frombytes("1", (width_bytes * 8, height), payload)
    return raw.point(lambda v: 255 - v).convert("1", dither=Image.Dither.NONE)


def decode_job(data: bytes) -> DecodedJob:
    """Decode a complete ESC/POS stream; :class:`ProtocolError` for unknown or truncated commands."""
    job = DecodedJob()
    chinese = False
    line = bytearray()
    qr_data = b""

    def flush_line() -> None:
        if line:
            job.elements.append(("text", bytes(line).decode("gb18030" if chinese else "cp437", errors="replace")))
            line.clear()

    for command, _ in iter_commands(data, final=True):
        name = command.name
        if name == "text":
            line.extend(command.raw)
        elif name == "LF":
            flush_line()
        elif name == "FS &":
            chinese = True
        elif name == "FS .":
            flush_line()
            chinese = False
        elif name == "GS v 0":
            flush_line()
            width_bytes, height, raster = cast(tuple[int, int, bytes], command.value)
            if width_bytes and height:
                job.elements.append(("image", raster_image(width_bytes, height, raster)))
        elif name == "GS ( k":
            payload = cast(bytes, command.value)
            if payload[:3] == b"1P0":
                qr_data = payload[3:]
            elif payload[:3] == b"1Q0":
                flush_line()
                job.elements.append(("qr", qr_data.decode("utf-8", errors="replace")))
        elif name == "GS V":
            flush_line()
            job.cut = True
        elif name == "DLE EOT":
            job.status_queries.append(command.value[0])  # type: ignore[index]
    flush_line()
    return job
