"""Installing a release next to the running one, the switch, and the health-gated rollback.

A→B over the platform (a subprocess on loopback) fetches only the changed file and hard-links
the rest; a B that crash-loops or fails its self-test after the switch is left for A by itself,
with the reason recorded and B never installed again; ``kioskctl update --from DIR`` takes the
same repository from a folder (a USB stick), verified the same way.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from central.releases import publish_release
from kiosk.releases import Installation
from kiosk.update_apply import apply_update
from sync.updates import PlatformFetcher, ReleaseChannel
from tests.conftest import running_central
from tests.update_builds import make_build, make_repository, trusted_root


@pytest.fixture
def repository(tmp_path):
    """A repository with 1.0 and 1.1 (one module changed), and a terminal running 1.0."""
    data, _ = make_repository(tmp_path, ["1.0", "1.1"])
    installation = Installation(tmp_path / "opt", health_s=600)
    installation.adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    return data, installation


def from_folder(data, installation) -> ReleaseChannel:
    return ReleaseChannel.from_folder(data / "updates", installation.root / "tuf",
                                      trusted_root(data))


def test_an_update_over_the_platform_fetches_only_the_changed_file(repository):
    data, installation = repository
    with running_central(data) as platform:
        channel = ReleaseChannel.online(platform.url, installation.root / "tuf",
                                        trusted_root(data))
        applied = apply_update(installation, channel)
        channel.close()
    assert (applied.outcome, applied.version) == ("switched", "1.1")
    assert (applied.fetched_files, applied.linked_files) == (1, 13)
    assert applied.fetched_bytes == len("VERSION = '1.1'\n")
    new, old = installation.release_dir("1.1"), installation.release_dir("1.0")
    assert (installation.root / "current" / "_internal" / "kiosk" / "version.py").read_text() \
        == "VERSION = '1.1'\n"
    assert (new / "_internal" / "lib3.so").stat().st_ino == (old / "_internal" / "lib3.so").stat().st_ino
    assert (new / "kiosk").stat().st_mode & 0o777 == 0o755
    assert installation.state()["trial"]["previous"] == "1.0"
    assert installation.good() == "1.0"


def test_the_new_version_is_confirmed_once_it_stayed_up(repository):
    data, installation = repository
    apply_update(installation, from_folder(data, installation))
    assert installation.guard().verdict == "ok"  # the first start, self-test passed
    installation.health_s = 0  # the health period is over, without another start
    assert installation.guard().verdict == "confirmed"
    assert (installation.current(), installation.good()) == ("1.1", "1.1")
    assert "trial" not in installation.state()


def test_a_crash_loop_after_the_switch_rolls_back_and_says_why(repository):
    data, installation = repository
    apply_update(installation, from_folder(data, installation))
    assert installation.guard().verdict == "ok"
    outcome = installation.guard()  # started again within the health period: it crashed
    assert (outcome.verdict, outcome.version) == ("rolled back", "1.0")
    last = installation.state()["last"]
    assert (last["outcome"], last["version"], last["to"]) == ("rolled back", "1.1", "1.0")
    assert last["reason"] == ("ended without a clean stop (crash, kill or power cut) within 600 s "
                              "of the switch")
    again = apply_update(installation, from_folder(data, installation))
    assert (again.outcome, installation.current()) == ("refused", "1.0")


def test_a_restart_on_purpose_keeps_the_trial_and_a_watchdog_kill_ends_it(repository):
    data, installation = repository
    apply_update(installation, from_folder(data, installation))
    assert installation.guard().verdict == "ok"
    installation.note_stop("success")  # the nightly restart window, or systemctl restart
    assert (installation.guard().verdict, installation.current()) == ("ok", "1.1")
    installation.note_stop("watchdog")  # then it hung: systemd killed it
    outcome = installation.guard()
    assert (outcome.verdict, installation.current()) == ("rolled back", "1.0")
    assert outcome.reason == "ended (watchdog) within 600 s of the switch"


def test_restarting_on_purpose_in_a_loop_rolls_back(repository):
    data, installation = repository
    apply_update(installation, from_folder(data, installation))
    verdicts = []
    for _ in range(5):
        verdicts.append(installation.guard().verdict)
        installation.note_stop("success")
    assert verdicts == ["ok", "ok", "ok", "ok", "rolled back"]
    assert installation.state()["last"]["reason"] == "restarted 5 times within 600 s of the switch"


def test_a_failed_self_test_after_the_switch_rolls_back(repository, tmp_path):
    data, installation = repository
    apply_update(installation, from_folder(data, installation))
    (installation.root / "broken-1.1").touch()  # 1.1's self-test now fails on this terminal
    outcome = installation.guard()
    assert (outcome.verdict, installation.current()) == ("rolled back", "1.0")
    assert outcome.reason == "self-test failed (exit 9)"
    assert installation.state()["refused"] == ["1.1"]


def test_a_build_that_fails_its_self_test_is_never_switched_to(tmp_path):
    data, _ = make_repository(tmp_path, ["1.0"])
    publish_release(data, tmp_path / "release-keys",
                    make_build(tmp_path / "bad", "1.1", self_test_exit=3), "1.1")
    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    applied = apply_update(installation, from_folder(data, installation))
    assert (applied.outcome, applied.detail) == ("self-test failed", "self-test failed (exit 3)")
    assert installation.current() == "1.0"
    assert not installation.release_dir("1.1").exists()


def test_an_older_or_equal_release_is_not_installed(repository):
    data, installation = repository
    installation.adopt(make_build(installation.root / "b2", "2.0"), "2.0")
    applied = apply_update(installation, from_folder(data, installation))
    assert (applied.outcome, installation.current()) == ("up to date", "2.0")


def test_a_manual_rollback_goes_back_to_the_good_version(repository):
    data, installation = repository
    apply_update(installation, from_folder(data, installation))
    assert installation.rollback("asked by staff") == "1.0"
    assert installation.current() == "1.0"
    assert installation.state()["last"]["reason"] == "asked by staff"


def test_the_heartbeat_tells_the_release_the_trial_and_the_last_outcome(repository):
    from kiosk.fleet_status import FleetStatus

    data, installation = repository
    fleet = FleetStatus(update=installation.summary)
    assert fleet.heartbeat_fields()["update"] == {"release": "1.0", "good": "1.0", "trial": None,
                                                  "last": {}}
    apply_update(installation, from_folder(data, installation))
    assert fleet.heartbeat_fields()["update"]["trial"] == "1.1"
    installation.guard()
    installation.guard()
    assert fleet.heartbeat_fields()["update"] == {
        "release": "1.0", "good": "1.0", "trial": None,
        "last": {"outcome": "rolled back", "version": "1.1", "to": "1.0",
                 "reason": "ended without a clean stop (crash, kill or power cut) within 600 s "
                           "of the switch"}}


class CountingFetcher(PlatformFetcher):
    """The terminal's fetcher, counting the bytes of the files it is asked for by name."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes: dict[str, int] = {}

    def fetch_from(self, url, offset):
        start, chunks = super().fetch_from(url, offset)
        name = url.rsplit(".", 2)[-2] + "." + url.rsplit(".", 1)[-1]

        def counted():
            for chunk in chunks:
                self.bytes[name] = self.bytes.get(name, 0) + len(chunk)
                yield chunk
        return start, counted()


