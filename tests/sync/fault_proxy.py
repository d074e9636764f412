"""A loopback HTTP fault proxy for the sync tests: between the terminal and ``kiosk-central`` it
drops connections before or after the request reaches the server, delays, answers 500/502/503 or
429 itself, or plays a captive portal answering 200 with a login page. ``scripted`` faults come
first, in order; ``resend`` (only scripted) sends the request twice and hands back the second
answer, as a retrying intermediary does."""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter

FAULTS = ("pass", "drop_before", "drop_after", "delay", "500", "502", "503", "429", "captive")


class FaultProxy:
    """``FaultProxy(upstream_port, fault_rate, seed).start()``; ``url``; ``stop()``; ``seen``."""

    def __init__(self, upstream_port: int, fault_rate: float = 0.3, seed: int = 1) -> None:
        self.upstream_port = upstream_port
        self.fault_rate = fault_rate
        self.rng = random.Random(seed)
        self.seen: Counter[str] = Counter()
        self.enabled = True
        self.scripted: list[str] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            async def close_connections() -> None:
                # Connections still open (keep-alive) are closed on the loop, before it stops.
                self._server.close()
                for writer in list(self._writers):
                    writer.close()
                for _ in range(3):
                    await asyncio.sleep(0)

            asyncio.run_coroutine_threadsafe(close_connections(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    def _pick(self) -> str:
        if self.scripted:
            return self.scripted.pop(0)
        if not self.enabled or self.rng.random() >= self.fault_rate:
            return "pass"
        return self.rng.choice(FAULTS[1:])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                body = await reader.readexactly(_length(head))
                fault = self._pick()
                self.seen[fault] += 1
                if fault == "drop_before":
                    return
                if fault == "delay":
                    await asyncio.sleep(self.rng.uniform(0.01, 0.15))
                if fault in ("500", "502", "503", "429", "captive"):
                    status = 200 if fault == "captive" else int(fault)
                    page = b"<html><body>Please log in to the Wi-Fi</body></html>"
                    writer.write(b"HTTP/1.1 %d Fault\r\nContent-Type: text/html\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (status, len(page), page))
                    await writer.drain()
                    continue
                response = await self._forward(head, body)
                if fault == "resend":  # the first answer is lost on the way
                    response = await self._forward(head, body)
                if fault == "drop_after":  # the server did the work; the answer is lost
                    return
                writer.write(response)
                await writer.drain()
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port)
        try:
            upstream_writer.write(head + body)
            await upstream_writer.drain()
            response_head = await upstream_reader.readuntil(b"\r\n\r\n")
            length = _length(response_head)
            return response_head + await upstream_reader.readexactly(length)
        finally:
            upstream_writer.close()


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0
