"""Operator accounts of the platform: roles, argon2id passwords, TOTP, sessions, and the
throttling of failed logins.

Roles (``ROLES``): ``admin`` (accounts, keys), ``fleet-operator`` (tokens, terminals,
documents, release rollouts), ``case-worker`` (submissions and the cases of
``central.routers.cases``) and ``auditor`` (read-only trail and fleet, releases included).
Every account has a TOTP secret and every login asks for the code: the roles that can reach
personal data (``PERSONAL_DATA_ROLES``) could never go without it.
TOTP secrets are stored encrypted (AES-256-GCM) with ``DATA_DIR/keys/operator-totp.key``, so a
copy of the database alone yields no second factor. The
password ``operator add`` prints is good for one login: that session can only change it.
A session is a random token in a cookie, stored hashed, with its own CSRF token; it ends after
``IDLE_S`` without a request or ``MAX_AGE_S`` after login.

Thread rule: any thread (the database keeps one connection per thread).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, func, select, update

from .db import Database, insert
from .tables import login_failures, operator_sessions, operators

ROLES = ("admin", "fleet-operator", "case-worker", "auditor")
PERSONAL_DATA_ROLES = frozenset({"admin", "case-worker"})
#: What each role may do (``require`` in ``central.operator_auth``).
PERMISSIONS = {
    "fleet": {"admin", "fleet-operator", "auditor"},
    "tokens": {"admin", "fleet-operator"},
    "documents": {"admin", "fleet-operator"},
    "submissions": {"admin", "case-worker"},
    "cases": {"case-worker"},
    "trail": {"admin", "auditor"},
    "accounts": {"admin"},
    "handoff": {"admin", "fleet-operator"},
    "releases": {"admin", "fleet-operator"},
}
IDLE_S = 15 * 60
MAX_AGE_S = 12 * 3600
FAILURE_WINDOW_S = 15 * 60
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
ISSUER = "egov-kiosk platform"
MIN_PASSWORD = 12
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TOTP_KEY_FILE = "operator-totp.key"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class OperatorError(Exception):
    """An account that cannot be created as asked (bad name or role, name taken)."""


class LoginRefused(Exception):
    """Wrong name, password or code; the same message for each, so it tells nothing."""


class PasswordRefused(Exception):
    """A new password that is too short, does not match its repetition, or is the old one."""


class LoginThrottled(Exception):
    """Too many failed logins for this name or address: wait before the next try."""


@dataclass(frozen=True)
class NewOperator:
    """What ``kiosk-central operator add`` prints once: the password and the TOTP enrolment."""

    name: str
    role: str
    password: str
    totp_uri: str


@dataclass(frozen=True)
class OperatorSession:
    """A logged-in operator: ``token`` goes in the cookie, ``csrf`` in every form."""

    operator: str
    role: str
    token: str
    csrf: str
    #: Still on the one-time password of ``operator add``: nothing but changing it is allowed.
    must_change: bool = False

    def may(self, permission: str) -> bool:
        """True when this operator's role grants ``permission`` (a key of ``PERMISSIONS``)."""
        return self.role in PERMISSIONS.get(permission, set())


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a secret someone sent with the expected one (any text: the
    standard library's comparison of ``str`` refuses non-ASCII)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogatepass"),
                                  expected.encode("utf-8", "surrogatepass"))


