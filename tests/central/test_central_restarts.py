"""Restarts of the platform: the systemd unit stops the whole process group, and uvicorn workers
whose supervisor was killed alone end by themselves and free the port."""

from __future__ import annotations

import configparser
import os
import signal
import socket
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "kiosk-central.service"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_unit_stops_and_restarts_the_whole_process_group() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(UNIT)
    service = parser["Service"]
    assert service["KillMode"] == "control-group" and service["Restart"] == "on-failure"
    assert "kiosk-central serve" in service["ExecStart"] and "--workers" in service["ExecStart"]
    assert service["UMask"] == "0077" and service["StateDirectoryMode"] == "0700"


def test_workers_end_when_their_supervisor_is_killed_alone(new_central) -> None:
    server = new_central()
    server.workers = 2
    server.start()
    supervisor = server.process.pid
    # Both workers answer once they are up (the supervisor forwards nothing: they share the port).
    end = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < end and len(workers) < 2:
        workers = [pid for pid in _children(supervisor)
                   if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
        time.sleep(0.1)
    assert len(workers) == 2, workers
    assert httpx.get(f"{server.url}/v1/health").status_code == 200
    os.kill(supervisor, signal.SIGKILL)  # the parent alone
    server.process.wait()
    end = time.monotonic() + 60  # a bound on waiting, not a timing assertion
    while time.monotonic() < end and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # leave nothing behind whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
    assert _port_free(server.port)
