"""``kioskctl update status|check|apply|rollback|guard`` and ``kiosk --update-guard``.

``check`` and ``apply`` take releases from the platform (``central.url``) or, with ``--from
DIR``, from a copy of the platform's repository on a USB stick; both are verified with TUF
against ``updates.trusted_root``. ``apply`` installs next to the running version and switches
on trial: the new version runs from the next start (``--restart``: restart the kiosk's unit
now). ``guard`` is what the unit runs before every start (``ExecStartPre``): it never fails the
start, it only picks the version that starts. Nothing printed holds personal data.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sync.updates import ReleaseChannel

from .citizen_presence import FLAG_NAME, wait_between_citizens
from .config import KioskConfig, UpdatesConfig, load_config
from .releases import Installation
from .update_apply import apply_update, changed_files

log = logging.getLogger(__name__)

UNIT = "egov-kiosk.service"


def add_update_parser(commands: Any) -> None:
    """``kioskctl update ...`` on the ``kioskctl`` sub-command parser."""
    update = commands.add_parser("update", help="software updates: status, check, apply, "
                                 "rollback (deploy/README.md)")
    actions = update.add_subparsers(dest="update_command", required=True)
    actions.add_parser("status", help="the versions installed, the trial under way, the last "
                       "outcome")
    for name, text in (("check", "is a newer release offered? (nothing is installed)"),
                       ("apply", "install the newest release and switch to it on trial")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--from", dest="from_dir", metavar="DIR",
                            help="a copy of the platform's repository (USB) instead of the "
                                 "platform")
    actions.choices["apply"].add_argument("--restart", action="store_true",
                                          help=f"restart {UNIT} now to start the new version")
    rollback = actions.add_parser("rollback", help="switch back to the previous good version")
    rollback.add_argument("--reason", default="rolled back by staff (kioskctl update rollback)")
    guard_action = actions.add_parser("guard", help="before the kiosk starts (the unit's "
                                      "ExecStartPre), or after it stopped with --stopped")
    guard_action.add_argument("--stopped", action="store_true",
                              help="note how the kiosk stopped ($SERVICE_RESULT; ExecStopPost)")


def installation(settings: UpdatesConfig) -> Installation:
    """The installation folder the configuration names."""
    return Installation(Path(settings.install_dir), health_s=settings.health_s,
                        self_test=settings.self_test)


def _channel(config: KioskConfig, args: argparse.Namespace) -> ReleaseChannel:
    settings = config.updates
    root = Path(settings.trusted_root or Path(settings.install_dir) / "update-root.json")
    trusted = root.read_bytes()
    metadata = config.storage.resolved_data_dir() / "updates" / "metadata"
    if args.from_dir:
        return ReleaseChannel.from_folder(Path(args.from_dir), metadata, trusted)
    return ReleaseChannel.online(config.central.url, metadata, trusted,
                                 max_bytes_per_s=settings.max_kbps * 1024 or None)


def _status(where: Installation) -> int:
    state = where.state()
    print(f"running {where.current() or 'nothing installed'}; last good "
          f"{where.good() or 'none'}; installed {', '.join(where.installed()) or 'none'}")
    trial = state.get("trial")
    if trial:
        left = max(0.0, trial["switched_at"] + where.health_s - time.time())
        print(f"on trial: {trial['version']} (from {trial['previous']}), started "
              f"{trial['starts']} time(s), kept after {left:.0f} more second(s) without a restart")
    pending = where.pending()
    if pending:
        print(f"pending: {pending['version']}, {pending['done']} of {pending['total']} bytes "
              "(kioskctl update apply resumes it)")
    last = state.get("last")
    if last:
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(last["at"]))
        print(f"last: {last['version']} {last['outcome']} at {when} UTC"
              + (f" to {last['to']}: {last['reason']}" if last["outcome"] == "rolled back" else ""))
    if state.get("refused"):
        print(f"refused (rolled back before): {', '.join(state['refused'])}")
    return 0


def _progress(done: int, total: int) -> None:
    print(f"\r{done * 100 // max(total, 1):3d}% of {total} bytes", end="", file=sys.stderr,
          flush=True)


def run_update(config: KioskConfig, args: argparse.Namespace) -> int:
    """Carry out ``kioskctl update ...``; exit 0 when done (or nothing to do), 1 otherwise."""
    where = installation(config.updates)
    command = args.update_command
    if command == "status":
        return _status(where)
    if command == "guard":
        return stopped(where) if args.stopped else guard(where)
    if command == "rollback":
        before = where.current()
        with where.locked():
            after = where.rollback(args.reason)
        print(f"running {after} from the next start" if after != before
              else f"no earlier version to go back to: running {after}")
        return 0 if after != before else 1
    from .sync_service import fleet_terminal_id

    site = config.terminal.site_code
    terminal = (fleet_terminal_id(site, config.terminal.terminal_id), site)
    channel = _channel(config, args)
    try:
        if command == "check":
            release = channel.latest()
            changed = changed_files(where, release)
            offered = release.rollout is None or release.rollout.offers(*terminal)
            print(f"offered {release.version} ({len(release.files)} files, {release.bytes} "
                  f"bytes); running {where.current()}; {len(changed)} file(s), "
                  f"{sum(f.length for f in changed)} bytes to fetch"
                  + ("" if offered else "; not yet to this terminal (rollout rings)"))
            return 0
        flag = config.storage.resolved_data_dir() / FLAG_NAME
        applied = apply_update(where, channel, progress=_progress,
                               between_citizens=lambda: wait_between_citizens(flag),
                               terminal=terminal)
    finally:
        channel.close()
    print(file=sys.stderr)
    print(f"{applied.outcome}: {applied.version}"
          + (f" ({applied.detail})" if applied.detail else "")
          + (f"; fetched {applied.fetched_files} file(s), {applied.fetched_bytes} bytes, "
             f"linked {applied.linked_files}" if applied.outcome != "up to date" else ""))
    if applied.outcome == "switched":
        print(f"{applied.version} starts at the next start, on trial for "
              f"{where.health_s:g} s")
        if args.restart:
            subprocess.run(["systemctl", "restart", UNIT], check=False)
    return 0 if applied.outcome in ("switched", "up to date", "not offered") else 1


def guard(where: Installation) -> int:
    """Run the health gate; always exit 0 (the kiosk must start, whichever version)."""
    try:
        with where.locked():
            outcome = where.guard()
    except Exception as exc:  # a broken guard must never keep the terminal from starting
        log.error("update guard failed: %s", type(exc).__name__)
        print(f"update guard failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 0
    print(f"update guard: {outcome.verdict} {outcome.version}"
          + (f": {outcome.reason}" if outcome.reason else ""), file=sys.stderr)
    return 0


def stopped(where: Installation) -> int:
    """Note how the kiosk stopped (``$SERVICE_RESULT``); always exit 0."""
    try:
        with where.locked():
            where.note_stop(os.environ.get("SERVICE_RESULT", "unknown"))
    except Exception as exc:  # the next start's guard then counts it as a crash
        print(f"update guard failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 0


def guard_main(argv: list[str]) -> int:
    """``kiosk --update-guard [--stopped] [--config FILE]``: the frozen build's guard."""
    parser = argparse.ArgumentParser(prog="kiosk --update-guard")
    parser.add_argument("--update-guard", action="store_true")
    parser.add_argument("--stopped", action="store_true")
    parser.add_argument("--config")
    args = parser.parse_args(argv)
    where = installation(load_config(args.config).updates)
    return stopped(where) if args.stopped else guard(where)