@pytest.mark.parametrize("left", ["its beginning", "garbage"])
def test_an_interrupted_download_resumes_where_it_stopped(tmp_path, left):
    data, keys = make_repository(tmp_path, ["1.0"])
    build = make_build(tmp_path / "builds" / "1.1", "1.1")
    new_library = random.Random(11).randbytes(64 * 1024)
    (build / "_internal" / "lib0.so").write_bytes(new_library)
    publish_release(data, keys, build, "1.1")
    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    staging = installation.releases / ".staging-1.1" / "_internal"
    staging.mkdir(parents=True)
    held = new_library[:40 * 1024] if left == "its beginning" else b"\xff" * (40 * 1024)
    (staging / "lib0.so.part").write_bytes(held)  # what a cut connection left
    with running_central(data) as platform:
        base = f"{platform.url}/v1/updates"
        fetcher = CountingFetcher()
        channel = ReleaseChannel(installation.root / "tuf", trusted_root(data),
                                 base + "/metadata/", base + "/targets/", fetcher)
        applied = apply_update(installation, channel)
        channel.close()
    assert applied.outcome == "switched"
    assert (installation.root / "current" / "_internal" / "lib0.so").read_bytes() == new_library
    expected = 24 * 1024 if left == "its beginning" else 24 * 1024 + 64 * 1024
    assert fetcher.bytes["lib0.so"] == expected


def test_the_self_test_runs_offscreen_whatever_the_unit_sets(tmp_path, monkeypatch):
    installation = Installation(tmp_path / "opt", self_test="{release}/kiosk")
    build = make_build(tmp_path / "a", "1.0")
    (build / "kiosk").write_text('#!/bin/sh\n[ "$QT_QPA_PLATFORM" = offscreen ]\n')
    installation.adopt(build, "1.0")
    monkeypatch.setenv("QT_QPA_PLATFORM", "eglfs")
    assert installation.run_self_test("1.0") is None


def test_a_file_whose_only_change_is_its_mode_is_not_linked(tmp_path):
    data, keys = make_repository(tmp_path, ["1.0"])
    build = make_build(tmp_path / "builds" / "1.1", "1.1")
    (build / "_internal" / "lib1.so").chmod(0o755)  # same bytes, now executable
    publish_release(data, keys, build, "1.1")
    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    applied = apply_update(installation, from_folder(data, installation))
    assert (applied.fetched_files, applied.linked_files) == (2, 12)
    new, old = installation.release_dir("1.1"), installation.release_dir("1.0")
    assert (new / "_internal" / "lib1.so").stat().st_mode & 0o777 == 0o755
    assert (old / "_internal" / "lib1.so").stat().st_mode & 0o777 == 0o644


def test_a_file_a_release_holds_at_two_paths_is_fetched_once_and_stored_once(tmp_path):
    """PyInstaller links each Qt library into _internal/ under its plain name too; a release
    publishes both paths as files, and the terminal keeps one file for both."""
    data, keys = make_repository(tmp_path, ["1.0"])
    build = make_build(tmp_path / "builds" / "1.1", "1.1")
    (build / "_internal" / "Qt").mkdir()
    library = random.Random(3).randbytes(50_000)
    (build / "_internal" / "Qt" / "libQt6New.so.6").write_bytes(library)
    (build / "_internal" / "libQt6New.so.6").symlink_to(Path("Qt") / "libQt6New.so.6")
    publish_release(data, keys, build, "1.1")
    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "build-a", "1.0"), "1.0")
    applied = apply_update(installation, from_folder(data, installation))
    assert applied.outcome == "switched"
    assert (applied.fetched_files, applied.fetched_bytes) == (2, len("VERSION = '1.1'\n") + len(library))
    new = installation.release_dir("1.1") / "_internal"
    assert (new / "libQt6New.so.6").read_bytes() == library
    assert (new / "libQt6New.so.6").stat().st_ino == (new / "Qt" / "libQt6New.so.6").stat().st_ino
