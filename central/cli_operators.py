"""``kiosk-central operator …`` and ``kiosk-central audit …``: operator accounts and the
platform trail from the command line, and the trail entries of the other commands.

Commands run by someone with the data folder and database at hand (an administrator on the
platform's machine) are recorded in the trail as ``cli:<login name>``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from .operators import ROLES, OperatorAccounts, OperatorError
from .store import CentralStore
from .trail import PlatformTrail


def cli_actor() -> str:
    """The trail's name for whoever runs the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def record(store: CentralStore, action: str, subject: str = "") -> None:
    """Append a command-line action to the platform trail."""
    PlatformTrail(store.db).record(cli_actor(), action, subject)


def add_commands(command) -> None:
    """Register ``operator`` and ``audit`` with ``command(name, help)`` (see ``central.cli``)."""
    operator = command("operator", "operator accounts: add NAME --role ROLE, disable NAME (no "
                       "login, live sessions end), enable NAME, or list")
    operator.add_argument("action", choices=("add", "disable", "enable", "list"))
    operator.add_argument("name", nargs="?", help="the operator's login name")
    operator.add_argument("--role", choices=ROLES, help="admin (accounts, keys), fleet-operator "
                          "(tokens, terminals, documents), case-worker (submissions), auditor "
                          "(read-only trail)")
    audit = command("audit", "the platform trail of operator actions: verify, or list")
    audit.add_argument("action", choices=("verify", "list"))
    audit.add_argument("--limit", type=int, default=50)


def run_operator(args, store: CentralStore) -> int:
    """``operator add`` prints the one-time password and the TOTP enrolment once."""
    accounts = OperatorAccounts(store.db, Path(args.data_dir) / "keys")
    if args.action == "list":
        for row in accounts.list():
            state = f"disabled {row['disabled_at']}" if row["disabled_at"] else "active"
            print(f"{row['name']}\t{row['role']}\t{row['created_at']}\t{state}")
        return 0
    if args.action in ("disable", "enable"):
        return _set_disabled(store, accounts, args.name, args.action == "disable")
    if not args.name or not args.role:
        print("operator add needs a NAME and --role", file=sys.stderr)
        return 2
    try:
        new = accounts.add(args.name, args.role)
    except OperatorError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    record(store, "added operator", f"{new.name} ({new.role})")
    print(f"operator {new.name} ({new.role}) created. Give these to them once, privately:")
    print(f"password: {new.password}")
    print(f"totp: {new.totp_uri}")
    print("They add the TOTP line to an authenticator app (as a QR code or by hand) and log in "
          "with name, password and the app's 6-digit code; the password works for that first "
          "login only, which asks them for one of their own.")
    return 0


def _set_disabled(store: CentralStore, accounts: OperatorAccounts, name: str | None,
                  disabled: bool) -> int:
    verb = "disable" if disabled else "enable"
    if not name:
        print(f"operator {verb} needs a NAME", file=sys.stderr)
        return 2
    if not accounts.set_disabled(name, disabled):
        print(f"no operator called {name}", file=sys.stderr)
        return 1
    record(store, f"{verb}d operator", name)
    print(f"operator {name} {verb}d" + (": cannot log in, sessions ended" if disabled else ""))
    return 0


def run_audit(args, store: CentralStore) -> int:
    """``audit verify`` exits 3 when the chain is broken (like ``kioskctl audit verify``)."""
    trail = PlatformTrail(store.db)
    if args.action == "list":
        for entry in reversed(trail.entries(args.limit)):
            print(f"{entry['seq']}\t{entry['at']}\t{entry['operator']}\t{entry['action']}\t"
                  f"{entry['subject']}")
        return 0
    check = trail.verify()
    if check.ok:
        print(f"platform trail intact: {check.entries} entries")
        return 0
    print(f"platform trail BROKEN at entry {check.broken_at}: {check.reason} "
          f"({check.entries} entries)", file=sys.stderr)
    return 3


def operator_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` of ``--operator-listen``."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError("give HOST:PORT, e.g. 127.0.0.1:8701")
    return host.strip("[]"), int(port)
