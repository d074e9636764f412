"""Versions of the terminal side by side, the atomic switch between them and the health gate.

The installation folder (``updates.install_dir``, ``/opt/egov-kiosk``) holds::

    releases/<version>/            complete builds (files of unchanged paths hard-linked)
    releases/.staging-<version>/   a build being downloaded (resumed, never started)
    current -> releases/<version>  what systemd starts (ExecStart=.../current/kiosk)
    good -> releases/<version>     the last version that proved healthy (runs the guard)
    update-state.json              the trial under way, the last outcome, versions refused

A switch is one ``rename(2)`` of a new symlink over ``current``, so a power cut leaves either
version in place, never a mix. The new version is on trial: the guard (``kiosk --update-guard``
from ``good``, as the unit's ``ExecStartPre``) runs before every start, and notes how the kiosk
stopped after every stop (``ExecStopPost``, systemd's ``$SERVICE_RESULT``). Within
``updates.health_s`` of the switch, a start after a stop that was not on purpose (a crash, the
crash-loop exit, a watchdog kill, a kill, a power cut: no clean stop noted), more than
``MAX_PLANNED_RESTARTS`` restarts, or a failed self-test before the first start switches back to
the previous version and records why; a start after the health period confirms the version
(``good`` follows it). Methods run on the calling thread and may block.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_FILE = "update-state.json"
STAGING_PREFIX = ".staging-"
PROGRESS_SUFFIX = ".progress"
DEFAULT_SELF_TEST = "{release}/kiosk --self-test"
SELF_TEST_TIMEOUT_S = 300.0
#: Stops on purpose a version on trial may have before it counts as restarting in a loop.
MAX_PLANNED_RESTARTS = 3


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10.2"`` as ``(1, 10, 2)``; ``ValueError`` for anything but dotted numbers."""
    parts = version.split(".")
    if not 1 <= len(parts) <= 4 or not all(part.isdigit() and len(part) <= 9 for part in parts):
        raise ValueError(f"version {version!r} is not numbers separated by dots")
    return tuple(int(part) for part in parts)


@dataclass(frozen=True)
class Outcome:
    """What the guard decided: ``verdict`` is ``ok``, ``confirmed`` or ``rolled back``."""

    verdict: str
    version: str | None
    reason: str = ""


