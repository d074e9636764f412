"""The published terminal release as the operators' releases page shows it
(``central.routers.releases``): its version, date, files and size and its rollout rings, read
from the repository ``central.releases`` signs; whether the platform process can reach the keys
that sign a new rollout; the rings an operator typed, checked; and the command line that does
the same where the page cannot. Nothing personal. Any thread.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import TargetFile

from egov_protocol.protocol import IDENTIFIER_PATTERN

from .releases import (
    FILES_PREFIX,
    KEYS_ENV,
    RELEASE_TARGET,
    ROLES,
    ROLLOUT_TARGET,
    ReleaseError,
    Rings,
    latest_targets,
    repository_dir,
    version_key,
)

#: A site as terminals are configured (``kiosk.config``): a GB/T 2260 division code.
SITE_PATTERN = re.compile(r"^[0-9]{6}$")
#: A pilot terminal: its fleet id (``<site>-<terminal>``, e.g. ``110105-T01``), as enrolled.
PILOT_PATTERN = re.compile(IDENTIFIER_PATTERN)
#: No ring list is longer than this (a fleet's worth of pilots or sites).
MAX_ENTRIES = 1000
#: The roles whose keys sign a new rollout (the root keys stay offline).
SIGNING_ROLES = ROLES[1:]
CLI = "kiosk-central release"


class RingsRefused(ValueError):
    """The rings an operator typed are not valid; the message says which field and why."""


@dataclass(frozen=True)
class PublishedRelease:
    """The release terminals are offered: ``files`` and ``bytes`` of its build, when it was
    published (ISO 8601, UTC) and its ``rings`` (``None``: every terminal, no rollout signed)."""

    version: str
    published_at: str
    files: int
    bytes: int
    rings: Rings | None


def _stored(data_dir: str | Path, target: TargetFile) -> bytes:
    """A target's bytes as ``central.releases`` stores them (``<sha256>.<name>``)."""
    folder, _, name = target.path.rpartition("/")
    return (repository_dir(data_dir) / "targets" / folder /
            f"{target.hashes['sha256']}.{name}").read_bytes()


def published_release(data_dir: str | Path) -> PublishedRelease | None:
    """The current release and its rollout, or ``None`` before the first publication;
    ``ReleaseError`` when the repository cannot be read (a file missing or damaged)."""
    try:
        return _read_release(data_dir)
    except (OSError, ValueError, KeyError, TypeError, RepositoryError) as exc:
        raise ReleaseError(f"the update repository in {repository_dir(data_dir)} cannot be "
                           f"read ({type(exc).__name__}: {str(exc)[:200]})") from None


def _read_release(data_dir: str | Path) -> PublishedRelease | None:
    targets = latest_targets(data_dir)
    if targets is None:
        return None
    manifest = json.loads(_stored(data_dir, targets.targets[RELEASE_TARGET]))
    files = [t for path, t in targets.targets.items() if path.startswith(FILES_PREFIX)]
    rings = None
    if ROLLOUT_TARGET in targets.targets:
        rollout = json.loads(_stored(data_dir, targets.targets[ROLLOUT_TARGET]))
        rings = Rings(tuple(rollout["pilots"]), tuple(rollout["sites"]),
                      float(rollout["percent"]), bool(rollout["halted"]))
    return PublishedRelease(str(manifest["version"]), str(manifest.get("published_at", "")),
                            len(files), sum(t.length for t in files), rings)


def unreachable_keys(keys: str | Path | None) -> str | None:
    """Why this process cannot sign a rollout (no keys folder named, a role's key missing or
    unreadable), or ``None`` when it can."""
    if not keys:
        return f"the platform process was started without {KEYS_ENV}"
    folder = Path(keys)
    missing = [role for role in SIGNING_ROLES
               if not os.access(folder / f"{role}.pem", os.R_OK)]
    if missing:
        return f"no readable {', '.join(missing)} key in {folder} ({KEYS_ENV})"
    return None


def _entries(text: str, pattern: re.Pattern[str], field: str, shape: str) -> tuple[str, ...]:
    entries = tuple(dict.fromkeys(re.split(r"[\s,;，、]+", text.strip())) if text.strip() else ())
    if len(entries) > MAX_ENTRIES:
        raise RingsRefused(f"{field}: at most {MAX_ENTRIES}")
    bad = [entry for entry in entries if not pattern.fullmatch(entry)]
    if bad:
        shown = ", ".join(repr(entry[:40]) for entry in bad[:5])
        raise RingsRefused(f"{field}: {shape}; not {shown}")
    return entries


def rings_from_form(percent: str, sites: str, pilots: str, *, halted: bool) -> Rings:
    """The rings of the page's form: ``percent`` from 0 to 100, ``sites`` and ``pilots``
    separated by spaces, commas or lines. ``RingsRefused`` says what is wrong."""
    try:
        share = float(percent.strip())
    except ValueError:
        raise RingsRefused(f"percent: a number from 0 to 100, not {percent[:20]!r}") from None
    if not math.isfinite(share) or not 0 <= share <= 100:
        raise RingsRefused(f"percent: a number from 0 to 100, not {percent[:20]!r}")
    return Rings(
        _entries(pilots, PILOT_PATTERN, "pilot terminals",
                 "fleet ids (site code and terminal number, e.g. 110105-T01)"),
        _entries(sites, SITE_PATTERN, "sites", "6-digit division codes (GB/T 2260, e.g. 110105)"),
        share, halted)


def describe_rings(rings: Rings) -> str:
    """The rings in one line, for the trail and the command line's answer."""
    offered = (f"pilots {', '.join(rings.pilots) or 'none'}; sites "
               f"{', '.join(rings.sites) or 'none'}; {rings.percent:g}% of all terminals")
    return f"no further terminal (halted; {offered})" if rings.halted else offered


def rollout_command(rings: Rings) -> str:
    """The ``kiosk-central release rollout`` line that signs ``rings`` where the page cannot."""
    return " ".join([f"{CLI} rollout --percent {rings.percent:g}",
                     *(f"--site {site}" for site in rings.sites),
                     *(f"--pilot {pilot}" for pilot in rings.pilots),
                     *(["--halt"] if rings.halted else [])])


def version_order(version: str) -> tuple:
    """Sort key of the versions heartbeats name (newest first under ``reverse``; a version
    that is not dotted numbers sorts last)."""
    try:
        return (1, version_key(version))
    except ReleaseError:
        return (0, version)


def rollbacks(terminals: list[dict[str, Any]], limit: int = 20) -> list[dict[str, str]]:
    """Terminals whose last update was rolled back, with the version and the reason their
    heartbeat gave (``central.fleet``), newest version first."""
    rows = []
    for terminal in terminals:
        update = (terminal.get("fleet") or {}).get("update") or {}
        if update.get("last_outcome") == "rolled back" and update.get("last_version"):
            rows.append({"terminal_id": str(terminal["terminal_id"]),
                         "site": str(terminal.get("site") or ""),
                         "version": str(update["last_version"]),
                         "reason": str(update.get("last_reason") or "")})
    rows.sort(key=lambda row: (version_order(row["version"]), row["terminal_id"]), reverse=True)
    return rows[:limit]
