"""kioskctl doctor: verdicts and fixes under simulated faults, against real daemons where we can
start one (pcscd in a private namespace, cupsd on a private port, the central server)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cli import main
from kiosk.config import KioskConfig
from kiosk.doctor import (
    FAIL,
    OK,
    WARN,
    Seams,
    check_clock,
    check_csca,
    check_cups,
    check_cups_job_files,
    check_disk,
    check_pcsc,
    check_voice,
    exit_code,
    run_checks,
)


def config_for(tmp_path: Path, **devices) -> KioskConfig:
    return KioskConfig().with_overrides(storage={"data_dir": str(tmp_path / "data")}, devices=devices)


def by_name(checks, name: str):
    found = [check for check in checks if check.name == name]
    assert found, [check.name for check in checks]
    return found[0]


# ---- pcscd and readers ------------------------------------------------------------------------

PCSC = {"id_reader": {"backend": "pcsc", "options": {}}}


def test_pcscd_not_running_fails_with_the_fix(tmp_path: Path) -> None:
    checks = check_pcsc(config_for(tmp_path, **PCSC), Seams(pcscd_socket=str(tmp_path / "pcscd.comm")))
    assert [c.verdict for c in checks] == [FAIL]
    assert "not running" in checks[0].detail and "systemctl enable --now pcscd.socket" in checks[0].fix


def test_a_dead_pcscd_socket_fails(tmp_path: Path) -> None:
    path = tmp_path / "pcscd.comm"
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(path))  # the file stays, nobody listens: a crashed daemon
    [check] = check_pcsc(config_for(tmp_path, **PCSC), Seams(pcscd_socket=str(path)))
    assert check.verdict == FAIL and "refuses connections" in check.detail


def _private_pcscd(readers_conf: str):
    """A real pcscd in its own mount namespace with ``readers_conf`` (may be empty)."""
    folder = Path(tempfile.mkdtemp(prefix="doctor-pcscd-"))
    (folder / "readers").mkdir()
    if readers_conf:
        (folder / "readers" / "vpcd").write_text(readers_conf)
    script = (f"mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd && "
              f"exec {shutil.which('pcscd') or '/usr/sbin/pcscd'} -f -c {folder / 'readers'}")
    process = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    path = f"/proc/{process.pid}/root/run/pcscd/pcscd.comm"
    deadline = time.monotonic() + 10
    while not os.path.exists(path):
        assert process.poll() is None and time.monotonic() < deadline, "private pcscd did not start"
        time.sleep(0.05)
    return process, path, folder


def _stop(process, folder: Path) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


def test_no_reader_on_a_running_pcscd_fails_and_a_present_one_passes(tmp_path: Path) -> None:
    from drivers.idcard.emulator.pcscd import VPCD_LIBRARY, PrivatePcscd, free_port_pair

    assert PrivatePcscd.missing() is None, "run tools/setup-system.sh"
    process, path, folder = _private_pcscd("")
    try:
        checks = check_pcsc(config_for(tmp_path, **PCSC), Seams(pcscd_socket=path))
    finally:
        _stop(process, folder)
    assert [(c.name, c.verdict) for c in checks] == [("pcscd", OK), ("pc/sc readers", FAIL)]
    assert "pcscd sees: none" in checks[1].detail and "plug the passport reader in" in checks[1].fix

    port = free_port_pair()
    process, path, folder = _private_pcscd(
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{port:X}\nLIBPATH {VPCD_LIBRARY}\n'
        f"CHANNELID 0x{port:X}\n")
    try:
        wanted = {"id_reader": {"backend": "pcsc", "options": {"reader_name": "Virtual PCD",
                                                               "allow_virtual_readers": True}}}
        checks = check_pcsc(config_for(tmp_path, **wanted), Seams(pcscd_socket=path))
        terminal = check_pcsc(config_for(tmp_path, **PCSC), Seams(pcscd_socket=path))
        other = {"id_reader": {"backend": "pcsc", "options": {"reader_name": "ACS ACR1281"}}}
        missing = check_pcsc(config_for(tmp_path, **other), Seams(pcscd_socket=path))
    finally:
        _stop(process, folder)
    assert [c.verdict for c in checks] == [OK, OK] and "Virtual PCD" in checks[1].detail
    assert terminal[1].verdict == FAIL and "virtual reader (refused)" in terminal[1].detail
    assert "purge vsmartcard-vpcd" in terminal[1].fix
    assert missing[1].verdict == FAIL and "no reader named 'ACS ACR1281'" in missing[1].detail


def test_a_passport_reader_without_csca_certificates_fails_outside_the_demo(tmp_path: Path) -> None:
    from drivers.idcard.emulator.document import make_pki

    [bare] = check_csca(config_for(tmp_path, **PCSC))
    assert bare.verdict == FAIL and "not authenticated" in bare.detail and "csca_path" in bare.fix
    demo = config_for(tmp_path, **PCSC).with_overrides(ui={"demo_controls": True})
    assert [c.verdict for c in check_csca(demo)] == [WARN]
    csca = tmp_path / "csca.pem"
    csca.write_bytes(make_pki().csca_pem)
    configured = {"id_reader": {"backend": "pcsc", "options": {"csca_path": str(csca)}}}
    assert [(c.verdict, c.detail) for c in check_csca(config_for(tmp_path, **configured))] == [(OK, f"1 in {csca}")]
    broken = {"id_reader": {"backend": "pcsc", "options": {"csca_path": str(tmp_path / "none.pem")}}}
    assert [c.verdict for c in check_csca(config_for(tmp_path, **broken))] == [FAIL]
    assert check_csca(config_for(tmp_path)) == []  # no passport reader, nothing to say
    names = [c.name for c in run_checks(config_for(tmp_path, **PCSC), Seams(open_devices=False,
                                                                             pcscd_socket="/nonexistent"))]
    assert "csca certificates" in names


def test_pcsc_is_only_checked_when_configured(tmp_path: Path) -> None:
    assert check_pcsc(config_for(tmp_path), Seams(pcscd_socket="/nonexistent")) == []


# ---- serial ports -----------------------------------------------------------------------------

def test_serial_ports_missing_wrong_and_present(tmp_path: Path) -> None:
    plain = tmp_path / "not-a-tty"
    plain.write_text("")
    primary, secondary = os.openpty()
    try:
        config = config_for(
            tmp_path,
            id_reader={"backend": "multi", "options": {"readers": [
                {"backend": "sam", "options": {"port": "/dev/ttyUSB-missing"}},
                {"backend": "sam", "options": {"port": os.ttyname(secondary)}}]}},
            receipt_printer={"backend": "serial", "options": {"port": str(plain)}})
        checks = [c for c in run_checks(config, Seams(pcscd_socket="/nonexistent")) if c.name.startswith("serial")]
    finally:
        os.close(primary)
        os.close(secondary)
    assert [c.verdict for c in checks] == [FAIL, OK, FAIL]
    assert "does not exist" in checks[0].detail and "USB cable" in checks[0].fix
    assert "opens" in checks[1].detail
    assert "not a character device" in checks[2].detail


# ---- CUPS -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cupsd():
    """A private cupsd on a loopback port with one raw queue RECEIPT (its device a file)."""
    root = Path(tempfile.mkdtemp(prefix="doctor-cupsd-"))
    port = _free_port()
    for name in ("spool", "cache", "state", "log", "ppd"):
        (root / name).mkdir()
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nCacheDir {root}/cache\nStateDir {root}/state\n"
        f"TempDir {root}/spool\nErrorLog {root}/log/error_log\nAccessLog {root}/log/access_log\n"
        f"PageLog {root}/log/page_log\nPrintcap {root}/printcap\nFileDevice Yes\nSandboxing Relaxed\n")
    (root / "cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nWebInterface No\nBrowsing No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order allow,deny\n    Allow all\n  </Limit>\n</Policy>\n")
    process = subprocess.Popen([shutil.which("cupsd") or "/usr/sbin/cupsd", "-f", "-c", str(root / "cupsd.conf"),
                                "-s", str(root / "cups-files.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while "is running" not in subprocess.run(["lpstat", "-h", server, "-r"], capture_output=True, text=True).stdout:
        assert time.monotonic() < deadline and process.poll() is None, "cupsd did not start"
        time.sleep(0.1)
    subprocess.run(["lpadmin", "-h", server, "-p", "RECEIPT", "-E", "-v", f"file://{root}/out.bin", "-m", "raw"],
                   check=True, capture_output=True)
    yield server
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


def test_cups_queue_present_absent_disabled_and_no_scheduler(cupsd: str, tmp_path: Path) -> None:
    def check(queue: str, server: str = cupsd):
        return check_cups(config_for(tmp_path, receipt_printer={
            "backend": "cups", "options": {"queue": queue, "server": server}}), "receipt_printer")

    assert check("RECEIPT").verdict == OK
    absent = check("A4")
    assert absent.verdict == FAIL and "does not exist" in absent.detail and "lpadmin -p A4" in absent.fix
    subprocess.run(["cupsdisable", "-h", cupsd, "RECEIPT"], check=True, capture_output=True)
    try:
        disabled = check("RECEIPT")
    finally:
        subprocess.run(["cupsenable", "-h", cupsd, "RECEIPT"], check=True, capture_output=True)
    assert disabled.verdict == FAIL and "cupsenable RECEIPT" in disabled.fix
    dead = check("RECEIPT", f"127.0.0.1:{_free_port()}")
    assert dead.verdict == FAIL and "not running" in dead.detail and "systemctl enable --now cups" in dead.fix


def test_cups_that_keeps_printed_documents_fails_with_the_fix(cupsd: str, tmp_path: Path) -> None:
    # CUPS keeps a finished job's document (an A4 form: every answer) in its spool for a day by
    # default; the doctor asks for PreserveJobFiles No.
    config = config_for(tmp_path, receipt_printer={"backend": "cups", "options": {"queue": "RECEIPT", "server": cupsd}})
    kept = check_cups_job_files(config, "receipt_printer")
    assert kept.verdict == FAIL and "PreserveJobFiles 86400" in kept.detail
    assert "cupsctl PreserveJobFiles=No" in kept.fix
    names = [c.name for c in run_checks(config, Seams(open_devices=False, pcscd_socket="/nonexistent"))]
    assert "cups job files (receipt_printer)" in names
    subprocess.run(["cupsctl", "-h", cupsd, "PreserveJobFiles=No"], check=True, capture_output=True)
    deadline = time.monotonic() + 15  # cupsctl restarts the scheduler with the new setting
    while "is running" not in subprocess.run(["lpstat", "-h", cupsd, "-r"], capture_output=True, text=True).stdout:
        assert time.monotonic() < deadline, "cupsd did not come back"
        time.sleep(0.1)
    assert check_cups_job_files(config, "receipt_printer").verdict == OK
    assert check_cups_job_files(config_for(tmp_path), "receipt_printer") is None  # not a cups printer
    unreadable = check_cups_job_files(config_for(tmp_path, receipt_printer={
        "backend": "cups", "options": {"queue": "RECEIPT", "server": f"127.0.0.1:{_free_port()}"}}), "receipt_printer")
    assert unreadable.verdict == WARN and "PreserveJobFiles" in unreadable.fix


# ---- clock, disk, enrollment --------------------------------------------------------------------

def test_clock_skew_against_the_real_central(demo, tmp_path: Path) -> None:
    config = KioskConfig().with_overrides(central={"url": demo.central.url})

    def shifted(seconds: float) -> Seams:
        return Seams(now=lambda: datetime.now(UTC) + timedelta(seconds=seconds))

    assert check_clock(config, shifted(0)).verdict == OK
    warn = check_clock(config, shifted(-90))
    assert warn.verdict == WARN and "behind" in warn.detail and "timedatectl" in warn.fix
    fail = check_clock(config, shifted(400))
    assert fail.verdict == FAIL and "ahead of" in fail.detail and "refuses" in fail.detail
    offline = check_clock(KioskConfig().with_overrides(central={"url": f"http://127.0.0.1:{_free_port()}"}),
                          shifted(0))
    assert offline.verdict == WARN and "not reachable" in offline.detail


def test_disk_low_fails_and_nearly_low_warns(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    floor = config.storage.min_free_mb * 1024 * 1024
    low = check_disk(config, Seams(free_bytes=lambda path: floor // 2))
    assert low.verdict == FAIL and "refused" in low.detail and "never delete kiosk.db" in low.fix
    assert check_disk(config, Seams(free_bytes=lambda path: floor * 3 // 2)).verdict == WARN
    assert check_disk(config, Seams(free_bytes=lambda path: floor * 3)).verdict == OK


def test_not_enrolled_is_a_failure_and_json_reports_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                    f'[central]\nurl = "http://127.0.0.1:{_free_port()}"\n', encoding="utf-8")
    assert main(["--config", str(path), "doctor", "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 2
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["enrollment"]["verdict"] == FAIL and "kioskctl enroll" in checks["enrollment"]["fix"]
    assert checks["clock"]["verdict"] == WARN and checks["terminal key"]["verdict"] == WARN
    assert checks["camera"]["verdict"] == OK and "one frame read" in checks["camera"]["detail"]


def test_exit_codes() -> None:
    from kiosk.doctor import Check

    assert exit_code([Check("a", OK, "")]) == 0
    assert exit_code([Check("a", OK, ""), Check("b", WARN, "")]) == 1
    assert exit_code([Check("a", WARN, ""), Check("b", FAIL, "")]) == 2


def test_inside_a_running_kiosk_devices_are_left_to_their_owners(tmp_path: Path) -> None:
    config = config_for(tmp_path, receipt_printer={"backend": "serial", "options": {"port": "/dev/ttyUSB-missing"}})
    names = [c.name for c in run_checks(config, Seams(open_devices=False, pcscd_socket="/nonexistent"))]
    assert "camera" not in names and not any(name.startswith("serial") for name in names)
    assert {"disk", "cjk font", "enrollment", "clock"} <= set(names)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(
    r"(Mon|Tue), [0-9]{1,2} (Jan|Nov|Foo) [0-9]{1,5} [0-9]{1,2}:[0-9]{2}:[0-9]{2} (GMT|-0000|\+1400|UT)?",
    fullmatch=True))
def test_any_date_header_parses_or_is_refused(text: str) -> None:
    from sync.clock_probe import parse_http_date

    moment = parse_http_date(text)
    assert moment is None or moment.tzinfo is not None


def test_a_real_date_header_parses() -> None:
    from sync.clock_probe import parse_http_date

    assert parse_http_date("Thu, 26 Nov 2026 17:04:02 GMT") == datetime(2026, 11, 26, 17, 4, 2, tzinfo=UTC)
    assert parse_http_date("Thu, 26 Nov 2026 17:04:02 -0000").tzinfo is not None


def test_voice_without_speech_dispatcher_warns_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))   # a machine where nothing of the engine is installed
    check = check_voice(KioskConfig())
    assert check.verdict == WARN and "not spoken" in check.detail
    assert "apt-get install speech-dispatcher speech-dispatcher-espeak-ng espeak-ng" in check.fix


def test_voice_with_speech_dispatcher_and_both_voices_passes() -> None:
    # tools/setup-system.sh installs speech-dispatcher, its espeak-ng module and espeak-ng.
    check = check_voice(KioskConfig())
    assert check.verdict == OK, check
    assert "Mandarin and English" in check.detail


def test_voice_switched_off_in_the_configuration_is_fine() -> None:
    check = check_voice(KioskConfig().with_overrides(ui={"voice_engine": "none"}))
    assert check.verdict == OK and "off in the configuration" in check.detail
