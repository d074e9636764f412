"""Updates download only between citizens: the kiosk keeps a flag while a citizen is served, the
updater waits on it before each download, and a flag left by a dead kiosk counts for nothing."""

from __future__ import annotations

import os
import subprocess
import sys

from kiosk.citizen_presence import FLAG_NAME, citizen_present, wait_between_citizens
from kiosk.releases import Installation
from kiosk.update_apply import apply_update
from sync.updates import ReleaseChannel
from tests.update_builds import make_build, make_repository, trusted_root


def test_the_flag_is_up_from_the_first_screen_until_the_attract_screen(core_driver) -> None:
    flag = core_driver.core.data_dir / FLAG_NAME
    assert not citizen_present(flag)
    core_driver.walk_to_form()
    assert citizen_present(flag) and flag.read_text() == str(os.getpid())
    core_driver.submit()
    core_driver.finish()
    core_driver.wait_screen("attract")
    core_driver.wait_for(lambda _: not flag.exists())
    assert not citizen_present(flag)


def test_a_flag_left_by_a_dead_kiosk_counts_as_no_citizen(tmp_path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    flag = tmp_path / FLAG_NAME
    flag.write_text(gone.stdout.strip())
    assert not citizen_present(flag)
    flag.write_text("not a pid")
    assert not citizen_present(flag)


def test_an_update_waits_for_the_citizen_before_downloading(tmp_path) -> None:
    data, _ = make_repository(tmp_path, ["1.0", "1.1"])
    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "a", "1.0"), "1.0")
    flag = tmp_path / FLAG_NAME
    flag.write_text(str(os.getpid()))  # a citizen is at this (living) kiosk
    waited = []

    def citizen_leaves_after_a_while(seconds: float) -> None:
        waited.append(seconds)
        assert not list(installation.releases.rglob("*.version.py*"))  # nothing fetched yet
        if len(waited) == 3:
            flag.unlink()

    channel = ReleaseChannel.from_folder(data / "updates", installation.root / "tuf",
                                         trusted_root(data))
    applied = apply_update(installation, channel, between_citizens=lambda: wait_between_citizens(
        flag, sleep=citizen_leaves_after_a_while))
    assert applied.outcome == "switched" and applied.fetched_files == 1
    assert len(waited) == 3
