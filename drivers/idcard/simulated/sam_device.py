"""A SAM-reader simulator that ships with the product: the GA 467 frame protocol on a pty.

The simulator owns the master side of a pseudo-terminal pair and answers command frames like a
real reader; :attr:`SimulatedSamDevice.port` is the slave path to give the ``sam`` backend (or any
vendor tool). Cards are the built-in sample documents. Scriptable faults (any thread):

``no_card`` (find answers 80 although a card lies there), ``bad_checksum`` (the next reply's
checksum is corrupted), ``truncated`` (the next reply stops half-way), ``card_removed`` (the card
is pulled during the next read: the read answers 41 and the card is gone), ``not_authorised``
(SAM status and reads answer 66) and ``slow`` (the next reply comes after ``slow_s``).
Run ``python -m drivers.idcard.simulated.sam_device`` for a standalone reader on a printed pty path.
"""

from __future__ import annotations

import hashlib
import logging
import os
import select
import socket
import termios
import threading
import time
import tty

from ...common import FaultScript
from ..sam import frames
from ..sam.textblock import encode_text_block
from .samples import SAMPLE_DOCUMENTS

log = logging.getLogger(__name__)

FAULT_KINDS = ("no_card", "bad_checksum", "truncated", "card_removed", "not_authorised", "slow")
SAM_ID = bytes.fromhex("0501000000000000001E")
#: Sample documents a SAM reader can read (passports are not SAM cards).
SAM_DOCUMENTS = ("resident_id", "hmt_permit")


def sample_wlt(key: str) -> bytes:
    """1024 bytes standing in for a card's WLT photo (real WLT needs the licensed encoder)."""
    seed = hashlib.sha256(key.encode()).digest()
    return b"WLT\x00" + (seed * 32)[:1020]


