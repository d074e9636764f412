"""A simulated ESC/POS printer device: the far end of the simulated backend and of :mod:`.network_device`.

It takes the byte stream a driver sends, answers ``DLE EOT`` status queries from its state (paper
out or near end, cover open, offline, cutter error), honours ``DLE DC4 8`` (clear buffers), and
turns each cut job back into an image and text. Like a real printer, a job that arrives while it
cannot print is held and printed once it can again — unless the driver cleared it: that is how the
tests prove a failed receipt never prints later for the next citizen. Thread-safe.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw

from ...common import ProtocolError
from ..decode import DecodedJob, decode_job, iter_commands
from ..fonts import find_cjk_font
from ..render import WIDTH_80MM, _font, qr_image
from ..status import PrinterFlags, encode_status_byte

#: How many printed jobs the simulated device keeps in memory for inspection.
KEPT_JOBS = 20


@dataclass(frozen=True)
class PrintedJob:
    """One job that came out of the emulated printer: its name, bytes and decoded content."""

    name: str
    data: bytes
    decoded: DecodedJob


class SimulatedEscposDevice:
    """The state of one emulated printer. ``feed`` bytes in, get the status answers back.

    ``on_job`` is called (on the feeding thread) for every job that prints. ``paper_out_after``
    makes the paper run out once that many more job bytes have arrived (a fault mid-job).
    """

    def __init__(self, on_job: Callable[[PrintedJob], None] | None = None) -> None:
        self._lock = threading.RLock()
        self._on_job = on_job
        self._sensors = PrinterFlags()
        self.paper_out_after: int | None = None
        # The newest jobs only: a simulated printer in a demo runs for days, and each decoded
        # job holds its raster images (they are written out as files as they print).
        self.printed: list[PrintedJob] = []
        self.purged_jobs = 0
        self.protocol_errors = 0
        self._pending = b""
        self._job = bytearray()
        self._held: list[bytes] = []
        self._names: list[str] = []
        self._counter = itertools.count(1)

    # -- state ---------------------------------------------------------------------------------
    def set_state(self, **flags: bool) -> None:
        """Change sensors (``paper_out=True``, ``cover_open=False``...); held jobs print once ready."""
        with self._lock:
            self._sensors = replace(self._sensors, **flags)
            if self.can_print():
                held, self._held = self._held, []
                for data in held:
                    self._print(data)

    @property
    def flags(self) -> PrinterFlags:
        """What the printer reports: its sensors plus the summary bits derived from them."""
        return _consistent(self._sensors)

    def can_print(self) -> bool:
        """True when nothing stops printing."""
        f = self._sensors
        return not (f.offline or f.cover_open or f.paper_out or f.cutter_error)

    def name_next_job(self, name: str) -> None:
        """Give the next completed job this name (the simulated printer uses receipt numbers)."""
        with self._lock:
            self._names.append(name)

    @property
    def held_jobs(self) -> int:
        """Jobs received while the printer could not print, waiting to print."""
        with self._lock:
            return len(self._held)

    # -- the byte stream -----------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Take bytes from the driver; returns the printer's answers (status bytes)."""
        answers = bytearray()
        with self._lock:
            buffer = self._pending + data
            position = 0
            while position < len(buffer):
                try:
                    for command, _end in iter_commands(buffer[position:], final=False):
                        answers += self._handle(command.name, command.raw, command.value)
                        position += len(command.raw)
                    break  # the rest (if any) is an incomplete command
                except ProtocolError:
                    # A real printer prints garbage for bytes it does not understand; skip one.
                    self.protocol_errors += 1
                    position += 1
            self._pending = buffer[position:]
        return bytes(answers)

    def _handle(self, name: str, raw: bytes, value: object) -> bytes:
        if name == "DLE EOT":
            return bytes([encode_status_byte(value[0], self.flags)]) if value[0] in (1, 2, 3, 4) else b""  # type: ignore[index]
        if name == "DLE DC4":
            if value == 8:  # clear buffers: the unfinished job and held jobs are gone
                self.purged_jobs += len(self._held) + (1 if self._job.strip(b"\x1b@") else 0)
                self._held.clear()
                self._job.clear()
                self._names.clear()
            return b""
        self._job += raw
        if self.paper_out_after is not None:
            self.paper_out_after -= len(raw)
            if self.paper_out_after <= 0:
                self.paper_out_after = None
                self._sensors = replace(self._sensors, paper_out=True)
        if name == "GS V":
            data, self._job = bytes(self._job), bytearray()
            if self.can_print():
                self._print(data)
            else:
                self._held.append(data)
        return b""

    def _print(self, data: bytes) -> None:
        decoded = decode_job(data)
        name = self._names.pop(0) if self._names else f"job-{next(self._counter):04d}"
        job = PrintedJob(name, data, decoded)
        self.printed.append(job)
        del self.printed[:-KEPT_JOBS]
        if self._on_job is not None:
            self._on_job(job)


def _consistent(flags: PrinterFlags) -> PrinterFlags:
    """Derive the summary bits a real printer sets from its sensors."""
    stopped = flags.cover_open or flags.paper_out or flags.cutter_error or flags.offline
    return replace(flags, paper_stop=flags.paper_out,
                   error=flags.cutter_error or flags.unrecoverable_error,
                   offline=flags.offline or stopped)


def preview_image(job: DecodedJob, width_px: int = WIDTH_80MM) -> Image.Image:
    """What the job looks like on paper: images as sent, text drawn with the CJK font, QR codes."""
    face = find_cjk_font()
    font = _font(face, max(16, round(24 * width_px / WIDTH_80MM)))
    blocks: list[Image.Image] = []
    for kind, value in job.elements:
        if kind == "image":
            blocks.append(value)  # type: ignore[arg-type]
        elif kind == "qr":
            blocks.append(qr_image(str(value), width_px))
        else:
            line = Image.new("1", (width_px, round(font.size * 1.4)), 1)
            ImageDraw.Draw(line).text((4, round(font.size * 1.1)), str(value), font=font, fill=0, anchor="ls")
            blocks.append(line)
    width = max([width_px] + [b.width for b in blocks])
    canvas = Image.new("1", (width, max(1, sum(b.height for b in blocks))), 1)
    y = 0
    for block in blocks:
        canvas.paste(block.convert("1"), (0, y))
        y += block.height
    return canvas


def write_job_files(output_dir: Path, job: PrintedJob, width_px: int = WIDTH_80MM) -> Path:
    """Write ``<name>.txt``, ``<name>.png`` and (last, meaning "done") ``<name>.bin``; returns the .bin."""
    import io

    png = io.BytesIO()
    preview_image(job.decoded, width_px).save(png, format="PNG")
    outputs = {".txt": job.decoded.as_text().encode("utf-8"), ".png": png.getvalue(), ".bin": job.data}
    target = output_dir / f"{job.name}.bin"
    for suffix, data in outputs.items():
        path = output_dir / f"{job.name}{suffix}"
        temporary = path.with_name(f".{path.name}.part")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    return target
