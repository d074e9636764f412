"""A stored submission always gets its receipt: the terminal (a real process) is killed after the
submission is stored and before the receipt prints; the next start reports the receipt to staff
(the log and audit chain, maintenance mode, ``kioskctl queue``) and staff reprint it from there."""

from __future__ import annotations

import datetime as dt
import logging
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from drivers.idcard.simulated.samples import sample_identity
from kiosk.cli import main as kioskctl
from kiosk.demo import DEMO_STAFF_PIN, Demo
from kiosk.maintenance import MaintenanceService
from kiosk.receipts import PENDING, RecentReceipts, build_receipt, unprinted_receipts

HARNESS = Path(__file__).with_name("terminal_until_stored.py")
ROOT = Path(__file__).resolve().parents[2]


def _config_file(demo: Demo, tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndata_dir = "{demo.config.storage.resolved_data_dir()}"\n'
                    f'[central]\nurl = "{demo.config.central.url}"\n'
                    '[ui]\ndemo_controls = true\n[journey]\ndocument_wait_s = 0.2\n', "utf-8")
    return path


def _run_until_stored(config: Path) -> str:
    """Start the terminal process, wait for its "stored" line, SIGKILL it; the receipt number."""
    process = subprocess.Popen([sys.executable, str(HARNESS), str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=120), "the terminal never stored the submission"
        line = process.stdout.readline().split()
        assert line[:1] == ["stored"], line
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    return line[1]


@pytest.mark.timeout(300)
def test_a_terminal_killed_between_storing_and_printing_owes_the_receipt_until_staff_reprint_it(
        demo: Demo, start_core: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    data_dir = demo.config.storage.resolved_data_dir()
    config = _config_file(demo, tmp_path)
    citizen = sample_identity("resident_id")
    number = _run_until_stored(config)
    printed = data_dir / "printed" / "receipts"
    assert not list(printed.glob(f"{number}_*")), "the receipt printed before the kill"

    # kioskctl queue: the receipt is owed -- number, service, time; nothing personal.
    assert kioskctl(["--config", str(config), "queue"]) == 1
    out = capsys.readouterr().out
    (line,) = [row for row in out.splitlines() if row.startswith("NOT PRINTED")]
    assert number in line and "居住证" in line and dt.date.today().strftime("%Y-%m-%d") in line
    assert "kioskctl reprint" in out
    assert citizen.name not in out and citizen.document_number not in out

    # The next start reports it (journal and audit chain) and maintenance mode lists it.
    caplog.set_level(logging.INFO)
    driver = start_core(config=demo.config.with_overrides(journey={"document_wait_s": 0.2}), data_dir=data_dir)
    core = driver.core
    driver.wait_for(lambda s: any("was never printed" in r.getMessage() and number in r.getMessage()
                                  for r in caplog.records))
    core.audit.flush()
    assert ("receipt.unprinted", number) in [(e.kind, e.details.get("receipt_number")) for e in core.audit.events()]
    service = MaintenanceService(core, media_root=tmp_path / "media")
    try:
        service.request_entry().result()
        service.enter_pin(DEMO_STAFF_PIN).result()
        view = driver_wait(service, lambda v: v["phase"] == "signed_in" and v["queue"].get("unprinted"))
        (owed,) = view["queue"]["unprinted"]
        assert owed["receipt_number"] == number and "居住证" in owed["service"] and owed["accepted_at"]
        assert citizen.name not in str(view) and citizen.document_number not in str(view)

        service.reprint_receipt(number).result()
        view = driver_wait(service, lambda v: (v["results"].get("reprint") or {}).get("code") == "reprint_ok")
        assert view["queue"]["unprinted"] == []
    finally:
        service.stop()
    # The reprint follows the reprint rules: the remembered copy, marked 补打, without the name.
    (job,) = printed.glob(f"{number}_*.txt")
    copy = RecentReceipts(data_dir / "receipts" / "recent.json").receipt(number)
    # The job printed (raster text, its QR decoded), the QR leading to the progress page with the
    # token the terminal made when it stored the submission: a reprint keeps it.
    assert copy.qr_data and re.fullmatch(rf"http://127\.0\.0\.1:\d+/progress/{number}\?t=[\w-]{{22}}", copy.qr_data)
    assert f"[QR] {copy.qr_data}\n" in job.read_text("utf-8")
    assert copy.title.endswith("（补打）") and all(label != "申请人" for label, _ in copy.lines)
    assert citizen.name not in (data_dir / "receipts" / "recent.json").read_text("utf-8")
    core.audit.flush()
    assert ("staff.receipt_reprinted", number) in [
        (e.kind, e.details.get("receipt_number")) for e in core.audit.events()]

    assert kioskctl(["--config", str(config), "queue"]) == 0
    assert "NOT PRINTED" not in capsys.readouterr().out


def driver_wait(service: MaintenanceService, predicate: Any, timeout: float = 20.0) -> dict[str, Any]:
    """Wait until the published maintenance view satisfies ``predicate`` (a bound, not a timing test)."""
    end = time.monotonic() + timeout
    while not predicate(service.view()):
        assert time.monotonic() < end, f"view never matched: {service.view()}"
        time.sleep(0.02)
    return service.view()


def test_kioskctl_reprint_settles_an_owed_receipt_and_a_receipt_never_stored_is_not_owed(
        demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.enrollment import Enrollment
    from kiosk.submission import Draft, SubmissionWriter

    data = tmp_path / "terminal"
    data.mkdir()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndata_dir = "{data}"\n', "utf-8")
    enrollment = Enrollment(data)
    from kiosk.sync_service import enroll_terminal

    enroll_terminal(demo.central.url, "110105", "T09", enrollment, demo.central.issue_token())

    def receipt(number: str, accepted_at: dt.datetime, token: str = "") -> Any:
        return build_receipt(service_title="居住证申领", receipt_number=number, accepted_at=accepted_at,
                             hall_name="政务服务中心", terminal_id="T09", applicant_name="陈静怡",
                             processing_time="15个工作日", collect="窗口领取",
                             lookup_url="https://x.example/p?no={receipt_number}", hotline="12345")

    writer = SubmissionWriter(data / "kiosk.db", enrollment, "110105", "T09", 1024 * 1024)
    writer.start().result()
    try:
        accepted = writer.submit(Draft("residence_permit", "residence_permit", 1, "zh-CN", {"name": "陈静怡"},
                                       {}, {"face.jpg": b"\xff\xd8" * 100}, receipt)).result()
    finally:
        writer.stop()
    assert accepted.receipt.receipt_number == accepted.receipt_number
    remembered = RecentReceipts(data / "receipts" / "recent.json")
    assert [e["state"] for e in remembered.load()] == [PENDING]
    # The terminal died while storing another one: pending, but nothing was stored, so not owed.
    remembered.add(receipt("110105-T09-20261126-0999", dt.datetime(2026, 11, 26, 9, 0)), None)
    assert [o["receipt_number"] for o in unprinted_receipts(data)] == [accepted.receipt_number]
    assert "陈静怡" not in (data / "receipts" / "recent.json").read_text("utf-8")

    assert kioskctl(["--config", str(config), "queue"]) == 1
    assert f"NOT PRINTED  {accepted.receipt_number}  居住证申领" in capsys.readouterr().out
    assert kioskctl(["--config", str(config), "reprint", accepted.receipt_number]) == 0
    assert unprinted_receipts(data) == []
    assert kioskctl(["--config", str(config), "reprint", "--list"]) == 0
    assert f"{accepted.receipt_number}  printed" in capsys.readouterr().out
