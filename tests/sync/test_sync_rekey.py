"""Re-keying loses nothing: envelopes queued before the platform rotated its sealing key and the
terminal got a new signing key are delivered, online and by USB import, within the grace
period; after it they are refused with a reason naming the key. The platform a real
``kiosk-central`` subprocess on loopback (SQLite, and PostgreSQL with several workers), the
terminal driven through ``kioskctl`` as staff would."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from central.cli import main as central_cli
from central.keyring import RETIRED_PREFIX
from central.store import open_platform_store
from central.tables import terminal_keys
from central.terminal_keys import terminal_key_history
from kiosk.cli import main as kioskctl
from kiosk.config import load_config
from kiosk.enrollment import Enrollment
from kiosk.submission import Draft, SubmissionWriter
from offline_cache import Outbox, Store, SyncState
from sync.local_central import LocalCentral, free_port


def write_config(tmp_path: Path, url: str, terminal_id: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
                    f'[central]\nurl = "{url}"\n[terminal]\nterminal_id = "{terminal_id}"\n',
                    encoding="utf-8")
    return path


def queue(config_path: Path, count: int) -> list[str]:
    """``count`` real submissions, sealed and signed by the kiosk's own path, as it holds its
    keys now; their ids."""
    config = load_config(str(config_path))
    data = config.storage.resolved_data_dir()
    writer = SubmissionWriter(data / "kiosk.db", Enrollment(data), config.terminal.site_code,
                              config.terminal.terminal_id, 1024 * 1024)
    writer.start().result()
    try:
        return [writer.submit(Draft("residence-permit", "residence-permit-application", 1,
                                    "zh-CN", {"name": "测试"}, {"n": n},
                                    {"photo.jpg": b"\xff\xd8" * 500})).result().submission_id
                for n in range(count)]
    finally:
        writer.stop()


def outbox_counts(config_path: Path) -> dict[str, int]:
    data = load_config(str(config_path)).storage.resolved_data_dir()
    with Store(data / "kiosk.db") as store:
        return Outbox(store).counts()


def quarantined(config_path: Path) -> dict[str, str]:
    data = load_config(str(config_path)).storage.resolved_data_dir()
    with Store(data / "kiosk.db") as store:
        return {q.id: q.reason for q in SyncState(store).quarantined()}


def platform_cli(server: LocalCentral, *args: str) -> subprocess.CompletedProcess:
    """``kiosk-central`` as an operator runs it, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "central", *args, "--data-dir", str(server.data_dir),
         *(["--database-url", server.database_url] if server.database_url else [])],
        capture_output=True, text=True, timeout=120)


@pytest.fixture(params=["sqlite", "postgresql"])
def platform(request, tmp_path):
    """A running ``kiosk-central``: SQLite with one worker, PostgreSQL with two."""
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgresql" else None
    server = LocalCentral(tmp_path / "central", free_port(), database_url=url,
                          workers=2 if url else 1)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_platform(tmp_path):
    server = LocalCentral(tmp_path / "central", free_port())
    server.start()
    yield server
    server.stop()


def test_queued_envelopes_are_delivered_after_both_keys_change(platform, tmp_path, capsys):
    config = write_config(tmp_path, platform.url, "T07")
    data = tmp_path / "data"
    assert kioskctl(["--config", str(config), "enroll", "--token", platform.issue_token()]) == 0
    first_platform_key = Enrollment(data).platform_keys().x25519_public
    old_terminal_key = Enrollment(data).terminal_key_id()
    before = queue(config, 3)  # sealed to the first platform key, signed with the first key

    assert kioskctl(["--config", str(config), "rekey"]) == 0
    assert "is retired" in capsys.readouterr().out
    new_terminal_key = Enrollment(data).terminal_key_id()
    assert new_terminal_key != old_terminal_key
    between = queue(config, 2)  # the first platform key, signed with the new terminal key
    assert central_cli(["rotate-keys", "--data-dir", str(platform.data_dir)]) == 0
    assert "retired" in capsys.readouterr().out
    # The terminal has not synced since the rotation: it still seals to the retired key.
    assert Enrollment(data).platform_keys().x25519_public == first_platform_key
    between += queue(config, 1)

    assert kioskctl(["--config", str(config), "sync"]) == 0
    counts = outbox_counts(config)
    assert counts["acked"] == 6 and counts["quarantined"] == 0, counts
    # The sync pulled the signed platform-keys document: the new sealing key is in use now.
    assert Enrollment(data).platform_keys().x25519_public == platform.platform_x25519()
    assert platform.platform_x25519() != first_platform_key
    after = queue(config, 1)
    assert kioskctl(["--config", str(config), "sync"]) == 0
    assert outbox_counts(config)["acked"] == 7 and not quarantined(config)

    store = open_platform_store(platform.data_dir, platform.database_url)
    assert set(before + between + after) <= set(store.submission_ids())
    history = {row["key_id"]: row for row in terminal_key_history(store, "110105-T07")}
    assert history[old_terminal_key]["retired_at"] is not None
    assert history[new_terminal_key]["retired_at"] is None
    # Nothing stored is lost to the rotation: export opens all with current and retired keys.
    result = platform_cli(platform, "export", str(tmp_path / "export"))
    assert result.returncode == 0, result.stderr
    assert "exported 7 new submission(s)" in result.stdout
    # The audit chain records the change and its head is signed with the new key.
    assert kioskctl(["--config", str(config), "audit", "verify"]) == 0
    assert kioskctl(["--config", str(config), "audit", "list"]) == 0
    assert "terminal.rekeyed" in capsys.readouterr().out


