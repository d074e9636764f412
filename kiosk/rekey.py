"""``kioskctl rekey``: give the terminal a new signing key without losing what is queued.

The terminal makes a new Ed25519 key (``terminal-ed25519.next.pem`` until the platform has it)
and registers it:

- with its current key: a request signed by that key (``POST /v1/terminal-key``) carrying the
  new key and the new key's proof of possession, so the platform knows the change comes from
  the terminal it enrolled;
- when the current key is lost or unusable: with an enrollment token bound to this terminal
  (``kiosk-central issue-token --terminal-id SITE-ID``; ``kioskctl rekey --token TOKEN``).

The platform keeps the previous key on record, retired: envelopes the terminal signed and queued
before stay acceptable for the platform's grace period (30 days by default), so nothing queued
is quarantined. Only then does the new key take the place of the old file, and the audit chain's
head is signed with it (event ``terminal.rekeyed``).

An interrupted re-key is safe to repeat: the pending key is reused, and a registration whose
answer was lost is recognised (the platform already holds the new key; the retry is signed with
it). The kiosk must not run meanwhile (it signs with the key it loaded): the command holds the
terminal's sync lock and refuses while another process has it.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass, replace

from egov_protocol.errors import CentralRejected, KeyFileError
from egov_protocol.keys import TerminalKeys
from egov_protocol.protocol import PlatformInfo
from offline_cache import Store, SyncState
from sync.client import CentralClient

from .enrollment import Enrollment, PlatformKeys
from .sync_service import fleet_terminal_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rekeyed:
    """The outcome of a re-key: the retired key (``None`` if it was unusable or already
    replaced by an interrupted attempt) and the new one."""

    terminal_id: str
    old_key_id: str | None
    new_key_id: str


class TerminalBusy(RuntimeError):
    """The kiosk or ``kioskctl sync`` is running: the key cannot change under it."""


def rekey_terminal(url: str, site_code: str, terminal_id: str, enrollment: Enrollment,
                   token: str | None = None) -> Rekeyed:
    """Register a new signing key with the platform at ``url`` and switch to it. Calling thread
    (network and file I/O). Raises ``TerminalBusy``, ``sync.CentralRejected`` (401: the key
    is not accepted, ask for a token; 403: a used or unbound token, or a revoked terminal) or
    ``RuntimeError`` with what to do."""
    data_dir = enrollment.data_dir
    lock = os.open(data_dir / "sync.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TerminalBusy("the kiosk (or kioskctl sync) is running: stop it "
                               "(systemctl stop egov-kiosk), then run kioskctl rekey again") from None
        return _rekey(url, site_code, terminal_id, enrollment, token)
    finally:
        os.close(lock)


def _rekey(url: str, site_code: str, terminal_id: str, enrollment: Enrollment,
           token: str | None) -> Rekeyed:
    keys_dir = enrollment.data_dir / "keys"
    fleet_id = fleet_terminal_id(site_code, terminal_id)
    held = enrollment.platform_keys()
    try:
        old = TerminalKeys.load_or_create(keys_dir) if (keys_dir / "terminal-ed25519.pem"
                                                         ).exists() else None
    except KeyFileError:
        old = None
    new = TerminalKeys.load_or_create_next(keys_dir)
    if token:
        with CentralClient(url, fleet_id) as client:
            info = client.enroll(token.strip(), new.public_key, site=site_code).platform
    elif held is None:
        raise RuntimeError("this terminal is not enrolled: run kioskctl enroll --token TOKEN")
    elif old is None:
        raise RuntimeError(
            "the terminal key is missing or unusable, so it cannot vouch for a new one: ask the "
            f"platform operators for a token bound to this terminal (kiosk-central issue-token "
            f"--terminal-id {fleet_id}) and run kioskctl rekey --token TOKEN")
    else:
        info = _register(url, fleet_id, old, new)
    TerminalKeys.promote_next(keys_dir)
    enrollment.forget_cached_keys()
    base = held or PlatformKeys(info.x25519_public, info.ed25519_public, url, fleet_id)
    enrollment.save_platform_keys(replace(
        base, x25519_public=info.x25519_public, ed25519_public=info.ed25519_public,
        central_url=url, terminal_id=fleet_id, sealing_key_since=info.sealing_key_since))
    _after_rekey(enrollment, old, new)
    log.info("terminal %s re-keyed to %s", fleet_id, new.key_id)
    return Rekeyed(fleet_id, None if old is None else old.key_id, new.key_id)


def _register(url: str, fleet_id: str, old: TerminalKeys, new: TerminalKeys) -> PlatformInfo:
    """Register ``new`` with a request signed by ``old``; after a lost answer the platform
    already holds ``new`` and refuses ``old`` (401), so the retry is signed with ``new``."""
    proof = new.rekey_proof(fleet_id)
    with CentralClient(url, fleet_id, signing_key=old.signing_key) as client:
        try:
            return client.register_key(new.public_key, proof).platform
        except CentralRejected as exc:
            if exc.status != 401:
                raise
    with CentralClient(url, fleet_id, signing_key=new.signing_key) as client:
        return client.register_key(new.public_key, proof).platform


def _after_rekey(enrollment: Enrollment, old: TerminalKeys | None, new: TerminalKeys) -> None:
    """Lift a pause (a refused key paused the queue) and record the change in the audit chain,
    whose head is then signed with the new key."""
    from .audit import AuditLog

    db_path = enrollment.data_dir / "kiosk.db"
    if db_path.exists():
        with Store(db_path) as store:
            SyncState(store).put("paused", None)
    audit = AuditLog(db_path, enrollment.signing_key)
    try:
        audit.record("terminal.rekeyed", actor="kioskctl", new_key=new.key_id,
                     old_key=None if old is None else old.key_id)
    finally:
        audit.close()
