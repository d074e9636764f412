"""TEST AND DEMO ONLY: a private pcscd with the vpcd driver, isolated from any system pcscd.

pcscd runs in its own mount namespace (``unshare -m``) with a tmpfs over ``/run/pcscd``, so its
socket never collides with a system daemon; this process reaches the socket through
``/proc/<pid>/root/run/pcscd/pcscd.comm`` via ``PCSCLITE_CSOCK_NAME`` (read by libpcsclite when
the first PC/SC context is made — set it before any pyscard use). vpcd listens on the
non-default port ``port`` (and ``port+1`` for its second slot) on loopback only by firewall-free
convention of tests: never run this on a production terminal.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_LIBRARY = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
READER_NAME = "Virtual PCD 00 00"


def free_port_pair() -> int:
    """A loopback port ``p`` with ``p+1`` also free (vpcd takes two), so parallel runs never collide."""
    import socket

    for _ in range(100):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free pair of loopback ports")


def stable_socket_link() -> str:
    """A per-process path for ``PCSCLITE_CSOCK_NAME``; set in the environment on first call.

    libpcsclite reads the variable once per process, so daemons started later (a restart test, a
    second test module) repoint this symlink instead of changing the variable.
    """
    link = os.environ.get("PCSCLITE_CSOCK_NAME")
    if not link:
        link = os.path.join(tempfile.gettempdir(), f"egov-pcscd-{os.getpid()}", "pcscd.comm")
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.environ["PCSCLITE_CSOCK_NAME"] = link
    return link


class PrivatePcscd:
    """Start/stop a pcscd in a private mount namespace with one vpcd reader on ``port``.

    :meth:`start` points :func:`stable_socket_link` at the new daemon, so pyscard in this process
    talks to it.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port_pair()
        self.process: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @staticmethod
    def missing() -> str | None:
        """What is missing to run (a Debian package name), or None."""
        if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
            return "pcscd"
        if not Path(VPCD_LIBRARY).exists():
            return "vsmartcard-vpcd"
        if shutil.which("unshare") is None:
            return "util-linux"
        return None

    @property
    def socket_path(self) -> str:
        """The daemon's socket as seen from outside its namespace."""
        assert self.process is not None
        return f"/proc/{self.process.pid}/root/run/pcscd/pcscd.comm"

    def start(self, timeout_s: float = 10.0) -> str:
        """Start the daemon; returns the socket path for ``PCSCLITE_CSOCK_NAME``."""
        self._dir = tempfile.TemporaryDirectory(prefix="pcscd-")
        readers = Path(self._dir.name) / "readers"
        readers.mkdir()
        (readers / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{self.port:X}\n'
            f"LIBPATH {VPCD_LIBRARY}\nCHANNELID 0x{self.port:X}\n")
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        script = (f"mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd && "
                  f"exec {pcscd} -f -c {readers}")
        # The daemon keeps its own copy of the log's descriptor; ours closes once it has started.
        with open(Path(self._dir.name) / "pcscd.log", "wb") as log_file:
            self.process = subprocess.Popen(
                ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while not os.path.exists(self.socket_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log()
                self.stop()
                raise RuntimeError(f"private pcscd did not start: {log[-500:]}")
            time.sleep(0.05)
        link = stable_socket_link()
        if os.path.dirname(link) and os.path.isdir(os.path.dirname(link)):
            temporary = link + ".new"
            if os.path.lexists(temporary):
                os.unlink(temporary)
            os.symlink(self.socket_path, temporary)
            os.replace(temporary, link)
        return self.socket_path

    def log(self) -> str:
        """The daemon's output so far."""
        if self._dir is None:
            return ""
        path = Path(self._dir.name) / "pcscd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the daemon (idempotent)."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
            self.process = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
