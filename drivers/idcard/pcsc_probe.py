"""Is PC/SC usable on this machine? pcscd's socket and the readers it sees (``kioskctl doctor``).

pcscd on Debian is socket-activated: the socket may exist while the daemon sleeps, and a connect
wakes it, so "running" means "the socket accepts a connection". Readers are listed with pyscard in
a child process, because libpcsclite reads ``PCSCLITE_CSOCK_NAME`` once per process and doctor
may probe another socket than the one this process already uses. Calling thread; a few seconds at
most.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass

DEFAULT_SOCKET = "/run/pcscd/pcscd.comm"
#: Reader names of virtual readers (vsmartcard's vpcd: "Virtual PCD 00 00"), lower case: a card
#: "inserted" over the network, never a citizen's document on a terminal.
VIRTUAL_READER_MARKERS = ("virtual pcd", "vpcd")


def is_virtual_reader(name: str) -> bool:
    """True for a virtual (network-fed) reader's name (any thread)."""
    lowered = name.lower()
    return any(marker in lowered for marker in VIRTUAL_READER_MARKERS)


def pick_reader(names: list[str] | tuple[str, ...], wanted: str, allow_virtual: bool) -> str | None:
    """The first of ``names`` containing ``wanted`` ("" = any), skipping virtual readers unless
    ``allow_virtual`` (tests and the demo) *and* ``wanted`` names one: an empty ``wanted`` never
    picks a virtual reader."""
    for name in names:
        if wanted not in name:
            continue
        if is_virtual_reader(name) and not (allow_virtual and wanted):
            continue
        return name
    return None

_LIST_READERS = """
import json
from smartcard.System import readers
from smartcard.Exceptions import ListReadersException
try:
    names = [str(r) for r in readers()]
except ListReadersException as exc:
    names = []
print(json.dumps(names))
"""


def pcscd_socket() -> str:
    """The socket libpcsclite uses: ``PCSCLITE_CSOCK_NAME`` or Debian's default."""
    return os.environ.get("PCSCLITE_CSOCK_NAME") or DEFAULT_SOCKET


@dataclass(frozen=True)
class PcscReport:
    """What the probe found: ``running`` (the socket answers), the reader names, and an error."""

    socket_path: str
    running: bool
    readers: tuple[str, ...] = ()
    error: str = ""


def probe_pcsc(socket_path: str | None = None, timeout_s: float = 10.0) -> PcscReport:
    """Connect to pcscd's socket, then list its readers (only when it answers)."""
    path = socket_path or pcscd_socket()
    if not os.path.exists(path):
        return PcscReport(path, False, error="socket missing")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout_s)
            sock.connect(path)
    except OSError as exc:
        return PcscReport(path, False, error=f"socket refuses connections ({exc.strerror or exc})")
    try:
        names = _list_readers(path, timeout_s)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return PcscReport(path, True, error=f"readers not listed: {exc}")
    return PcscReport(path, True, tuple(names))


def _list_readers(path: str, timeout_s: float) -> list[str]:
    if getattr(sys, "frozen", False):  # a bundle has no interpreter to start: ask in-process
        from smartcard.Exceptions import ListReadersException
        from smartcard.System import readers

        try:
            return [str(reader) for reader in readers()]
        except ListReadersException:
            return []
    result = subprocess.run([sys.executable, "-c", _LIST_READERS], capture_output=True, text=True,
                            timeout=timeout_s, env={**os.environ, "PCSCLITE_CSOCK_NAME": path},
                            check=False)
    if result.returncode != 0:
        raise ValueError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else
                         f"exit status {result.returncode}")
    names = json.loads(result.stdout.strip().splitlines()[-1])
    if not isinstance(names, list):
        raise ValueError("unexpected answer")
    return [str(name) for name in names]