class SimulatedSamDevice:
    """Serves the SAM protocol on a pty from a thread; :meth:`start` / :meth:`stop` bracket it."""

    def __init__(self, documents: list[str] | None = None, slow_s: float = 1.0,
                 baudrate: int | None = None) -> None:
        keys = list(documents) if documents is not None else list(SAM_DOCUMENTS)
        unknown = [k for k in keys if k not in SAM_DOCUMENTS]
        if unknown:
            raise ValueError(f"the SAM simulator cannot hold {unknown}; known: {', '.join(SAM_DOCUMENTS)}")
        self.documents = keys
        self.slow_s = slow_s
        #: Pace replies like a serial line at this rate (None: as fast as the pty goes).
        self.baudrate = baudrate
        self.faults = FaultScript(FAULT_KINDS)
        self.commands: list[tuple[int, int]] = []
        self._present: str | None = None
        self._selected = False
        self._lock = threading.Lock()
        self._master = -1
        self._slave = -1
        self._socket: socket.socket | None = None
        self.port = ""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # -- controls (any thread) ----------------------------------------------------------------
    def present(self, key: str) -> None:
        """Place sample document ``key`` on the reader."""
        if key not in self.documents:
            raise ValueError(f"document {key!r} is not offered; offered: {', '.join(self.documents)}")
        with self._lock:
            self._present, self._selected = key, False

    def remove(self) -> None:
        """Take the card away."""
        with self._lock:
            self._present, self._selected = None, False

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` occasions fail with ``kind`` (see the module docstring)."""
        self.faults.add(kind, count)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> str:
        """Open the pty pair and serve it; returns the slave path for the reader."""
        if self._thread is not None:
            return self.port
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave, termios.TCSANOW)  # no echo, no line discipline: a raw UART
        self.port = os.ttyname(self._slave)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="sam-simulator", daemon=True)
        self._thread.start()
        return self.port

    def start_tcp(self, host: str = "127.0.0.1") -> str:
        """Serve one TCP client instead of a pty (a serial-over-LAN box); returns a ``socket://`` URL."""
        if self._thread is not None:
            return self.port
        listener = socket.create_server((host, 0))
        self.port = f"socket://{host}:{listener.getsockname()[1]}"
        self._stop.clear()

        def accept() -> None:
            listener.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                listener.close()
                self._socket = connection
                self._master = connection.fileno()
                self._serve()
                return
            listener.close()

        self._thread = threading.Thread(target=accept, name="sam-simulator-tcp", daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        """Stop serving and close the pty or socket (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket, self._master = None, -1
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1

    # -- the reader ---------------------------------------------------------------------------
    def _serve(self) -> None:
        buffer = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 4096)
            except OSError:
                return
            if not chunk and self._socket is not None:
                return  # the TCP client went away
            buffer += chunk
            while True:
                start = frames.find_preamble(buffer)
                if start < 0:
                    del buffer[:-4]
                    break
                del buffer[:start]
                if len(buffer) < 7:
                    break
                total = 7 + int.from_bytes(buffer[5:7], "big")
                if len(buffer) < total:
                    break
                frame, buffer[:] = bytes(buffer[:total]), buffer[total:]
                if self.baudrate:
                    time.sleep(len(frame) * 10 / self.baudrate)  # the command's own wire time
                self._send(self._answer(frame))

    def _answer(self, frame: bytes) -> bytes:
        try:
            command, _data = frames.decode_command(frame)
        except frames.ProtocolError:
            return frames.encode_response(0x10)
        self.commands.append(command)
        with self._lock:
            return self._respond(command)

    def _respond(self, command: tuple[int, int]) -> bytes:
        denied = command in (frames.SAM_STATUS, frames.READ_TEXT_PHOTO,
                             frames.READ_TEXT_PHOTO_FINGERPRINT)
        if denied and self.faults.take("not_authorised"):
            return frames.encode_response(0x66)
        if command in (frames.RESET_SAM, frames.SAM_STATUS):
            return frames.encode_response(0x90)
        if command == frames.READ_SAM_ID:
            return frames.encode_response(0x90, SAM_ID)
        if command[0] == 0x60 and command in frames.SET_BAUD.values():
            return frames.encode_response(0x90)
        if command == frames.FIND_CARD:
            if self._present is None or self.faults.take("no_card"):
                return frames.encode_response(0x80)
            return frames.encode_response(0x9F, b"\x00\x00\x00\x00")
        if command == frames.SELECT_CARD:
            if self._present is None:
                return frames.encode_response(0x81)
            self._selected = True
            return frames.encode_response(0x90, bytes(8))
        if command in (frames.READ_TEXT_PHOTO, frames.READ_TEXT_PHOTO_FINGERPRINT):
            return self._read(command == frames.READ_TEXT_PHOTO_FINGERPRINT)
        if command == frames.READ_APPENDED_ADDRESS:
            return frames.encode_response(0x91 if self._present else 0x41)
        return frames.encode_response(0x21)

    def _read(self, with_fingerprint: bool) -> bytes:
        if self._present is None or not self._selected:
            return frames.encode_response(0x41)
        if self.faults.take("card_removed"):
            self._present, self._selected = None, False
            return frames.encode_response(0x41)
        _label, identity, _photo = SAMPLE_DOCUMENTS[self._present]
        record = frames.CardRecord(encode_text_block(identity), sample_wlt(self._present),
                                   bytes(1024) if with_fingerprint else b"")
        self._selected = False  # a real reader needs find+select before every read
        return frames.encode_response(0x90, frames.join_read_payload(record, with_fingerprint))

    def _send(self, reply: bytes) -> None:
        if self.faults.take("slow"):
            self._stop.wait(self.slow_s)
        if self.faults.take("bad_checksum"):
            reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
        if self.faults.take("truncated"):
            reply = reply[: max(8, len(reply) // 2)]
        if self.baudrate:
            time.sleep(len(reply) * 10 / self.baudrate)  # 8N1: ten bit times per byte
        view = memoryview(reply)
        while view and not self._stop.is_set():
            try:
                written = os.write(self._master, view)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            except OSError:
                return
            view = view[written:]


def main() -> None:  # pragma: no cover - manual tool
    """Run a simulator with a resident ID card placed; prints the pty path to point a reader at."""
    simulator = SimulatedSamDevice()
    port = simulator.start()
    simulator.present("resident_id")
    print(f"SAM reader simulator on {port} (resident ID card placed); Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
