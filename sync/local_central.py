"""The platform in a subprocess on loopback: for ``kiosk --demo`` and the tests; likewise the
网证 verification simulator (:class:`LocalNetIdService`, ``python -m netid_sim``).

The platform runs as its own process (``kiosk-central``), exactly as an operator would run it, so
the terminal talks to it over real HTTP; tokens come from its command line. Nothing here imports
the platform's package (``central``): a terminal never does.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from egov_protocol.keys import PlatformKeys
from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE


def free_port(preferred: int = 0) -> int:
    """``preferred`` if it is free on 127.0.0.1, else any free port.

    A port whose last server has just stopped (its connections in TIME_WAIT) counts as free, as
    it does for the server, which binds with SO_REUSEADDR: a restarted demo keeps its address.
    """
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            bound: int = sock.getsockname()[1]
            return bound
    raise OSError("no free TCP port on 127.0.0.1")


def _end_with_parent() -> None:
    """In the child, before exec: the kernel sends it SIGTERM when the process that started it
    dies, however it dies, so a crashed or killed kiosk leaves no server holding the port."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class LocalCentral:
    """A real ``kiosk-central`` on ``127.0.0.1:port`` with its data in ``data_dir``.

    ``start`` blocks until the server answers its health check (call it off the GUI thread);
    ``log`` receives the server's output (default: discarded).
    """

    data_dir: Path
    port: int
    log: IO[bytes] | None = None
    process: subprocess.Popen[bytes] | None = None
    database_url: str | None = None
    workers: int = 1
    #: More ``kiosk-central serve`` options (e.g. ``--operator-listen HOST:PORT``).
    serve_args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline_s: float = 30.0) -> None:
        """Start the process and wait until it answers as a central server."""
        def answers() -> bool:
            response = httpx.get(f"{self.url}/v1/health", timeout=0.5)
            return bool(response.headers.get(CENTRAL_HEADER) == CENTRAL_HEADER_VALUE)
        self.process = _start_until_ready(
            [*self._command("serve"), "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", "--workers", str(self.workers), *self.serve_args],
            self.log, answers, "kiosk-central", deadline_s)

    def stop(self) -> None:
        """Terminate the server and wait for it (idempotent)."""
        _stop(self.process)
        self.process = None

    def _command(self, name: str) -> list[str]:
        """``kiosk-central NAME`` on this platform's data folder and database."""
        script = Path(sys.executable).with_name("kiosk-central")
        program = [str(script)] if script.exists() else [sys.executable, "-m", "central"]
        return [*program, name, "--data-dir", str(self.data_dir),
                *(["--database-url", self.database_url] if self.database_url else [])]

    def ensure_demo_seal(self) -> None:
        """Give the platform a demo seal (``kiosk-central seal init --demo``) unless it has one,
        so it can issue signed certificates. Demo and tests only: a real platform installs its
        seal (``seal install``)."""
        if (self.data_dir / "seal" / "seal-key.pem").exists():
            return
        result = subprocess.run([*self._command("seal"), "init", "--demo"],
                                capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise RuntimeError(f"kiosk-central seal init failed: {result.stderr.strip()}")

    def add_operator(self, name: str, role: str) -> tuple[str, str]:
        """A new operator account (``kiosk-central operator add NAME --role ROLE``): its one-time
        password and its TOTP enrolment URI (``otpauth://...``), as the command prints them once.
        Raises :class:`RuntimeError` when the command fails (e.g. the name is taken)."""
        result = subprocess.run([*self._command("operator"), "add", name, "--role", role],
                                capture_output=True, text=True, timeout=60)
        printed = dict(line.split(": ", 1) for line in result.stdout.splitlines()
                       if line.startswith(("password: ", "totp: ")))
        if result.returncode or set(printed) != {"password", "totp"}:
            raise RuntimeError(f"kiosk-central operator add failed: {result.stderr.strip()}")
        return printed["password"], printed["totp"]

    def issue_token(self, terminal_id: str | None = None) -> str:
        """A one-time enrollment token, from ``kiosk-central issue-token`` as an operator runs it."""
        result = subprocess.run(
            [*self._command("issue-token"), *(["--terminal-id", terminal_id] if terminal_id else [])],
            capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise RuntimeError(f"kiosk-central issue-token failed: {result.stderr.strip()}")
        return result.stdout.strip().splitlines()[-1]

    def platform_x25519(self) -> bytes:
        """The platform's public sealing key, read from the server's own data folder."""
        return PlatformKeys.load_or_create(self.data_dir / "keys").x25519_public


@dataclass
class LocalNetIdService:
    """The 网证 verification simulator (``python -m netid_sim``) on ``127.0.0.1:port``, ended
    with the process that started it. ``start`` blocks until it answers (off the GUI thread)."""

    port: int
    log: IO[bytes] | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the running simulator."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline_s: float = 30.0) -> None:
        """Start the process and wait until its health check answers."""
        self.process = _start_until_ready(
            [sys.executable, "-m", "netid_sim", "--host", "127.0.0.1", "--port", str(self.port)],
            self.log, lambda: httpx.get(f"{self.url}/v1/health", timeout=0.5).status_code == 200,
            "the 网证 simulator", deadline_s)

    def stop(self) -> None:
        """Terminate the simulator and wait for it (idempotent)."""
        _stop(self.process)
        self.process = None


def _start_until_ready(command: list[str], log: IO[bytes] | None, ready: Callable[[], bool],
                       name: str, deadline_s: float) -> subprocess.Popen[bytes]:
    """Start ``command`` (ended with this process) and wait until ``ready()`` says it answers;
    RuntimeError when it exits first or is not ready within ``deadline_s``."""
    process = subprocess.Popen(command, stdout=log if log is not None else subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, preexec_fn=_end_with_parent)
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early with status {process.returncode}")
        try:
            if ready():
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    _stop(process)
    raise RuntimeError(f"{name} did not become ready")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
