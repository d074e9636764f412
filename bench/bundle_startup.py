"""Start-up of the frozen bundle beside the source tree, both through `kiosk --self-test`.

    .venv/bin/python bench/bundle_startup.py [--runs 5] [--bundle dist/kiosk/kiosk]

Each run is a fresh process (offscreen). Reported per build, as medians: the first frame of the
attract screen after the process started (the self-test reads /proc, so a bundle's bootloader
counts), and the whole self-test's wall time. Runs alternate so a busy machine hurts both alike.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_FRAME = re.compile(r"first frame ([0-9.]+) s after process start")


def run(command: list[str]) -> tuple[float, float]:
    """Start ``command`` once; return the first frame's age and the whole run's wall time (seconds)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr[-2000:]}")
    match = FIRST_FRAME.search(result.stdout)
    if match is None:
        sys.exit(f"no first-frame time in:\n{result.stdout}")
    return float(match.group(1)), wall


def main() -> int:
    """Run the benchmark; the last line prints the figure and its baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "kiosk" / "kiosk"))
    args = parser.parse_args()
    builds = {"source": [sys.executable, "-m", "ui.app", "--self-test"], "bundle": [args.bundle, "--self-test"]}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in builds}
    for _ in range(args.runs):
        for name, command in builds.items():
            results[name].append(run(command))
    for name, samples in results.items():
        frame = statistics.median(s[0] for s in samples)
        wall = statistics.median(s[1] for s in samples)
        print(f"{name}: first_frame_s={frame:.2f} self_test_wall_s={wall:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