def totp_key(keys_dir: Path) -> bytes:
    """The 32-byte key that encrypts TOTP secrets: ``keys_dir/operator-totp.key`` (mode 0600),
    made on first use. Every worker and machine of one platform shares the keys folder."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = keys_dir / TOTP_KEY_FILE
    if not path.exists():
        temporary = keys_dir / f".{TOTP_KEY_FILE}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        try:
            os.link(temporary, path)  # atomic, and never replaces a key a racing worker made
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = path.read_bytes()
    if len(key) != 32:
        raise OperatorError(f"{path} is not a 32-byte key")
    return key


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OperatorAccounts:
    """Accounts, logins and sessions in the platform database ``db``."""

    def __init__(self, db: Database, keys_dir: Path) -> None:
        """Use the platform database ``db`` (its schema already created) and the platform's
        keys folder (for the key of the TOTP secrets)."""
        self.db = db
        self._aead = AESGCM(totp_key(Path(keys_dir)))

    def _seal(self, name: str, secret: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), name.encode())
        return "v1:" + base64.b64encode(nonce + sealed).decode()

    def _open(self, name: str, stored: str) -> str:
        raw = base64.b64decode(stored.removeprefix("v1:"))
        return self._aead.decrypt(raw[:12], raw[12:], name.encode()).decode()

    def add(self, name: str, role: str) -> NewOperator:
        """Create an account with a generated password and TOTP secret, returned once."""
        if not NAME_PATTERN.match(name):
            raise OperatorError("names are 2-64 lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise OperatorError(f"role must be one of {', '.join(ROLES)}")
        password = secrets.token_urlsafe(15)
        secret = pyotp.random_base32()
        with self.db.transaction() as conn:
            added = conn.execute(insert(conn, operators).values(
                name=name, role=role, password_hash=_hasher.hash(password),
                totp_secret=self._seal(name, secret), created_at=_now().isoformat(),
            ).on_conflict_do_nothing()).rowcount
        if not added:
            raise OperatorError(f"an operator called {name} already exists")
        uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)
        return NewOperator(name, role, password, uri)

    def list(self) -> list[dict]:
        """Every account: name, role, created, disabled (no secrets)."""
        o = operators.c
        with self.db.transaction(write=False) as conn:
            return [dict(row) for row in conn.execute(
                select(o.name, o.role, o.created_at, o.disabled_at).order_by(o.name)).mappings()]

    def set_disabled(self, name: str, disabled: bool) -> bool:
        """Disable ``name`` (it cannot log in, and its live sessions end now) or enable it again;
        False for an unknown name. Disabling a disabled account keeps its first date."""
        o = operators.c
        with self.db.transaction() as conn:
            if conn.scalar(select(o.name).where(o.name == name)) is None:
                return False
            if disabled:
                conn.execute(update(operators).where(o.name == name, o.disabled_at.is_(None))
                             .values(disabled_at=_now().isoformat()))
                conn.execute(delete(operator_sessions)
                             .where(operator_sessions.c.operator == name))
            else:
                conn.execute(update(operators).where(o.name == name).values(disabled_at=None))
        return True

    def log_in(self, name: str, password: str, code: str, address: str) -> OperatorSession:
        """Check name, password and TOTP code; a new session. Raises ``LoginThrottled`` before
        checking anything when this name or address failed too often lately, and
        ``LoginRefused`` (recording the failure) when anything is wrong."""
        self._check_throttle(name, address)
        with self.db.transaction(write=False) as conn:
            row = conn.execute(select(operators).where(operators.c.name == name)).mappings().first()
        if row is None or row["disabled_at"] is not None:
            _hasher.hash(password)  # the same work as a real check: timing tells nothing
            self._failed(name, address)
            raise LoginRefused("wrong name, password or code")
        try:
            _hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            self._failed(name, address)
            raise LoginRefused("wrong name, password or code") from None
        step = self._totp_step(self._open(name, row["totp_secret"]), code)
        if step is None:
            self._failed(name, address)
            raise LoginRefused("wrong name, password or code")
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), _now().isoformat()
        with self.db.transaction() as conn:
            # A code is good once: a replayed code (same or older step) is refused.
            if conn.execute(update(operators).where(operators.c.name == name,
                                                    operators.c.totp_last_step < step)
                            .values(totp_last_step=step)).rowcount != 1:
                raise LoginRefused("wrong name, password or code")
            conn.execute(operator_sessions.insert().values(
                token_hash=_hash(token), operator=name, csrf=csrf, created_at=now,
                last_seen_at=now))
        return OperatorSession(name, row["role"], token, csrf, bool(row["must_change"]))

    def change_password(self, name: str, old: str, new: str, repeated: str) -> None:
        """Replace ``name``'s password after checking the current one (``LoginRefused``);
        ``PasswordRefused`` for a new one shorter than ``MIN_PASSWORD``, not repeated alike, or
        the same as the old one."""
        if len(new) < MIN_PASSWORD or new != repeated or new == old:
            raise PasswordRefused(f"the new password needs {MIN_PASSWORD} characters or more, "
                                  "the same twice, and must differ from the old one")
        with self.db.transaction(write=False) as conn:
            stored = conn.scalar(select(operators.c.password_hash)
                                 .where(operators.c.name == name))
        try:
            _hasher.verify(stored or "", old)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise LoginRefused("the current password is wrong") from None
        with self.db.transaction() as conn:
            conn.execute(update(operators).where(operators.c.name == name)
                         .values(password_hash=_hasher.hash(new), must_change=0))

    @staticmethod
    def _totp_step(secret: str, code: str) -> int | None:
        """The time step ``code`` is valid for (this one or the one before), or None."""
        code = code.strip().replace(" ", "")
        totp = pyotp.TOTP(secret)
        now = time.time()
        for offset in (0, -30):
            if same_secret(code, totp.at(now + offset)):
                return int((now + offset) // 30)
        return None

    def _check_throttle(self, name: str, address: str) -> None:
        since = (_now() - timedelta(seconds=FAILURE_WINDOW_S)).isoformat()
        f = login_failures.c
        with self.db.transaction(write=False) as conn:
            by_name = conn.scalar(select(func.count()).where(f.name == name,
                                                             f.failed_at > since)) or 0
            by_address = conn.scalar(select(func.count()).where(f.address == address,
                                                                f.failed_at > since)) or 0
        if by_name >= MAX_FAILURES_PER_NAME or by_address >= MAX_FAILURES_PER_ADDRESS:
            raise LoginThrottled(f"too many failed logins: try again in {FAILURE_WINDOW_S // 60} "
                                 "minutes")

    def _failed(self, name: str, address: str) -> None:
        now = _now()
        with self.db.transaction() as conn:
            conn.execute(login_failures.insert().values(name=name, address=address,
                                                        failed_at=now.isoformat()))
            conn.execute(delete(login_failures).where(
                login_failures.c.failed_at < (now - timedelta(seconds=FAILURE_WINDOW_S)).isoformat()))

    def session(self, token: str) -> OperatorSession | None:
        """The live session of cookie ``token`` (its idle clock restarted), or None when
        unknown, idle for ``IDLE_S``, older than ``MAX_AGE_S`` or of a disabled account."""
        if not token:
            return None
        now = _now()
        s, o, hashed = operator_sessions.c, operators.c, _hash(token)
        with self.db.transaction() as conn:
            row = conn.execute(
                select(s.operator, s.csrf, s.created_at, s.last_seen_at, o.role, o.disabled_at,
                       o.must_change).join_from(operator_sessions, operators,
                                                o.name == s.operator)
                .where(s.token_hash == hashed)).mappings().first()
            if row is None:
                return None
            idle = now - datetime.fromisoformat(row["last_seen_at"])
            age = now - datetime.fromisoformat(row["created_at"])
            if (idle.total_seconds() > IDLE_S or age.total_seconds() > MAX_AGE_S
                    or row["disabled_at"] is not None):
                conn.execute(delete(operator_sessions).where(s.token_hash == hashed))
                return None
            conn.execute(update(operator_sessions).where(s.token_hash == hashed)
                         .values(last_seen_at=now.isoformat()))
        return OperatorSession(row["operator"], row["role"], token, row["csrf"],
                               bool(row["must_change"]))

    def log_out(self, token: str) -> None:
        """End the session of ``token`` (idempotent)."""
        with self.db.transaction() as conn:
            conn.execute(delete(operator_sessions)
                         .where(operator_sessions.c.token_hash == _hash(token)))
