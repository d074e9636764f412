"""`kiosk --self-test` from the source tree: what `make bundle` runs on the frozen build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_self_test_walks_the_kiosk_headless_and_passes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HOME"] = str(tmp_path)  # it must not need (or touch) the terminal's own data folder
    result = subprocess.run([sys.executable, "-m", "ui.app", "--self-test"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("self-test passed: ")
    for name in ("attract screen", "notice screen", "keyboard", "translation", "cjk font", "face detector",
                 "face matcher", "qt plug-ins", "lockdown"):
        assert any(line.startswith("ok") and name in line for line in lines), name
    assert not (tmp_path / ".local" / "share" / "egov-kiosk").exists()
