"""``make demo`` for staff: kioskctl finds the demo's terminal, and the demo's central server
keeps its port across restarts and never outlives the kiosk that started it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kiosk import demo as demo_module
from kiosk.cli import main
from kiosk.config import KioskConfig
from kiosk.demo import start_demo
from sync.local_central import LocalCentral, free_port


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate, what: str, deadline_s: float = 30.0) -> None:
    end = time.monotonic() + deadline_s
    while not predicate():
        assert time.monotonic() < end, what
        time.sleep(0.05)


def test_kioskctl_demo_finds_the_running_demo_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(demo_module, "DEMO_DATA_DIR", tmp_path)
    assert main(["--demo", "queue"]) == 2
    assert "make demo" in capsys.readouterr().err

    running = start_demo(KioskConfig(), data_dir=tmp_path)
    try:
        printed = capsys.readouterr().out
        assert "kioskctl --demo queue" in printed   # said at start-up
        assert main(["--demo", "doctor", "--json"]) in (0, 1)
        checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
        # The demo's own enrolled terminal and its central server, with no config written by hand.
        assert checks["enrollment"]["verdict"] == "ok", checks["enrollment"]
        assert checks["clock"]["verdict"] == "ok", checks["clock"]
        assert main(["--demo", "queue"]) == 0
        assert main(["--demo", "staff", "list"]) == 0
        assert "demo" in capsys.readouterr().out
    finally:
        running.stop()


def test_the_central_server_restarts_on_its_port_right_after_a_stop(tmp_path: Path) -> None:
    port = free_port()
    central = LocalCentral(tmp_path / "central", port)
    central.start()
    with httpx.Client() as client:   # a kept-alive connection: the server closes it when stopped
        assert client.get(f"{central.url}/v1/health").status_code == 200
        central.stop()
    # The server's side of that connection is in TIME_WAIT now; the port is still the demo's.
    assert free_port(port) == port
    again = LocalCentral(tmp_path / "central", free_port(port))
    again.start()
    try:
        assert again.port == port
    finally:
        again.stop()


def test_a_killed_kiosk_leaves_no_central_server_behind(tmp_path: Path) -> None:
    port = free_port()
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sync.local_central import LocalCentral\n"
        f"central = LocalCentral(Path({str(tmp_path / 'central')!r}), {port})\n"
        "central.start()\n"
        "print(central.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    kiosk = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(kiosk.stdout.readline())
        assert listening(port)
        os.kill(kiosk.pid, signal.SIGKILL)   # no shutdown code runs
        kiosk.wait()
        wait_for(lambda: not listening(port), "the central server outlived the kiosk")
        wait_for(lambda: not Path(f"/proc/{server_pid}").exists()
                 or "Z" in Path(f"/proc/{server_pid}/stat").read_text().split()[2],
                 "the central server process is still running")
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()


def test_the_demo_runs_the_netid_simulator_and_points_the_terminal_at_it(tmp_path: Path) -> None:
    from sync.netid import HttpNetIdVerifier

    running = start_demo(KioskConfig(), data_dir=tmp_path, central_port=0)
    try:
        url = running.config.netid.url
        assert url and url != running.config.central.url
        assert demo_module.running_demo_config(tmp_path).netid.url == url  # kioskctl --demo sees it too
        verifier = HttpNetIdVerifier(url)
        assert verifier.verify(verifier.issue_demo_code("valid", 2)).proved_by == "netid+face"
        verifier.close()
    finally:
        running.stop()
    assert running.netid is not None and running.netid.process is None
    assert not listening(int(url.rsplit(":", 1)[1]))


def test_the_demo_prints_the_back_office_and_a_case_worker_login_that_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(demo_module, "DEMO_DATA_DIR", tmp_path)
    running = start_demo(KioskConfig(), data_dir=tmp_path, central_port=0)
    try:
        printed = capsys.readouterr().out
        login = json.loads((tmp_path / demo_module.BACK_OFFICE_LOGIN).read_text())
        assert (tmp_path / demo_module.BACK_OFFICE_LOGIN).stat().st_mode & 0o077 == 0
        assert f"back office (case workers) at {running.central.url}/cases" in printed
        assert f"name {login['name']}, password {login['password']}" in printed
        assert demo_module.main(["code"]) == 0
        code = capsys.readouterr().out.strip()
        assert len(code) == 6 and code.isdigit()
        with httpx.Client(base_url=running.central.url) as browser:
            assert browser.get("/cases", headers={"accept": "text/html"}).headers[
                "location"] == "/login"
            browser.get("/login")
            answer = browser.post("/login", data={
                "csrf": browser.cookies["egov_login_csrf"], "name": login["name"],
                "password": login["password"],
                "code": demo_module.BackOfficeLogin(**login).code()})
            assert answer.status_code == 303, answer.text
            # The one-time password's session may only choose a new one.
            assert browser.get("/cases", headers={"accept": "text/html"}).headers[
                "location"] == "/password"
    finally:
        running.stop()
    again = start_demo(KioskConfig(), data_dir=tmp_path, central_port=0)
    try:   # the same folder keeps its login
        assert f"password {login['password']}" in capsys.readouterr().out
    finally:
        again.stop()
