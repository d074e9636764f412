"""A simulated network printer on a TCP port (9100) for the ``network`` backend: demo, training, tests.

It serves one :class:`SimulatedEscposDevice` on ``127.0.0.1`` (by default), so the ``network`` backend
runs its real socket code against a printer that answers ``DLE EOT`` and can be made to run out of
paper, open its cover or go offline. Run it with
``python -m drivers.printer.simulated.network_device --port 9100 --output-dir DIR``.
"""

from __future__ import annotations

import argparse
import socketserver
import threading
from pathlib import Path

from ..render import WIDTH_80MM
from .escpos_device import PrintedJob, SimulatedEscposDevice, write_job_files


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        """Handle."""
        printer: SimulatedNetworkPrinter = self.server.printer  # type: ignore[attr-defined]
        self.request.settimeout(0.5)
        while not printer.stopping.is_set():
            try:
                data = self.request.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            if printer.unplugged:
                continue  # an unplugged printer takes nothing and answers nothing
            answers = printer.device.feed(data)
            if answers:
                self.request.sendall(answers)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SimulatedNetworkPrinter:
    """An emulated network printer. :meth:`start` binds and serves on a thread; :meth:`stop` joins.

    ``port=0`` picks a free port (see :attr:`address`). ``output_dir`` receives each printed job as
    ``.bin``/``.png``/``.txt``. Set :attr:`unplugged` to stop it answering (a dead printer).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, output_dir: str | None = None,
                 width_px: int = WIDTH_80MM) -> None:
        self.host, self.port = host, port
        self.output_dir = Path(output_dir) if output_dir else None
        self.width_px = width_px
        self.device = SimulatedEscposDevice(on_job=self._on_job)
        self.unplugged = False
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) it listens on."""
        if self._server is None:
            raise RuntimeError("the simulated network printer is not started")
        return self._server.server_address[:2]  # type: ignore[return-value]

    def start(self) -> SimulatedNetworkPrinter:
        """Bind and serve in a background thread."""
        if self.output_dir:
            self.output_dir.mkdir(parents=True, exist_ok=True)
        self._server = _Server((self.host, self.port), _Handler)
        self._server.printer = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="simulated-network-printer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def _on_job(self, job: PrintedJob) -> None:
        if self.output_dir:
            write_job_files(self.output_dir, job, self.width_px)


def main(argv: list[str] | None = None) -> None:
    """Serve a simulated network printer until interrupted."""
    parser = argparse.ArgumentParser(description="Emulated ESC/POS network printer (raw TCP).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--output-dir", default="printed-loopback")
    parser.add_argument("--paper-width-mm", type=int, choices=(58, 80), default=80)
    args = parser.parse_args(argv)
    printer = SimulatedNetworkPrinter(args.host, args.port, args.output_dir, 384 if args.paper_width_mm == 58 else 576)
    printer.start()
    host, port = printer.address
    print(f"simulated network printer on {host}:{port}, jobs into {args.output_dir}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()


if __name__ == "__main__":
    main()
