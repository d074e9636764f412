"""``kioskctl``: the staff and operations command line.

Every command prints plain verdicts a staff member can act on and exits non-zero when something
needs fixing, so scripts can use it too. Nothing it prints contains personal data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from egov_protocol.protocol import RATING_FORM_ID
from offline_cache import CaseStatuses, Outbox, Store, SyncState

from .config import ConfigError, KioskConfig, load_config
from .enrollment import Enrollment
from .outbox_transfer import export_outbox, import_acks
from .staff import add_staff_parser, cmd_staff
from .sync_service import enroll_terminal, sync_once
from .update_cli import add_update_parser, run_update

#: Receipts whose platform status ``kioskctl queue`` lists, newest change first.
STATUSES_LISTED = 20


def _data_dir(config: KioskConfig) -> Path:
    return config.storage.resolved_data_dir()


def _cmd_doctor(config: KioskConfig, args: argparse.Namespace) -> int:
    from .doctor import exit_code, render_json, render_text, run_checks

    checks = run_checks(config)
    print(render_json(checks) if args.json else render_text(checks))
    return exit_code(checks)


def _cmd_audit(config: KioskConfig, args: argparse.Namespace) -> int:
    from .audit import AuditLog

    audit = AuditLog.for_terminal(_data_dir(config), config.central.platform_keys_file)
    if args.audit_command == "list":
        for event in audit.events(args.since):
            details = " ".join(f"{k}={v}" for k, v in sorted(event.details.items()))
            print(f"{event.seq:6} {event.at} {event.kind:24} {event.actor or '-':12} {details}")
        return 0
    verdict = audit.verify()
    if verdict.ok:
        print(f"audit chain intact: {verdict.events} event(s), head {verdict.head_seq} "
              f"{verdict.head_hash[:16]}")
        return 0
    for problem in verdict.problems:
        print(f"TAMPERED: {problem}")
    print("       fix: keep the terminal as it is and call the security officer; "
          "compare with the audit head on the central fleet page")
    return 3

def _open_store(config: KioskConfig) -> Store | None:
    path = _data_dir(config) / "kiosk.db"
    return Store(path).open() if path.exists() else None


def _cmd_queue(config: KioskConfig, _args: argparse.Namespace) -> int:
    store = _open_store(config)
    if store is None:
        print("no submissions yet")
        return 0
    try:
        outbox, state = Outbox(store), SyncState(store)
        # 好差评 ratings share the queue with applications; they are counted apart.
        counts = outbox.counts(other_than=RATING_FORM_ID)
        ratings = outbox.counts(form_id=RATING_FORM_ID)
        everything = outbox.counts()
        oldest = state.oldest_unsent()
        quarantined = state.quarantined()
        paused = state.paused_reason()
        statuses = CaseStatuses(store).recent(STATUSES_LISTED)
        verdict = store.integrity_check(quick=True)
    finally:
        store.close()
    print("applications")
    for name, count in sorted(counts.items()):
        print(f"  {name:12} {count}")
    print("ratings (好差评)")
    for name, count in sorted(ratings.items()):
        print(f"  {name:12} {count}")
    unsent = everything["queued"] + everything["sending"] + everything["sealed"]
    if oldest is not None:
        age = datetime.now(UTC) - oldest
        print(f"oldest unsent: {oldest:%Y-%m-%d %H:%M} UTC ({int(age.total_seconds() // 3600)} h "
              f"{int(age.total_seconds() % 3600 // 60)} min ago), {unsent} waiting")
    for record in quarantined:
        print(f"quarantined  {record.receipt_number} ({record.id}): {record.reason}")
    from .receipts import unprinted_receipts

    unprinted = unprinted_receipts(_data_dir(config))
    for item in unprinted:  # the terminal stopped between storing and printing: the citizen has nothing
        print(f"NOT PRINTED  {item['receipt_number']}  {item['service']}  {item['accepted_at']}")
    if unprinted:
        print("       fix: reprint each receipt for its citizen: kioskctl reprint RECEIPT-NUMBER "
              "(or maintenance mode, Queue and sync)")
    from .case_progress import STATUS_NAMES

    if statuses:  # pulled from the platform by the sync worker: where recent cases stand
        print(f"platform status (latest {len(statuses)})")
    for status in statuses:
        name = STATUS_NAMES.get(status.status, {}).get("zh-CN", "")
        print(f"  {status.receipt_number}  {status.status} {name}  {status.at.astimezone():%Y-%m-%d %H:%M}")
    if paused:
        print(f"PAUSED: the central platform refused this terminal ({paused}).")
        print(f"       fix: {_pause_fix(config, paused)}")
    if verdict != "ok":
        print(f"local store: {verdict} -- call an engineer; do not delete the file")
    return 1 if paused or verdict != "ok" or unprinted else 0


def _pause_fix(config: KioskConfig, reason: str) -> str:
    from .sync_pause import pause_action
    from .sync_service import fleet_terminal_id

    return pause_action(reason, fleet_terminal_id(config.terminal.site_code,
                                                  config.terminal.terminal_id)).fix


def _cmd_enroll(config: KioskConfig, args: argparse.Namespace) -> int:
    url = (args.url or config.central.url).rstrip("/")
    token = args.token or input("enrollment token: ")
    keys = enroll_terminal(url, config.terminal.site_code, config.terminal.terminal_id,
                           Enrollment(_data_dir(config), config.central.platform_keys_file), token,
                           platform_key=args.platform_key)
    print(f"enrolled as {keys.terminal_id} with {keys.central_url}"
          + (" (platform key matches the pinned one)" if args.platform_key else ""))
    return 0


def _cmd_rekey(config: KioskConfig, args: argparse.Namespace) -> int:
    from .rekey import rekey_terminal

    url = (args.url or config.central.url).rstrip("/")
    done = rekey_terminal(url, config.terminal.site_code, config.terminal.terminal_id,
                          Enrollment(_data_dir(config), config.central.platform_keys_file),
                          args.token)
    print(f"{done.terminal_id} now signs with {done.new_key_id}"
          + (f"; {done.old_key_id} is retired" if done.old_key_id else "")
          + ". Queued submissions stay deliverable for the platform's grace period: "
          "run kioskctl sync (or start the kiosk) soon.")
    return 0


def _progress(total: int, config: KioskConfig) -> Callable[[str, dict[str, Any]], None]:
    done = [0]

    def on_event(name: str, data: dict[str, Any]) -> None:
        if name in ("submission_acked", "submission_quarantined"):
            done[0] += 1
            width = 30
            filled = width * min(done[0], total) // max(total, 1)
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done[0]}/{total}", end="",
                  file=sys.stderr, flush=True)
        elif name == "sync_failed":
            print(f"\nnot delivered now: {data.get('reason')} ({data.get('error', '')[:120]})",
                  file=sys.stderr)
        elif name == "sync_paused":
            reason = f"{data.get('status')} {data.get('reason')}"
            print(f"\nPAUSED: the platform refused this terminal: {reason}\n"
                  f"       fix: {_pause_fix(config, reason)}", file=sys.stderr)

    return on_event


def _cmd_sync(config: KioskConfig, _args: argparse.Namespace) -> int:
    store = _open_store(config)
    total = 0
    if store is not None:
        try:
            counts = Outbox(store).counts()
            total = counts["queued"] + counts["sending"] + counts["sealed"]
        finally:
            store.close()
    counts = sync_once(_data_dir(config) / "kiosk.db",
                       Enrollment(_data_dir(config), config.central.platform_keys_file),
                       config.central, on_event=_progress(total, config))
    if total:
        print(file=sys.stderr)
    for state, count in sorted(counts.items()):
        print(f"{state:12} {count}")
    return 0 if not (counts.get("queued") or counts.get("sending")) else 1


def _cmd_export_outbox(config: KioskConfig, args: argparse.Namespace) -> int:
    store = _open_store(config)
    if store is None:
        print("no submissions yet")
        return 0
    keys = Enrollment(_data_dir(config), config.central.platform_keys_file).platform_keys()
    if keys is None:
        raise RuntimeError("this terminal is not enrolled: nothing can be exported")
    try:
        written = export_outbox(store, Path(args.dir), keys.terminal_id)
    finally:
        store.close()
    print(f"wrote {written} sealed submission(s) to {args.dir}; they stay queued until the "
          "platform acknowledges them (online, or kioskctl import-acks DIR)")
    return 0


def _cmd_import_acks(config: KioskConfig, args: argparse.Namespace) -> int:
    store = _open_store(config)
    if store is None:
        print("no submissions yet")
        return 0
    try:
        acked = import_acks(store, Path(args.dir))
    finally:
        store.close()
    print(f"marked {acked} submission(s) acknowledged")
    return 0


def _cmd_check_config(config: KioskConfig, args: argparse.Namespace) -> int:
    print(f"{args.config or '(embedded default)'}: valid")
    return 0


def _cmd_reprint(config: KioskConfig, args: argparse.Namespace) -> int:
    from .receipts import RecentReceipts, reprint

    if args.list:
        entries = RecentReceipts(_data_dir(config) / "receipts" / "recent.json").load()
        for entry in entries:
            state = {"printed": "printed", "failed": "NOT PRINTED (printer failed)",
                     "pending": "NOT PRINTED (terminal stopped before printing)"}[entry["state"]]
            print(f"{entry['receipt']['receipt_number']}  {state}")
        if not entries:
            print("no receipts remembered yet")
        return 0
    receipt, result = reprint(config, _data_dir(config), args.receipt_number)
    print(f"reprinted {receipt.receipt_number} (job {result.job_id})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kioskctl`` console script."""
    parser = argparse.ArgumentParser(prog="kioskctl", description="Staff and operations tools for egov-kiosk.")
    parser.add_argument("--config", help="the terminal's TOML configuration (default: embedded, all simulated)")
    parser.add_argument("--demo", action="store_true",
                        help="the terminal of the demo last started on this machine (make demo, kiosk --demo)")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser("doctor", help="check everything the terminal needs, with fixes "
                                 "(exit 0 ok, 1 warnings, 2 failures)")
    doctor.add_argument("--json", action="store_true", help="machine-readable report")
    audit = commands.add_parser("audit", help="the hash-linked audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="check the chain; exit 3 when it was tampered with")
    audit_list = audit_commands.add_parser("list", help="print the events")
    audit_list.add_argument("--since", help="ISO time, e.g. 2026-11-26 or 2026-11-26T08:00")
    commands.add_parser("queue", help="submissions by state and the platform status of recent ones")
    enroll = commands.add_parser("enroll", help="enroll this terminal with a one-time token")
    enroll.add_argument("--url", help="central platform base URL (default: central.url)")
    enroll.add_argument("--token", help="the one-time token from the platform operators")
    enroll.add_argument("--platform-key", help="the platform key fingerprint (sha256:…) printed "
                        "with the token: the platform must answer with this key")
    rekey = commands.add_parser("rekey", help="make a new terminal key and register it with the "
                                "platform (the kiosk stopped); queued submissions stay deliverable")
    rekey.add_argument("--url", help="central platform base URL (default: central.url)")
    rekey.add_argument("--token", help="a token bound to this terminal, when its key is lost")
    commands.add_parser("sync", help="forward the queued submissions now, with progress")
    export = commands.add_parser("export-outbox", help="write queued sealed submissions to DIR")
    export.add_argument("dir")
    acks = commands.add_parser("import-acks", help="mark submissions acknowledged from DIR/acks.json")
    acks.add_argument("dir")
    commands.add_parser("check-config", help="validate the configuration file")
    reprint = commands.add_parser("reprint", help="print one of the last receipts again (newest by default)")
    reprint.add_argument("receipt_number", nargs="?", help="receipt number (default: the newest)")
    reprint.add_argument("--list", action="store_true", help="list the remembered receipts")
    add_staff_parser(commands)
    add_update_parser(commands)
    args = parser.parse_args(argv)
    try:
        if args.demo:
            try:
                from .demo import DEMO_DATA_DIR, running_demo_config
            except ModuleNotFoundError:  # kiosk.spec leaves the demo out of the frozen build
                print("--demo works from the source tree (make demo); this build has no demo", file=sys.stderr)
                return 2
            try:
                config = running_demo_config(DEMO_DATA_DIR)
            except FileNotFoundError:
                print(f"no demo has been started on this machine ({DEMO_DATA_DIR}); start one with make demo",
                      file=sys.stderr)
                return 2
        else:
            config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    handlers = {"doctor": _cmd_doctor, "audit": _cmd_audit, "queue": _cmd_queue, "enroll": _cmd_enroll,
                "rekey": _cmd_rekey, "sync": _cmd_sync, "check-config": _cmd_check_config,
                "export-outbox": _cmd_export_outbox, "import-acks": _cmd_import_acks,
                "reprint": _cmd_reprint, "staff": cmd_staff, "update": run_update}
    try:
        return handlers[args.command](config, args)
    except Exception as exc:
        print(f"{args.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
