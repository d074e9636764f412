"""Printing through CUPS with its command-line clients (``lp``, ``lpstat``, ``cancel``).

The CLI rather than pycups: no new compiled dependency, and Debian's ``cups-client`` is what staff
use to inspect the same queues. Each job is followed until CUPS reports it finished; one that
does not finish in time is cancelled, so it can never print later for someone else. All methods
run on the printer's owner thread.

A finished job's document stays in CUPS' spool (``/var/spool/cups/d*``) for a day by default
(``PreserveJobFiles``), with every answer of the form on it. CUPS refuses to purge a single job
once it has completed (Cancel-Job and Cancel-Jobs with ``purge-jobs`` leave it), so after each job
the queue's jobs are purged (``cancel -a -x QUEUE``, IPP Purge-Jobs): the queues are the
terminal's own. The purge is skipped, and logged, while another job is still waiting on the
queue; ``kioskctl doctor`` also asks for ``PreserveJobFiles No`` so nothing outlives a crash.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import subprocess
import time

from ..common import (
    DeviceError,
    DeviceInfo,
    DeviceIOError,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    DeviceUserError,
    ErrorAction,
)
from .base import DocumentPrinter, document_printer_backends, receipt_printer_backends
from .escpos_printer import EscposReceiptPrinter, job_id_for
from .receipt import PrintResult
from .transport import Transport

_REQUEST_ID = re.compile(r"request id is (\S+)")
_FAILED = ("with-errors", "aborted", "canceled", "Filter failed", "stopped")
#: ``PreserveJobFiles`` values under which CUPS deletes a job's document when the job ends.
_NOT_PRESERVED = ("no", "off", "false", "0")

log = logging.getLogger(__name__)


class CupsQueue:
    """One CUPS queue on ``server`` (``host:port``; empty: the local default)."""

    def __init__(self, queue: str, server: str = "", command_timeout_s: float = 10.0) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,127}", queue):
            raise ValueError(f"not a CUPS queue name: {queue!r}")
        self.queue, self.server, self.command_timeout_s = queue, server, command_timeout_s

    def _run(self, *args: str, data: bytes | None = None) -> str:
        command = [args[0], *(["-h", self.server] if self.server else []), *args[1:]]
        try:
            result = subprocess.run(command, input=data, capture_output=True, timeout=self.command_timeout_s,
                                    check=False)
        except FileNotFoundError as exc:
            raise DeviceNotFound(f"{args[0]} is missing: install cups-client") from exc
        except subprocess.TimeoutExpired as exc:
            raise DeviceTimeout(f"{args[0]} did not answer: is cupsd running?") from exc
        output = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
        if result.returncode != 0:
            if "does not exist" in output or "Invalid destination" in output or "Unknown destination" in output:
                raise DeviceNotFound(f"CUPS queue {self.queue} does not exist")
            raise DeviceIOError(f"{args[0]} failed for queue {self.queue}: {output.strip()[:200]}")
        return output

    def status(self) -> DeviceStatus:
        """Enabled and accepting → ONLINE; disabled/stopped → OFFLINE (staff can re-enable)."""
        output = self._run("lpstat", "-p", self.queue)
        if "disabled" in output:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.CLEAR, "queue_disabled")
        return DeviceStatus(DeviceState.ONLINE)

    def submit(self, data: bytes, title: str, *options: str) -> str:
        """Submit ``data`` (from stdin, so no file is left behind); returns the CUPS job id."""
        args = ["lp", "-d", self.queue, "-t", title]
        for option in options:
            args += ["-o", option]
        match = _REQUEST_ID.search(self._run(*args, "-", data=data))
        if not match:
            raise DeviceIOError("lp did not report a job id")
        return match.group(1)

    def follow(self, job: str, timeout_s: float, poll_s: float = 0.2) -> None:
        """Wait until ``job`` has finished; cancel it and raise if it fails or takes too long."""
        deadline = time.monotonic() + timeout_s
        while job in self._run("lpstat", "-W", "not-completed", "-o", self.queue).split():
            if self.status().state is not DeviceState.ONLINE:
                self.cancel(job)
                raise DeviceIOError(f"CUPS queue {self.queue} stopped during job {job}; cancelled")
            if time.monotonic() > deadline:
                self.cancel(job)
                raise DeviceTimeout(f"CUPS job {job} did not finish in {timeout_s:g} s; cancelled")
            time.sleep(poll_s)
        details = self._job_block(self._run("lpstat", "-l", "-W", "completed", "-o", self.queue), job)
        self.purge_finished()
        if any(word in details for word in _FAILED):
            raise DeviceIOError(f"CUPS job {job} failed: {details.strip()[:160]}", ErrorAction.RESET)

    def purge_finished(self) -> bool:
        """Delete the queue's finished jobs and their spooled documents (``cancel -a -x``).

        Only while no job is waiting on the queue (a purge removes those too); returns whether
        it purged. Best effort: a refusal is logged, ``kioskctl doctor`` reports the setting.
        """
        try:
            if self._run("lpstat", "-W", "not-completed", "-o", self.queue).split():
                log.warning("CUPS queue %s has waiting jobs: finished jobs not purged now", self.queue)
                return False
            self._run("cancel", "-a", "-x", self.queue)
        except DeviceError as exc:
            log.warning("CUPS queue %s: finished jobs not purged (%s)", self.queue, type(exc).__name__)
            return False
        return True

    def job_files_preserved(self) -> str | None:
        """The scheduler's ``PreserveJobFiles`` when it keeps documents after a job ends (the CUPS
        default keeps them a day), ``None`` when it deletes them; raises ``DeviceError`` when the
        setting cannot be read (``cupsctl`` needs an administrator on most systems)."""
        settings = dict(line.split("=", 1) for line in self._run("cupsctl").splitlines() if "=" in line)
        value = settings.get("PreserveJobFiles", "86400 (the CUPS default)")
        return None if value.strip().lower() in _NOT_PRESERVED else value.strip()

    def cancel(self, job: str) -> None:
        """Cancel ``job`` and purge its document (best effort: it may have finished meanwhile)."""
        with contextlib.suppress(DeviceError):
            self._run("cancel", "-x", job)
        self.purge_finished()

    @staticmethod
    def _job_block(listing: str, job: str) -> str:
        lines = listing.splitlines()
        for index, line in enumerate(lines):
            if line.split()[:1] == [job]:
                block = []
                for follow in lines[index + 1 :]:
                    if not follow.startswith((" ", "\t")):
                        break
                    block.append(follow)
                return "\n".join(block)
        return ""

    def is_usable(self) -> bool:
        """``lp`` and ``lpstat`` are installed."""
        return shutil.which("lp") is not None and shutil.which("lpstat") is not None


@document_printer_backends.register("cups")
class CupsDocumentPrinter(DocumentPrinter):
    """A4 documents (PDF bytes) to a CUPS queue (``queue``, ``server``), each job followed."""

    def __init__(self, queue: str, server: str = "", job_timeout_s: float = 120.0) -> None:
        self._queue = CupsQueue(queue, server)
        self.job_timeout_s = job_timeout_s
        self._is_open = False

    def open(self) -> None:
        """Check that the queue exists (owner thread)."""
        self._queue.status()
        self._is_open = True

    def close(self) -> None:
        """Nothing to release (owner thread)."""
        self._is_open = False

    def status(self) -> DeviceStatus:
        """The queue's state (owner thread)."""
        if not self._is_open:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")
        try:
            return self._queue.status()
        except DeviceError as exc:
            return DeviceStatus(DeviceState.OFFLINE, exc.action, "no_answer")

    def info(self) -> DeviceInfo:
        """Queue and server (owner thread)."""
        return DeviceInfo("document_printer", "cups", f"CUPS queue {self._queue.queue}", "", "")

    def is_usable(self) -> bool:
        """The CUPS clients are installed (any thread)."""
        return self._queue.is_usable()

    def print_document(self, pdf: bytes, title: str) -> PrintResult:
        """Submit, follow to completion, cancel on timeout (owner thread)."""
        if not isinstance(pdf, (bytes, bytearray)) or bytes(pdf[:5]) != b"%PDF-":
            raise ValueError("the document to print is not a PDF")
        if not self._is_open:
            raise DeviceNotOpen("the document printer is not open")
        status = self._queue.status()
        if not status.is_ready:
            raise DeviceUserError(f"document printer: {status.detail}", status.action)
        from .simulated.printers import count_pdf_pages

        job = self._queue.submit(bytes(pdf), job_id_for(title), "media=A4")
        self._queue.follow(job, self.job_timeout_s)
        return PrintResult(job, count_pdf_pages(bytes(pdf)), None)

    def discard(self, job_id: str) -> None:
        """Cancel the job if CUPS still holds it, and purge what it keeps of it (owner thread)."""
        self._queue.cancel(job_id)