def test_usb_import_accepts_envelopes_under_retired_keys(sqlite_platform, tmp_path, capsys):
    server = sqlite_platform
    config = write_config(tmp_path, server.url, "T08")
    assert kioskctl(["--config", str(config), "enroll", "--token", server.issue_token()]) == 0
    ids = queue(config, 2)
    usb = tmp_path / "usb"
    assert kioskctl(["--config", str(config), "export-outbox", str(usb)]) == 0
    assert platform_cli(server, "rotate-keys").returncode == 0
    assert kioskctl(["--config", str(config), "rekey"]) == 0

    result = platform_cli(server, "import", str(usb))
    assert result.returncode == 0, result.stderr
    assert "imported 2 submission(s), 0 refused" in result.stdout
    assert set(ids) <= set(open_platform_store(server.data_dir, server.database_url).submission_ids())
    capsys.readouterr()
    assert kioskctl(["--config", str(config), "import-acks", str(usb)]) == 0
    assert "marked 2" in capsys.readouterr().out


def _backdate(server: LocalCentral, terminal_id: str, key_id: str, days: float) -> None:
    """Make the retirement of the terminal key ``key_id`` and of every retired platform sealing
    key ``days`` older, as if that long had passed."""
    store = open_platform_store(server.data_dir, server.database_url)
    with store.db.transaction() as tx:
        k = terminal_keys.c
        retired_at = tx.scalar(select(k.retired_at).where(k.key_id == key_id,
                                                          k.terminal_id == terminal_id))
        earlier = datetime.fromisoformat(retired_at) - timedelta(days=days)
        tx.execute(update(terminal_keys).where(k.key_id == key_id)
                   .values(retired_at=earlier.isoformat(timespec="microseconds")))
    for path in (server.data_dir / "keys").glob(f"{RETIRED_PREFIX}*.pem"):
        stamp = path.name[len(RETIRED_PREFIX):-4]
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ") - timedelta(days=days)
        path.rename(path.with_name(f"{RETIRED_PREFIX}{when:%Y%m%dT%H%M%S.%f}Z.pem"))


def test_an_envelope_under_a_key_retired_past_the_grace_period_is_refused_clearly(
        sqlite_platform, tmp_path, capsys):
    server = sqlite_platform
    config = write_config(tmp_path, server.url, "T09")
    data = tmp_path / "data"
    assert kioskctl(["--config", str(config), "enroll", "--token", server.issue_token()]) == 0
    old_terminal_key = Enrollment(data).terminal_key_id()
    [signed_with_old] = queue(config, 1)
    assert kioskctl(["--config", str(config), "rekey"]) == 0
    [sealed_to_old] = queue(config, 1)  # the new terminal key, the first platform key
    assert platform_cli(server, "rotate-keys").returncode == 0
    _backdate(server, "110105-T09", old_terminal_key, 31)

    usb = tmp_path / "usb"
    assert kioskctl(["--config", str(config), "export-outbox", str(usb)]) == 0
    result = platform_cli(server, "import", str(usb))
    assert result.returncode == 1 and "imported 0 submission(s), 2 refused" in result.stdout
    assert (f"outbox-{signed_with_old}.json: refused: envelope is signed with terminal key "
            f"{old_terminal_key}") in result.stderr
    assert f"outbox-{sealed_to_old}.json: refused: envelope rejected: sealed to platform key" \
        in result.stderr
    assert result.stderr.count("past the 30-day grace period for retired keys") == 2

    capsys.readouterr()
    kioskctl(["--config", str(config), "sync"])
    reasons = quarantined(config)
    assert set(reasons) == {signed_with_old, sealed_to_old}
    assert all(r.startswith("422 ") and "past the 30-day grace period" in r
               for r in reasons.values()), reasons
    assert kioskctl(["--config", str(config), "queue"]) == 0
    assert "retired on" in capsys.readouterr().out


