"""A kill -9 at any point of a download and install leaves a terminal that starts a good version.

The installer runs in a subprocess that SIGKILLs itself at the N-th file-system operation
(``update_killed.py``), for seeded random N over the whole apply; after each kill, the guard that
runs before every start must leave ``current`` on a complete version (every file as built) whose
self-test passes, and the next apply must finish the job.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from kiosk.releases import Installation
from tests.update_builds import make_build, make_repository

KILLER = Path(__file__).with_name("update_killed.py")


def run_apply(root: Path, repository: Path, kill_at: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILLER), str(root), str(repository), str(kill_at)],
                          capture_output=True, text=True, timeout=120, check=False)


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def test_a_kill_at_any_point_of_an_install_leaves_a_version_that_starts(tmp_path):
    data, _ = make_repository(tmp_path, ["1.0", "1.1"])
    builds = {v: files_of(tmp_path / "builds" / v) for v in ("1.0", "1.1")}
    repository = data / "updates"
    pristine = tmp_path / "pristine"
    Installation(pristine).adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    whole = tmp_path / "whole"
    shutil.copytree(pristine, whole, symlinks=True)
    done = run_apply(whole, repository, 0)
    assert done.returncode == 0, done.stderr
    operations = int(done.stdout.split()[0])
    # Random points over the whole apply, and always the last ones: the switch and its state.
    points = sorted(set(random.Random(18).sample(range(1, operations + 1), min(10, operations)))
                    | set(range(max(1, operations - 5), operations + 1)))
    for point in points:
        root = tmp_path / f"killed-at-{point}"
        shutil.copytree(pristine, root, symlinks=True)
        killed = run_apply(root, repository, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stdout, killed.stderr)
        installation = Installation(root)
        installation.guard()  # what the unit runs before the kiosk starts
        version = installation.current()
        assert version in builds, point
        assert files_of(root / "current") == builds[version], point
        started = subprocess.run([str(root / "current" / "kiosk"), "--self-test"], check=False)
        assert started.returncode == 0, point
        again = run_apply(root, repository, 0)
        assert again.returncode == 0, (point, again.stderr)
        assert installation.current() == "1.1", point
        assert files_of(root / "current") == builds["1.1"], point
        assert not list(installation.releases.glob(".staging-*")), point
