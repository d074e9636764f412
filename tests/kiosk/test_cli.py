"""kioskctl: verdicts staff can act on, exit codes scripts can use."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.store import open_platform_store
from kiosk.cli import main


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n{extra}', encoding="utf-8")
    return path


def test_check_config_accepts_a_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(write_config(tmp_path)), "check-config"]) == 0
    assert "valid" in capsys.readouterr().out


def test_check_config_names_the_bad_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, "[journey]\nidle_timeout_s = 2\n")
    assert main(["--config", str(path), "check-config"]) == 2
    assert "journey.idle_timeout_s" in capsys.readouterr().err


def test_doctor_fails_until_enrolled_then_passes(demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, f'[central]\nurl = "{demo.central.url}"\n[terminal]\nterminal_id = "T02"\n')
    assert main(["--config", str(path), "doctor"]) == 2
    out = capsys.readouterr().out
    assert "[FAIL] enrollment: not enrolled" in out and "fix: kioskctl enroll" in out
    assert "[ok  ] cjk font" in out and "[ok  ] camera" in out
    assert main(["--config", str(path), "enroll", "--token", "WRONG-TOKEN"]) == 1
    assert "403" in capsys.readouterr().err
    token = demo.central.issue_token()
    assert main(["--config", str(path), "enroll", "--token", token]) == 0
    assert "enrolled as 110105-T02" in capsys.readouterr().out
    assert main(["--config", str(path), "enroll", "--token", token]) == 1  # one time only
    assert main(["--config", str(path), "doctor"]) == 0, capsys.readouterr().out


def test_queue_and_sync_report_counts(demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, f'[central]\nurl = "{demo.central.url}"\n')
    assert main(["--config", str(path), "queue"]) == 0
    assert "no submissions yet" in capsys.readouterr().out
    assert main(["--config", str(path), "sync"]) == 1
    assert "not enrolled" in capsys.readouterr().err


def test_a_bad_device_option_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, '[devices.camera]\nbackend = "opencv"\noptions = { colour = "red" }\n')
    assert main(["--config", str(path), "doctor"]) == 2
    assert "devices.camera.options.colour" in capsys.readouterr().err


def _enrolled_terminal_with_queue(demo, tmp_path: Path, count: int, terminal_id: str, ratings: int = 0):
    """A terminal enrolled with the demo platform and ``count`` real sealed submissions queued."""
    from kiosk.config import load_config
    from kiosk.enrollment import Enrollment
    from kiosk.rating import make_rating
    from kiosk.submission import Draft, SubmissionWriter
    from kiosk.sync_service import enroll_terminal

    path = write_config(tmp_path, f'[central]\nurl = "{demo.central.url}"\n'
                                  f'[terminal]\nterminal_id = "{terminal_id}"\n')
    config = load_config(str(path))
    data = config.storage.resolved_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    enrollment = Enrollment(data)
    enroll_terminal(demo.central.url, config.terminal.site_code, terminal_id, enrollment,
                    demo.central.issue_token())
    writer = SubmissionWriter(data / "kiosk.db", enrollment, config.terminal.site_code,
                              terminal_id, 1024 * 1024)
    writer.start().result()
    try:
        for n in range(count):
            writer.submit(Draft("residence-permit", "residence-permit-application", 1, "zh-CN",
                                {"name": "测试"}, {"n": n}, {"photo.jpg": b"\xff\xd8" * 500})
                          ).result()
        for n in range(ratings):
            writer.submit_rating(make_rating("residence_permit", f"110105-{terminal_id}-20261126-{n + 1:04d}", 5, [])
                                 ).result()
    finally:
        writer.stop()
    return path, data


def test_queue_details_then_sync_with_progress_drains_to_zero(
        demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _enrolled_terminal_with_queue(demo, tmp_path, 3, "T03")
    assert main(["--config", str(path), "queue"]) == 0
    out = capsys.readouterr().out
    assert "queued       3" in out and "oldest unsent:" in out and "3 waiting" in out
    assert main(["--config", str(path), "sync"]) == 0
    captured = capsys.readouterr()
    assert "3/3" in captured.err and "acked        3" in captured.out
    assert main(["--config", str(path), "queue"]) == 0
    out = capsys.readouterr().out
    assert "oldest unsent" not in out
    # The sync pulled the platform's statuses of the cases this terminal took: received, each one.
    assert "platform status (latest 3)" in out and out.count("received 已接收") == 3


def test_a_revoked_terminal_pauses_and_queue_tells_staff(
        demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _enrolled_terminal_with_queue(demo, tmp_path, 1, "T04")
    store = open_platform_store(demo.central.data_dir, demo.central.database_url)
    store.set_terminal_status("110105-T04", "revoked")
    assert main(["--config", str(path), "sync"]) == 1
    assert "PAUSED" in capsys.readouterr().err
    assert main(["--config", str(path), "queue"]) == 1
    out = capsys.readouterr().out
    assert "PAUSED" in out and "queued       1" in out
    assert "fix: the platform operators revoked this terminal: call them" in out
    store.set_terminal_status("110105-T04", "active")
    token = demo.central.issue_token("110105-T04")  # re-keying a known terminal: a bound token
    assert main(["--config", str(path), "enroll", "--token", token]) == 0
    assert main(["--config", str(path), "sync"]) == 0


def test_export_outbox_import_on_the_platform_and_acks_back(
        demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import subprocess
    import sys

    path, _data = _enrolled_terminal_with_queue(demo, tmp_path, 2, "T05")
    usb = tmp_path / "usb"
    assert main(["--config", str(path), "export-outbox", str(usb)]) == 0
    files = sorted(usb.glob("outbox-*.json"))
    assert len(files) == 2 and "测试" not in files[0].read_text(encoding="utf-8")
    command = [sys.executable, "-m", "central", "import", str(usb),
               "--data-dir", str(demo.central.data_dir)]
    for _ in range(2):  # replaying the same folder twice stores nothing twice
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    acks = json.loads((usb / "acks.json").read_text())
    assert len(acks["body"]["acks"]) == 2
    ids = {f.name[len("outbox-"):-len(".json")] for f in files}
    assert ids <= set(open_platform_store(demo.central.data_dir, demo.central.database_url).submission_ids())
    capsys.readouterr()
    forged = dict(acks, body={"acks": []})
    (tmp_path / "forged").mkdir()
    (tmp_path / "forged" / "acks.json").write_text(json.dumps(forged))
    assert main(["--config", str(path), "import-acks", str(tmp_path / "forged")]) == 1
    assert main(["--config", str(path), "import-acks", str(usb)]) == 0
    assert "marked 2" in capsys.readouterr().out
    assert main(["--config", str(path), "queue"]) == 0
    assert "acked        2" in capsys.readouterr().out


def test_queue_counts_applications_and_ratings_apart(demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _enrolled_terminal_with_queue(demo, tmp_path, 2, "T06", ratings=1)
    assert main(["--config", str(path), "queue"]) == 0
    out = capsys.readouterr().out
    applications, ratings = out.split("ratings (好差评)")
    assert "queued       2" in applications and "queued       1" in ratings
    assert "3 waiting" in out   # both are waiting to be forwarded
