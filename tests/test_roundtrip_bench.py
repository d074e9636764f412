"""bench/roundtrip.py kept from rotting: run whole on a fresh folder, it ends with the case
completed, the printed certificate confirmed by the platform's verification and a progress page
without personal data (the time it prints is not asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "roundtrip.py"


@pytest.mark.timeout(600)
def test_the_round_trip_ends_verified_and_without_personal_data(tmp_path):
    folder = tmp_path / "roundtrip"
    run = subprocess.run([sys.executable, str(BENCH), "--data-dir", str(folder)],
                         capture_output=True, text=True, timeout=540)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    last = run.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"roundtrip_s=\d+\.\d status=completed certificate_valid=true progress_page_pii=none",
                        last), last
    # Started on an empty folder only: a second run on the same one refuses, keeping what is there.
    again = subprocess.run([sys.executable, str(BENCH), "--data-dir", str(folder)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "not empty" in again.stderr
