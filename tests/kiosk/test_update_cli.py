"""``kioskctl update status|check|apply|rollback|guard`` with ``--from DIR`` (a USB copy of the
platform's repository, verified with TUF like the platform's), and ``kiosk --update-guard``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from central.release_export import export_release
from kiosk.cli import main as kioskctl
from kiosk.releases import Installation
from kiosk.update_cli import guard_main
from tests.update_builds import make_build, make_repository


@pytest.fixture
def terminal(tmp_path):
    """A configuration for a terminal running 1.0, and a USB stick with release 1.1
    (``kiosk-central export-release``)."""
    data, _ = make_repository(tmp_path, ["1.0", "1.1"])
    export_release(data, tmp_path / "usb")
    opt = tmp_path / "opt"
    Installation(opt).adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    (opt / "update-root.json").write_bytes((data / "updates/metadata/1.root.json").read_bytes())
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                      f'[updates]\ninstall_dir = "{opt}"\nhealth_s = 600\n')
    return str(config), str(tmp_path / "usb"), Installation(opt)


def test_check_apply_status_and_rollback_from_a_usb_copy(terminal, capsys):
    config, usb, installation = terminal
    assert kioskctl(["--config", config, "update", "check", "--from", usb]) == 0
    out = capsys.readouterr().out
    assert "offered 1.1 (14 files" in out and "1 file(s), 16 bytes to fetch" in out
    assert kioskctl(["--config", config, "update", "apply", "--from", usb]) == 0
    out = capsys.readouterr().out
    assert "switched: 1.1; fetched 1 file(s), 16 bytes, linked 13" in out
    assert guard_main(["--update-guard", "--config", config]) == 0
    assert kioskctl(["--config", config, "update", "status"]) == 0
    assert "on trial: 1.1 (from 1.0), started 1 time(s)" in capsys.readouterr().out
    assert kioskctl(["--config", config, "update", "rollback", "--reason", "test"]) == 0
    assert installation.current() == "1.0"
    assert kioskctl(["--config", config, "update", "status"]) == 0
    out = capsys.readouterr().out
    assert "last: 1.1 rolled back" in out and "to 1.0: test" in out
    assert "refused (rolled back before): 1.1" in out


def test_a_usb_copy_with_a_tampered_file_installs_nothing(terminal, capsys):
    config, usb, installation = terminal
    module = next(Path(usb, "targets", "files", "_internal", "kiosk").glob("*.version.py"))
    for stored in module.parent.glob("*.version.py"):
        stored.write_text("VERSION = '6.6'\n")
    assert kioskctl(["--config", config, "update", "apply", "--from", usb]) == 1
    assert "LengthOrHashMismatchError" in capsys.readouterr().err
    assert installation.current() == "1.0"
    assert "trial" not in installation.state()


def test_the_guard_never_fails_the_start(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[updates]\ninstall_dir = "{tmp_path / "nothing"}"\n')
    assert guard_main(["--update-guard", "--config", str(config)]) == 0


def test_the_frozen_entry_point_runs_kioskctl_and_the_guard(terminal):
    """``kiosk ctl ...`` and ``kiosk --update-guard`` (deploy/bundle/kiosk_entry.py), as the
    units call them; neither needs Qt."""
    config, usb, installation = terminal
    entry = Path(__file__).resolve().parents[2] / "deploy" / "bundle" / "kiosk_entry.py"
    applied = subprocess.run([sys.executable, str(entry), "ctl", "--config", config, "update",
                              "apply", "--from", usb], capture_output=True, text=True,
                             timeout=120, check=False)
    assert applied.returncode == 0 and "switched: 1.1" in applied.stdout, applied.stderr
    guarded = subprocess.run([sys.executable, "-X", "importtime", str(entry), "--update-guard",
                              "--config", config], capture_output=True, text=True, timeout=120,
                             check=False)
    assert guarded.returncode == 0 and "update guard: ok 1.1" in guarded.stderr
    assert "PySide6" not in guarded.stderr  # -X importtime lists every module imported
    assert installation.state()["trial"]["starts"] == 1
    stopped = subprocess.run([sys.executable, str(entry), "--update-guard", "--stopped", "--config",
                              config], capture_output=True, text=True, timeout=120, check=False,
                             env={**os.environ, "SERVICE_RESULT": "success"})
    assert stopped.returncode == 0, stopped.stderr
    assert installation.state()["trial"]["last_stop"] == "success"