def test_an_interrupted_rekey_is_finished_by_running_it_again(sqlite_platform, tmp_path):
    from egov_protocol.keys import TerminalKeys
    from sync.client import CentralClient

    server = sqlite_platform
    config = write_config(tmp_path, server.url, "T10")
    data = tmp_path / "data"
    assert kioskctl(["--config", str(config), "enroll", "--token", server.issue_token()]) == 0
    queued = queue(config, 1)
    old = TerminalKeys.load_or_create(data / "keys")
    new = TerminalKeys.load_or_create_next(data / "keys")
    # The platform registered the new key, but the answer never reached the terminal.
    with CentralClient(server.url, "110105-T10", signing_key=old.signing_key) as client:
        client.register_key(new.public_key, new.rekey_proof("110105-T10"))
    assert kioskctl(["--config", str(config), "rekey"]) == 0
    assert Enrollment(data).terminal_key_id() == new.key_id
    assert not (data / "keys" / "terminal-ed25519.next.pem").exists()
    assert kioskctl(["--config", str(config), "sync"]) == 0
    platform = open_platform_store(server.data_dir, server.database_url)
    assert outbox_counts(config)["acked"] == 1 and queued[0] in platform.submission_ids()


def test_a_lost_terminal_key_is_replaced_with_a_bound_token(sqlite_platform, tmp_path, capsys):
    server = sqlite_platform
    config = write_config(tmp_path, server.url, "T11")
    data = tmp_path / "data"
    assert kioskctl(["--config", str(config), "enroll", "--token", server.issue_token()]) == 0
    lost = Enrollment(data).terminal_key_id()
    queue(config, 2)
    (data / "keys" / "terminal-ed25519.pem").unlink()
    assert kioskctl(["--config", str(config), "rekey"]) == 1
    assert "issue-token --terminal-id 110105-T11" in capsys.readouterr().err
    token = server.issue_token("110105-T11")
    assert kioskctl(["--config", str(config), "rekey", "--token", token]) == 0
    assert kioskctl(["--config", str(config), "sync"]) == 0
    assert outbox_counts(config)["acked"] == 2 and not quarantined(config)
    platform = open_platform_store(server.data_dir, server.database_url)
    history = {r["key_id"]: r for r in terminal_key_history(platform, "110105-T11")}
    assert history[lost]["retired_at"] is not None


def test_rekey_refuses_while_the_kiosk_holds_the_sync_lock(sqlite_platform, tmp_path, capsys):
    import fcntl

    config = write_config(tmp_path, sqlite_platform.url, "T12")
    data = tmp_path / "data"
    assert kioskctl(["--config", str(config), "enroll", "--token",
                     sqlite_platform.issue_token()]) == 0
    key = Enrollment(data).terminal_key_id()
    fd = os.open(data / "sync.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert kioskctl(["--config", str(config), "rekey"]) == 1
        assert "stop it" in capsys.readouterr().err
    finally:
        os.close(fd)
    assert Enrollment(data).terminal_key_id() == key


def test_rotated_keys_are_files_only_the_owner_reads(sqlite_platform, tmp_path):
    keys = sqlite_platform.data_dir / "keys"
    assert platform_cli(sqlite_platform, "rotate-keys").returncode == 0
    assert platform_cli(sqlite_platform, "rotate-keys").returncode == 0
    retired = sorted(keys.glob(f"{RETIRED_PREFIX}*.pem"))
    assert len(retired) == 2
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for path in keys.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # A retired key others could read is refused like any key file.
    os.chmod(retired[0], 0o644)
    result = platform_cli(sqlite_platform, "rotate-keys")
    assert result.returncode != 0 and "mode 0644" in result.stderr


def test_kiosk_central_help_documents_rotation_and_grace():
    result = subprocess.run([sys.executable, "-m", "central", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "rotate-keys" in result.stdout and "--key-grace-days" in result.stdout
    assert "KIOSK_CENTRAL_KEY_GRACE_DAYS" in result.stdout
    serve = subprocess.run([sys.executable, "-m", "central", "serve", "--help"],
                           capture_output=True, text=True, timeout=60)
    assert "--key-grace-days" in serve.stdout