class CupsRawTransport(Transport):
    """ESC/POS bytes to a raw CUPS queue: collected per job and submitted with ``-o raw``."""

    supports_status = False

    def __init__(self, queue: CupsQueue) -> None:
        self.queue = queue
        self._buffer = bytearray()

    def open(self) -> None:
        """Connect (owner thread)."""
        self.queue.status()

    def close(self) -> None:
        """Disconnect; safe twice (owner thread)."""
        self._buffer.clear()

    def write(self, data: bytes) -> None:
        """Send bytes (owner thread)."""
        self._buffer += data

    def read_byte(self, timeout_s: float) -> bytes:
        """One byte, or b"" after the timeout (owner thread)."""
        return b""

    def take(self) -> bytes:
        """The job collected so far (and forget it)."""
        data, self._buffer = bytes(self._buffer), bytearray()
        return data

    def describe(self) -> str:
        """Where the printer is (no personal data)."""
        return f"cups queue {self.queue.queue}"

    def is_usable(self) -> bool:
        """Cheap probe; never raises (any thread)."""
        return self.queue.is_usable()


@receipt_printer_backends.register("cups")
class CupsReceiptPrinter(EscposReceiptPrinter):
    """ESC/POS receipts through a raw CUPS queue (``queue``, ``server``). CUPS cannot relay
    ``DLE EOT``, so the queue's state stands in for the status and each job is followed."""

    backend_name = "cups"

    def __init__(self, queue: str, server: str = "", paper_width_mm: int = 80, text_mode: str = "raster",
                 native_qr: bool = True, job_timeout_s: float = 30.0) -> None:
        self._cups = CupsQueue(queue, server)
        super().__init__(CupsRawTransport(self._cups), paper_width_mm, text_mode, native_qr)
        self.job_timeout_s = job_timeout_s

    def transport_status(self) -> DeviceStatus:
        """The CUPS queue's state."""
        return self._cups.status()

    def send_job(self, segments: list[bytes], job_id: str) -> None:
        """Send the job's segments (owner thread)."""
        transport: CupsRawTransport = self.transport  # type: ignore[assignment]
        for segment in segments:
            transport.write(segment)
        job = self._cups.submit(transport.take(), job_id, "raw")
        self._cups.follow(job, self.job_timeout_s)

    def _abort(self) -> None:
        """Nothing reached the printer yet: drop the collected bytes."""
        self.transport.take()  # type: ignore[attr-defined]
