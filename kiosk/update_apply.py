"""Installing a release next to the running one: only changed files fetched, then one switch.

``apply_update`` asks the source (``sync.updates.ReleaseChannel``: the platform or a USB copy,
both verified with TUF) for the latest release, refuses one that is not newer than the version
running or that was rolled back before, and builds it in ``releases/.staging-<version>/``: a
file whose SHA-256 matches the running version's file at the same path is hard-linked from it,
a second path with the same bytes in the release is a hard link to the first, the others are
downloaded to ``.part`` files (resumed with a range after an interruption,
verified against the signed length and hash), then renamed into place, so an interrupted run
resumes where it stopped. The finished folder is flushed to disk, renamed to
``releases/<version>``, must pass its self-test, and only then does ``current`` switch
(``kiosk.releases.Installation.switch``). Runs on the calling thread; blocking I/O.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sync.updates import Release, ReleaseFile

from .releases import STAGING_PREFIX, Installation, version_key


class ReleaseSource(Protocol):
    """Where releases come from (``sync.updates.ReleaseChannel``)."""

    def latest(self) -> Release:
        """The newest release, its metadata verified."""

    def download(self, item: ReleaseFile, destination: Path) -> None:
        """Write one verified file of the latest release to ``destination``."""


@dataclass(frozen=True)
class Applied:
    """What an apply did: ``outcome`` is ``up to date``, ``refused``, ``not offered`` (not in
    the rollout's rings), ``self-test failed``,
    ``interrupted`` (a rollback meanwhile) or ``switched``; the files and bytes fetched, the
    files linked from the running version."""

    outcome: str
    version: str
    fetched_files: int = 0
    fetched_bytes: int = 0
    linked_files: int = 0
    detail: str = ""


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _matches(path: Path, item: ReleaseFile) -> bool:
    """Same bytes and the same executable bit (a hard link shares the mode too)."""
    try:
        status = path.stat()
        executable = bool(status.st_mode & 0o111)
        return (status.st_size == item.length and executable == (item.mode == 0o755)
                and sha256_of(path) == item.sha256)
    except OSError:
        return False


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        shutil.copy2(source, destination)


def _inside(folder: Path, relative: str) -> Path:
    path = folder / relative
    if folder.resolve() not in path.resolve().parents:
        raise ValueError(f"{relative} is outside the release")
    return path


def changed_files(installation: Installation, release: Release) -> list[ReleaseFile]:
    """The files of ``release`` the running version does not have as they are (by hash)."""
    running = installation.current()
    running_dir = installation.release_dir(running) if running else None
    return [item for item in release.files.values()
            if running_dir is None or not _matches(running_dir / item.path, item)]


def stage(installation: Installation, source: ReleaseSource, release: Release,
          progress: Callable[[int, int], None] | None = None,
          between_citizens: Callable[[], None] | None = None) -> tuple[int, int, int]:
    """Build ``release`` in its staging folder; return (files fetched, bytes fetched, files
    linked). ``progress(bytes done, bytes total)`` after each file; ``between_citizens()``
    before each download returns when no citizen is being served
    (``kiosk.citizen_presence.wait_between_citizens``)."""
    staging = installation.releases / f"{STAGING_PREFIX}{release.version}"
    staging.mkdir(parents=True, exist_ok=True)
    running = installation.current()
    running_dir = installation.release_dir(running) if running else None
    fetched = fetched_bytes = linked = done = 0
    noted = installation.progress_file(release.version)

    def note(done: int) -> None:  # for maintenance mode and status: how far it got
        noted.write_text(json.dumps({"version": release.version, "done": done,
                                     "total": release.bytes}), encoding="utf-8")
        if progress is not None:
            progress(done, release.bytes)

    note(0)
    # The same bytes at two paths of one release (PyInstaller links each Qt library into
    # _internal/ under its plain name too, and a release publishes links as files) are one file.
    staged: dict[tuple[str, int], Path] = {}
    for item in sorted(release.files.values(), key=lambda f: f.path):
        destination = _inside(staging, item.path)
        done += item.length
        twin = staged.setdefault((item.sha256, item.mode), destination)
        if destination.exists():
            if _matches(destination, item):  # finished by an interrupted run
                continue
            destination.unlink()
        destination.parent.mkdir(parents=True, exist_ok=True)
        if twin != destination:
            _link_or_copy(twin, destination)
            linked += 1
        elif running_dir is not None and _matches(running_dir / item.path, item):
            _link_or_copy(running_dir / item.path, destination)
            linked += 1
        else:
            part = destination.with_name(destination.name + ".part")
            if between_citizens is not None:
                between_citizens()
            source.download(item, part)
            os.chmod(part, item.mode)
            os.replace(part, destination)
            fetched += 1
            fetched_bytes += item.length
            note(done)  # after each download: the links and resumed files are quick
    note(done)
    return fetched, fetched_bytes, linked


def apply_update(installation: Installation, source: ReleaseSource, *,
                 progress: Callable[[int, int], None] | None = None,
                 between_citizens: Callable[[], None] | None = None,
                 terminal: tuple[str, str] | None = None) -> Applied:
    """Install the source's latest release next to the running one and switch to it on trial
    (the next start runs it; ``Installation.guard`` decides whether it stays). One apply at a
    time; the guard waits only for the last step (``Installation.locked``). ``terminal``: its
    fleet id and site, for a release rolled out in rings (``sync.updates.Rollout``)."""
    with installation.locked("apply"):
        with installation.locked():
            installation.confirm_if_due()
            installation.tidy()
            running = installation.current()
        release = source.latest()
        if running is not None and version_key(release.version) <= version_key(running):
            return Applied("up to date", running)
        if release.version in installation.refused():
            return Applied("refused", release.version,
                           detail="rolled back before; install it by hand if it was fixed")
        if release.rollout is not None and not (terminal and release.rollout.offers(*terminal)):
            return Applied("not offered", release.version,
                           detail="this terminal is not in the release's rollout rings yet")
        fetched, fetched_bytes, linked = stage(installation, source, release, progress,
                                               between_citizens)
        with installation.locked():
            if installation.current() != running:  # a rollback meanwhile: start again
                return Applied("interrupted", release.version, fetched, fetched_bytes, linked,
                               "the running version changed; apply again")
            return _install(installation, release, running, (fetched, fetched_bytes, linked))


def _install(installation: Installation, release: Release, running: str | None,
             counts: tuple[int, int, int]) -> Applied:
    staging = installation.releases / f"{STAGING_PREFIX}{release.version}"
    extra = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
    for leftover in extra - set(release.files):  # a .part of an interrupted download
        (staging / leftover).unlink()
    os.sync()  # every file on disk before the folder becomes a release
    destination = installation.release_dir(release.version)
    shutil.rmtree(destination, ignore_errors=True)
    os.rename(staging, destination)
    installation.progress_file(release.version).unlink(missing_ok=True)
    problem = installation.run_self_test(release.version)
    if problem is not None:
        shutil.rmtree(destination, ignore_errors=True)
        return Applied("self-test failed", release.version, *counts, problem)
    installation.switch(release.version)
    keep = {installation.current(), installation.good(), running}
    for version in installation.installed():
        if version not in keep:  # disk space: the running, the good and the new version stay
            shutil.rmtree(installation.release_dir(version), ignore_errors=True)
    return Applied("switched", release.version, *counts)
