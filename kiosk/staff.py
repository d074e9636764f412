"""Staff PINs for the touch maintenance mode: per-staff records, hashed, with a lockout.

Each staff member has an id, a display name and a PIN of at least six digits, stored only as a
``hashlib.scrypt`` hash with a per-record random salt in ``<data_dir>/staff.json`` (mode 0600,
written atomically). Staff sign in with the PIN alone (the terminal has no keyboard), so two
staff members may not share a PIN; every record is checked on every attempt, compared with
``hmac.compare_digest``, so the time taken says nothing about which record (if any) matched.

Lockout is per terminal, not per staff member, because whoever is guessing does not pick an
identity: after :data:`FREE_FAILURES` consecutive wrong PINs, each further wrong PIN locks the pad
for a growing delay (30 s, 60 s, 120 s … capped at :data:`MAX_LOCK_S`). The count and the end of
the lock are in the same file, so a restart does not reset them. The clock is wall time (it must
survive a restart) and injectable for tests; a lock end further away than the cap (the clock was
set back) is treated as the cap.

Thread use: one :class:`StaffStore` per process; its methods take an internal lock and may be
called from any thread, but :meth:`StaffStore.verify` costs one scrypt per record (tens of ms
each), so never on the GUI thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STAFF_FILE = "staff.json"
#: Wrong PINs allowed in a row before the pad locks.
FREE_FAILURES = 5
#: The first lock; each further failure doubles it.
FIRST_LOCK_S = 30.0
#: Longest lock.
MAX_LOCK_S = 15 * 60.0
MIN_PIN_DIGITS = 6
_STAFF_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
# scrypt cost: 16 MiB and ~40 ms per check on the terminal's CPU; a stolen file still costs an
# attacker that much per guess per record.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class StaffError(ValueError):
    """A staff record cannot be added or removed (the message says why)."""


@dataclass(frozen=True)
class StaffMember:
    """One staff member as shown to people: no hash, no salt."""

    staff_id: str
    name: str
    created: str


@dataclass(frozen=True)
class SignIn:
    """The outcome of one PIN attempt.

    ``staff`` is set when the PIN matched. Otherwise ``locked_s`` is how long the pad is locked
    now (0 when it is not) and ``attempts_left`` how many wrong PINs remain before it locks.
    ``refused`` is True when the attempt was not even checked because the pad was locked.
    """

    staff: StaffMember | None
    locked_s: float = 0.0
    attempts_left: int = 0
    refused: bool = False


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)


def check_pin_format(pin: str) -> None:
    """Raise :class:`StaffError` unless ``pin`` is at least six ASCII digits."""
    if not (pin.isascii() and pin.isdigit() and len(pin) >= MIN_PIN_DIGITS):
        raise StaffError(f"a PIN must be at least {MIN_PIN_DIGITS} digits")


def lock_duration(failures: int) -> float:
    """Seconds the pad locks after ``failures`` consecutive wrong PINs (0 below the limit)."""
    if failures < FREE_FAILURES:
        return 0.0
    # Capped before the power: a damaged file may claim any number of failures.
    doublings = min(failures - FREE_FAILURES, 32)
    return min(FIRST_LOCK_S * 2.0 ** doublings, MAX_LOCK_S)


class StaffStore:
    """The staff records and the lockout state of one terminal, in ``<data_dir>/staff.json``."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(data_dir) / STAFF_FILE
        self._clock = clock
        self._lock = threading.Lock()

    # ---- file -------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return {"staff": [], "failures": 0, "locked_until": 0.0}
        except (OSError, ValueError) as exc:
            raise StaffError(f"{self.path} cannot be read: {type(exc).__name__}") from None
        # An edited or damaged file must fail here, as a StaffError, not deep inside a sign-in.
        if not isinstance(data, dict) or not isinstance(data.get("staff"), list) or not all(
                isinstance(r, dict) and all(isinstance(r.get(k), str) for k in ("id", "name", "salt", "hash"))
                for r in data["staff"]):
            raise StaffError(f"{self.path} is not a staff file")
        failures, locked_until = data.setdefault("failures", 0), data.setdefault("locked_until", 0.0)
        if (not isinstance(failures, int) or isinstance(failures, bool) or failures < 0
                or not isinstance(locked_until, (int, float)) or isinstance(locked_until, bool)
                or math.isnan(locked_until)):
            raise StaffError(f"{self.path} has a damaged lockout state")
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)  # an older file of another mode may have been reused
        temporary.replace(self.path)

    # ---- provisioning (kioskctl, demo) ------------------------------------------------------
    def add(self, staff_id: str, name: str, pin: str) -> StaffMember:
        """Add a staff member (or replace the PIN and name of an existing id)."""
        if not _STAFF_ID.fullmatch(staff_id):
            raise StaffError("a staff id is 1-32 letters, digits, '.', '_' or '-'")
        if not name.strip():
            raise StaffError("a display name is required")
        check_pin_format(pin)
        with self._lock:
            data = self._load()
            others = [r for r in data["staff"] if r["id"] != staff_id]
            if any(self._matches(record, pin) for record in others):
                raise StaffError("another staff member already has this PIN; choose another")
            salt = secrets.token_bytes(16)
            record = {
                "id": staff_id,
                "name": name.strip(),
                "salt": base64.b64encode(salt).decode(),
                "hash": base64.b64encode(_hash(pin, salt)).decode(),
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            data["staff"] = [*others, record]
            self._save(data)
        return StaffMember(staff_id, record["name"], record["created"])

    def remove(self, staff_id: str) -> None:
        """Remove a staff member; :class:`StaffError` when there is none with that id."""
        with self._lock:
            data = self._load()
            kept = [r for r in data["staff"] if r["id"] != staff_id]
            if len(kept) == len(data["staff"]):
                raise StaffError(f"no staff member {staff_id!r}")
            data["staff"] = kept
            self._save(data)

    def members(self) -> list[StaffMember]:
        """Every staff member, in the order they were added."""
        with self._lock:
            return [StaffMember(r["id"], r["name"], r.get("created", "")) for r in self._load()["staff"]]

    # ---- signing in -------------------------------------------------------------------------
    @staticmethod
    def _matches(record: dict[str, Any], pin: str) -> bool:
        try:
            salt = base64.b64decode(record["salt"])
            expected = base64.b64decode(record["hash"])
        except (KeyError, ValueError):
            return False
        return hmac.compare_digest(_hash(pin, salt), expected)

    def locked_for(self) -> float:
        """Seconds until the pad unlocks (0 when it is not locked)."""
        with self._lock:
            return self._remaining(self._load())

    def _remaining(self, data: dict[str, Any]) -> float:
        left = float(data.get("locked_until", 0.0)) - self._clock()
        return max(0.0, min(left, MAX_LOCK_S))

    def verify(self, pin: str) -> SignIn:
        """Check one PIN attempt, count it, and persist the lockout state (worker thread)."""
        with self._lock:
            data = self._load()
            locked = self._remaining(data)
            if locked > 0:
                return SignIn(None, locked_s=locked, refused=True)
            matched = None
            for record in data["staff"]:  # all of them, every time: no early exit to time
                if self._matches(record, pin) and matched is None:
                    matched = record
            if matched is not None:
                data["failures"], data["locked_until"] = 0, 0.0
                self._save(data)
                return SignIn(StaffMember(matched["id"], matched["name"], matched.get("created", "")))
            data["failures"] = int(data["failures"]) + 1
            delay = lock_duration(data["failures"])
            data["locked_until"] = self._clock() + delay if delay else 0.0
            self._save(data)
            return SignIn(None, locked_s=delay, attempts_left=max(0, FREE_FAILURES - data["failures"]))


# ---- kioskctl staff ---------------------------------------------------------------------------
def _read_pin(prompt: str) -> str:
    import getpass
    import sys

    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().strip()  # scripted provisioning: the PIN on stdin, never argv


def add_staff_parser(commands: Any) -> None:
    """Add ``kioskctl staff add|remove|list`` to the ``kioskctl`` subparsers."""
    staff = commands.add_parser("staff", help="maintenance-mode staff PINs: add, remove, list")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="add a staff member, or set a new PIN (asked twice, >= 6 digits)")
    add.add_argument("staff_id")
    add.add_argument("--name", required=True, help="display name shown after sign-in")
    remove = actions.add_parser("remove", help="remove a staff member")
    remove.add_argument("staff_id")
    actions.add_parser("list", help="list staff members (never PINs)")


def cmd_staff(config: Any, args: Any) -> int:
    """Run ``kioskctl staff …`` against the terminal's data folder; 1 with a message on error."""
    import sys

    store = StaffStore(config.storage.resolved_data_dir())
    try:
        if args.staff_command == "list":
            members = store.members()
            for member in members:
                print(f"{member.staff_id:12} {member.name}  (added {member.created})")
            if not members:
                print("no staff members yet: kioskctl staff add ID --name NAME")
        elif args.staff_command == "remove":
            store.remove(args.staff_id)
            print(f"removed {args.staff_id}")
        else:
            pin = _read_pin("new PIN (at least 6 digits): ")
            check_pin_format(pin)
            if _read_pin("the same PIN again: ") != pin:
                raise StaffError("the two PINs do not match")
            member = store.add(args.staff_id, args.name, pin)
            print(f"staff member {member.staff_id} ({member.name}) can now sign in to maintenance mode")
    except StaffError as exc:
        print(f"staff {args.staff_command}: {exc}", file=sys.stderr)
        return 1
    return 0
