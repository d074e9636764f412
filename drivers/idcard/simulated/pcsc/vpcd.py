"""TEST AND DEMO ONLY: connect an :class:`~.card.EmrtdCard` to vsmartcard's ``vpcd`` driver.

vpcd (loaded by pcscd) listens on a TCP port; we are the client. Every message is a big-endian
uint16 length and a payload; a 1-byte payload is a control byte (00 power off, 01 power on,
02 reset, 04 get ATR), anything else an APDU. The card is "inserted" while the connection is open,
so :meth:`VirtualCard.remove` simply closes the socket.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

from .card import EmrtdCard

log = logging.getLogger(__name__)
#: Seconds between a removal and the next insertion (pcscd's vpcd poll is 0.4 s).
REPRESENT_DELAY_S = 0.5


class VirtualCard:
    """Serves ``card`` to vpcd on ``host:port`` from a thread between :meth:`insert` and :meth:`remove`.

    ``remove_after`` (scriptable fault) pulls the card after that many APDUs of the current
    insertion. ``delay_s`` adds a per-APDU delay (a slow chip).
    """

    def __init__(self, card: EmrtdCard, port: int, host: str = "127.0.0.1") -> None:
        self.card = card
        self.host, self.port = host, port
        self.remove_after: int | None = None
        self.delay_s = 0.0
        self.apdus = 0
        self._removed_at = 0.0
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def insert(self, timeout_s: float = 10.0) -> None:
        """Connect to vpcd (retrying while pcscd starts) and serve the card."""
        self.remove()
        # pcscd polls vpcd every 0.4 s; a card back before it saw the absence would be taken for
        # the old, unpowered one. Real hands are slower than that anyway.
        time.sleep(max(0.0, self._removed_at + REPRESENT_DELAY_S - time.monotonic()))
        sock = self._connect(timeout_s)
        self.card.reset()
        self.apdus = 0
        with self._lock:
            self._socket = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="vicc", daemon=True)
        self._thread.start()

    def _connect(self, timeout_s: float) -> socket.socket:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def remove(self) -> None:
        """Pull the card: close the connection (idempotent)."""
        with self._lock:
            sock, self._socket = self._socket, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            self._removed_at = time.monotonic()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self._thread = None

    @property
    def inserted(self) -> bool:
        """True while connected to vpcd."""
        return self._socket is not None

    def _serve(self, sock: socket.socket) -> None:
        spoken = False
        try:
            while True:
                try:
                    header = _recv(sock, 2)
                except (OSError, EOFError):
                    if spoken or self._socket is not sock:
                        raise
                    # vpcd re-creates its listening socket after a removal, dropping a connection
                    # it never served: connect again, this is still an insertion.
                    replacement = self._connect(5.0)
                    with self._lock:
                        if self._socket is not sock:
                            replacement.close()
                            return
                        self._socket = replacement
                    sock.close()
                    sock = replacement
                    continue
                spoken = True
                payload = _recv(sock, int.from_bytes(header, "big"))
                reply = self._handle(payload)
                if reply is None:
                    continue
                if self.remove_after is not None and self.apdus >= self.remove_after:
                    self.remove_after = None
                    return  # pulled: the connection closes below, unanswered
                sock.sendall(len(reply).to_bytes(2, "big") + reply)
        except (OSError, EOFError):
            return
        finally:
            with self._lock:
                if self._socket is sock:
                    self._socket = None
                    self._removed_at = time.monotonic()
            sock.close()

    def _handle(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            if payload[0] == 0x04:
                return self.card.atr()
            if payload[0] in (0x00, 0x01, 0x02):
                self.card.reset()
            return None
        self.apdus += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        return self.card.process(payload)


def _recv(sock: socket.socket, count: int) -> bytes:
    data = bytearray()
    while len(data) < count:
        # vpcd writes the length and the APDU in two segments; acknowledging at once avoids a
        # 40 ms delayed-ACK stall per APDU (Nagle on vpcd's side waits for our ACK).
        sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, "TCP_QUICKACK", 12), 1)
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)