class SwitchWatch:
    """Whether ``current`` has been switched since this process started (an update installed or
    a rollback by staff): the kiosk then restarts at a quiet moment (``kiosk.restart_window``).
    Any thread; one ``readlink`` per question."""

    def __init__(self, root: Path) -> None:
        self._installation = Installation(root)
        self.started = self._installation.current()

    def switched(self) -> bool:
        """True when another version than this process's is to start next."""
        now = self._installation.current()
        return self.started is not None and now is not None and now != self.started


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Installation:
    """One installation folder (see the module docstring)."""

    def __init__(self, root: Path, *, health_s: float = 600.0,
                 self_test: str = DEFAULT_SELF_TEST) -> None:
        self.root = Path(root)
        self.releases = self.root / "releases"
        self.health_s = health_s
        self.self_test = self_test

    @contextmanager
    def locked(self, what: str = "switch") -> Iterator[None]:
        """Hold the ``switch`` lock (links and state: the guard, a rollback, an apply's last
        step: seconds) or the ``apply`` lock (one download at a time: minutes); blocks."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f".{what}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    # -- what is installed --------------------------------------------------------------------

    def _target(self, link: str) -> str | None:
        try:
            return Path(os.readlink(self.root / link)).name
        except (FileNotFoundError, OSError):
            return None

    def current(self) -> str | None:
        """The version ``current`` points at (``None`` before the first install)."""
        return self._target("current")

    def good(self) -> str | None:
        """The last version that proved healthy."""
        return self._target("good")

    def release_dir(self, version: str) -> Path:
        """Where ``version`` is (or would be) installed."""
        version_key(version)
        return self.releases / version

    def installed(self) -> list[str]:
        """Complete versions on disk, oldest first."""
        found = []
        for path in self.releases.glob("*") if self.releases.is_dir() else ():
            try:
                version_key(path.name)
            except ValueError:
                continue
            found.append(path.name)
        return sorted(found, key=version_key)

    def state(self) -> dict[str, Any]:
        """The state file (an empty state when missing or unreadable)."""
        try:
            state = json.loads((self.root / STATE_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save(self, state: dict[str, Any]) -> None:
        temporary = self.root / f".{STATE_FILE}.tmp"
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(state, out, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.root / STATE_FILE)
        _fsync_dir(self.root)

    def summary(self) -> dict[str, Any]:
        """What the heartbeat tells the fleet page (no personal data): the version running, the
        last good one, the version on trial, and the last outcome with its reason."""
        state = self.state()
        trial = state.get("trial")
        last = state.get("last")
        trial = trial if isinstance(trial, dict) else None
        last = last if isinstance(last, dict) else {}
        return {"release": self.current(), "good": self.good(),
                "trial": trial.get("version") if trial else None,
                "last": {key: last[key] for key in ("outcome", "version", "to", "reason")
                         if key in last}}

    def progress_file(self, version: str) -> Path:
        """Where an apply notes how far the download of ``version`` got."""
        return self.releases / f"{STAGING_PREFIX}{version}{PROGRESS_SUFFIX}"

    def pending(self) -> dict[str, Any] | None:
        """The update being downloaded: ``{"version", "done", "total"}`` (bytes), or None."""
        for path in self.releases.glob(f"{STAGING_PREFIX}*{PROGRESS_SUFFIX}") \
                if self.releases.is_dir() else ():
            try:
                progress = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(progress, dict) and {"version", "done", "total"} <= set(progress):
                return {key: progress[key] for key in ("version", "done", "total")}
        return None

    def refused(self) -> set[str]:
        """Versions rolled back once: never installed again automatically."""
        return set(self.state().get("refused", []))

    # -- switching ----------------------------------------------------------------------------

    def _point(self, link: str, version: str) -> None:
        """Point ``link`` at ``releases/<version>`` in one rename."""
        temporary = self.root / f".{link}.new"
        temporary.unlink(missing_ok=True)
        os.symlink(Path("releases") / version, temporary)
        os.replace(temporary, self.root / link)
        _fsync_dir(self.root)

    def adopt(self, folder: Path, version: str) -> None:
        """Install a build folder as ``version`` and start it as known good (first install)."""
        destination = self.release_dir(version)
        if not destination.exists():
            self.releases.mkdir(parents=True, exist_ok=True)
            staging = self.releases / f"{STAGING_PREFIX}{version}"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(folder, staging, symlinks=False)
            os.rename(staging, destination)
        self._point("current", version)
        self._point("good", version)

    def switch(self, version: str) -> None:
        """Start ``version`` at the next start, on trial (it must be complete on disk)."""
        if not self.release_dir(version).is_dir():
            raise FileNotFoundError(f"release {version} is not installed")
        previous = self.current()
        state = self.state()
        state["trial"] = {"version": version, "previous": previous, "switched_at": time.time(),
                          "starts": 0}
        self._save(state)  # before the switch: a trial whose version is not current is void
        self._point("current", version)

    def _older_than(self, version: str | None) -> str | None:
        if self.good() not in (None, version):
            return self.good()
        older = [v for v in self.installed()
                 if version is None or version_key(v) < version_key(version)]
        return older[-1] if older else None

    def rollback(self, reason: str) -> str | None:
        """Switch back to the previous version (``good`` when there is no trial); record why
        and never reinstall the version left. Returns the version now current."""
        state = self.state()
        trial = state.get("trial") or {}
        left = self.current()
        back = trial.get("previous") or self._older_than(left)
        if back is None or back == left or not self.release_dir(back).is_dir():
            return left
        trial.update(version=left, previous=back, rolling_back=reason)
        state["trial"] = trial
        self._save(state)  # the intent first: a start after a cut finishes the rollback
        self._point("current", back)
        self._finish_rollback(state)
        return back

    def _finish_rollback(self, state: dict[str, Any]) -> None:
        trial = state.pop("trial")
        if self.current() != trial["previous"]:
            self._point("current", trial["previous"])
        state["refused"] = sorted(set(state.get("refused", [])) | {trial["version"]})
        state["last"] = {"outcome": "rolled back", "version": trial["version"],
                         "to": trial["previous"], "reason": trial["rolling_back"],
                         "at": time.time()}
        self._save(state)

    def _confirm(self, state: dict[str, Any]) -> None:
        trial = state.pop("trial")
        self._point("good", trial["version"])
        state["last"] = {"outcome": "confirmed", "version": trial["version"], "at": time.time()}
        self._save(state)

    def confirm_if_due(self) -> bool:
        """Confirm the version on trial if it has been up for the health period."""
        state = self.state()
        trial = state.get("trial")
        if (trial and trial.get("version") == self.current() and not trial.get("rolling_back")
                and trial.get("starts", 0) >= 1
                and time.time() - trial.get("switched_at", 0) >= self.health_s):
            self._confirm(state)
            return True
        return False

    # -- before every start -------------------------------------------------------------------

    def tidy(self) -> None:
        """Remove what an interrupted run left: temporary links and stale staging folders."""
        for link in ("current", "good"):
            (self.root / f".{link}.new").unlink(missing_ok=True)
        current = self.current()
        for staging in self.releases.glob(f"{STAGING_PREFIX}*") if self.releases.is_dir() else ():
            version = staging.name.removeprefix(STAGING_PREFIX).removesuffix(PROGRESS_SUFFIX)
            try:
                stale = current is not None and version_key(version) <= version_key(current)
            except ValueError:
                stale = True
            if stale and staging.is_dir():  # newer ones are kept: the next apply resumes them
                shutil.rmtree(staging, ignore_errors=True)
            elif stale:
                staging.unlink(missing_ok=True)

    def run_self_test(self, version: str) -> str | None:
        """Run the self-test of ``version``; ``None`` when it passed, else why not."""
        command = [part.replace("{release}", str(self.release_dir(version)))
                   for part in shlex.split(self.self_test)]
        try:
            # Offscreen even under the unit's eglfs: the screen is the kiosk's, not the test's.
            done = subprocess.run(command, capture_output=True, timeout=SELF_TEST_TIMEOUT_S,
                                  check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"self-test did not run: {type(exc).__name__}"
        return None if done.returncode == 0 else f"self-test failed (exit {done.returncode})"

    def note_stop(self, result: str) -> None:
        """After the kiosk stopped (the unit's ``ExecStopPost``, with systemd's
        ``$SERVICE_RESULT``: ``success`` for a stop on purpose, else ``exit-code``, ``signal``,
        ``core-dump``, ``watchdog``...): remembered for the next start of the version on trial."""
        state = self.state()
        trial = state.get("trial")
        if trial and trial.get("version") == self.current() and trial.get("starts", 0) >= 1:
            trial["last_stop"] = result[:40]
            self._save(state)

    def guard(self) -> Outcome:
        """Decide, before the kiosk starts, whether the version on trial may start again."""
        self.tidy()
        state = self.state()
        trial = state.get("trial")
        if not trial:
            return Outcome("ok", self.current())
        if trial.get("rolling_back"):
            self._finish_rollback(state)
            return Outcome("rolled back", self.current(), trial["rolling_back"])
        if trial.get("version") != self.current():  # cut before the switch: nothing changed
            state.pop("trial")
            self._save(state)
            return Outcome("ok", self.current())
        if self.confirm_if_due():
            return Outcome("confirmed", self.current())
        trial["starts"] = trial.get("starts", 0) + 1
        stop = trial.pop("last_stop", None)
        if stop == "success":  # stopped on purpose: the nightly restart, systemctl restart
            trial["planned"] = trial.get("planned", 0) + 1
        self._save(state)
        if trial["starts"] > 1 and stop != "success":
            how = f"ended ({stop})" if stop else "ended without a clean stop (crash, kill or power cut)"
            reason = f"{how} within {self.health_s:g} s of the switch"
        elif trial.get("planned", 0) > MAX_PLANNED_RESTARTS:
            reason = f"restarted {trial['starts']} times within {self.health_s:g} s of the switch"
        elif trial["starts"] == 1:
            reason = self.run_self_test(trial["version"]) or ""
        else:
            reason = ""
        if reason:
            self.rollback(reason)
            return Outcome("rolled back", self.current(), reason)
        return Outcome("ok", self.current())
