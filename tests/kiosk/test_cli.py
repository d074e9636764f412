"""kioskctl: verdicts staff can act on, exit codes scripts can use."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert main(["--config", str(path), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] enrollment: not enrolled" in out and "fix: kioskctl enroll" in out
    assert "[ok  ] cjk font" in out and "[ok  ] camera" in out
    assert main(["--config", str(path), "enroll"]) == 0
    assert "enrolled as 110105-T02" in capsys.readouterr().out
    assert main(["--config", str(path), "doctor"]) == 0


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
