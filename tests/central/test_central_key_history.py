"""The key history around re-keying, without a running platform: the schema-2 upgrade on SQLite
and PostgreSQL, the terminal's adoption of a sealing key (no rollback by an older document), the
parsers of what a platform sends about its keys, and ``kioskctl doctor`` on an unfinished re-key."""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.terminal_keys import terminal_key_history
from kiosk.config import load_config
from kiosk.enrollment import Enrollment
from tests.sync.test_sync_rekey import write_config


def test_a_replayed_older_sealing_key_document_is_not_adopted(tmp_path):
    import base64

    from kiosk.enrollment import PlatformKeys

    enrollment = Enrollment(tmp_path)
    now = datetime.now(UTC)
    enrollment.save_platform_keys(PlatformKeys(b"a" * 32, b"e" * 32, "http://x", "T",
                                               now.isoformat()))

    def body(key: bytes, when: datetime) -> dict:
        return {"x25519_public": base64.b64encode(key).decode(), "sealing_key_id": "x",
                "sealing_key_since": when.isoformat()}

    assert not enrollment.adopt_sealing_key(body(b"b" * 32, now - timedelta(days=1)))
    assert enrollment.platform_keys().x25519_public == b"a" * 32
    assert enrollment.adopt_sealing_key(body(b"c" * 32, now + timedelta(seconds=1)))
    assert enrollment.platform_keys().x25519_public == b"c" * 32
    with pytest.raises(ValueError):
        enrollment.adopt_sealing_key({"x25519_public": "not base64!"})
    assert json.loads((tmp_path / "platform.json").read_text())["x25519_public_key"] == \
        base64.b64encode(b"c" * 32).decode()


SCHEMA_2 = """
CREATE TABLE terminals (terminal_id TEXT PRIMARY KEY, public_key BLOB NOT NULL,
    key_id TEXT NOT NULL UNIQUE, site TEXT, status TEXT NOT NULL DEFAULT 'active',
    registered_at TEXT NOT NULL);
CREATE TABLE terminal_keys (key_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL,
    public_key BLOB NOT NULL, registered_at TEXT NOT NULL)
"""


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_database_of_schema_2_keeps_its_key_history_through_the_upgrade(
        database, request, tmp_path):
    """Today's main (schema 2) recorded every enrolled key but not which were replaced, and no
    key of terminals enrolled before that table: the upgrade dates each replaced key's
    retirement to the next key's registration, records the others as current, in place."""
    from central.accept import Refusal, accept
    from central.keyring import PlatformKeyring
    from central.store import CentralStore
    from egov_protocol.envelope import seal
    from egov_protocol.keys import TerminalKeys
    from tests.conftest import payload_for

    first, second, other = (TerminalKeys.load_or_create(tmp_path / name) for name in "abc")
    enrolled, re_enrolled = (datetime.now(UTC) - timedelta(days=d) for d in (3, 1))
    rows = [
        ("terminals", ("GZ01-T01", second.public_key, second.key_id, "GZ01", "active",
                       enrolled.isoformat())),
        ("terminals", ("GZ01-T02", other.public_key, other.key_id, "GZ01", "active",
                       enrolled.isoformat())),
        ("terminal_keys", (first.key_id, "GZ01-T01", first.public_key, enrolled.isoformat())),
        ("terminal_keys", (second.key_id, "GZ01-T01", second.public_key,
                           re_enrolled.isoformat())),
    ]
    if database == "sqlite":
        import sqlite3

        target = tmp_path / "central.sqlite3"
        conn = sqlite3.connect(target)
        conn.executescript(SCHEMA_2 + ";\nPRAGMA user_version=2;")
        for table, values in rows:
            conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values))})", values)
        conn.commit()
        conn.close()
    else:
        import psycopg

        target = request.getfixturevalue("fresh_postgres")
        with psycopg.connect(target, autocommit=True) as conn:
            for statement in SCHEMA_2.replace("BLOB", "BYTEA").split(";"):
                conn.execute(statement)
            for table, values in rows:
                conn.execute(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(values))})",
                             values)
    store = CentralStore(target)
    store.open()
    store.open()  # idempotent: a second start changes nothing
    history = {r["key_id"]: r for r in terminal_key_history(store, "GZ01-T01")}
    assert history[first.key_id]["retired_at"] == re_enrolled.isoformat()
    assert history[second.key_id]["retired_at"] is None
    [current] = terminal_key_history(store, "GZ01-T02")
    assert current["key_id"] == other.key_id and current["retired_at"] is None

    keys = PlatformKeyring(tmp_path / "platform-keys")
    envelope = seal(payload_for(1), {}, keys.x25519_public, first.signing_key, first.key_id)
    digest = hashlib.sha256(envelope).hexdigest()
    terminal = store.terminal("GZ01-T01")
    status, _ = accept(store, keys, terminal, "sub-0001", "GZ01-T01-20250301-000001", digest,
                       envelope, {})
    assert status == 201  # signed with the key replaced a day ago: within the grace period
    keys.grace = timedelta(hours=12)
    envelope = seal(payload_for(2), {}, keys.x25519_public, first.signing_key, first.key_id)
    with pytest.raises(Refusal, match=r"past the 0\.5-day grace period") as refused:
        accept(store, keys, terminal, "sub-0002", "GZ01-T01-20250301-000002",
               hashlib.sha256(envelope).hexdigest(), envelope, {})
    assert refused.value.status == 422


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=20), inner, max_size=3), max_leaves=10)


@given(body=st.dictionaries(st.sampled_from(["x25519_public", "sealing_key_since", "x"]),
                            _JSON | st.just("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
                            max_size=3))
@settings(max_examples=150, deadline=None)
def test_a_sealing_key_document_body_is_adopted_or_refused_never_crashes(tmp_path_factory, body):
    from kiosk.enrollment import PlatformKeys

    enrollment = Enrollment(tmp_path_factory.mktemp("adopt"))
    enrollment.save_platform_keys(PlatformKeys(b"a" * 32, b"e" * 32, "http://x", "T"))
    with contextlib.suppress(ValueError):
        assert enrollment.adopt_sealing_key(body) in (True, False)
    assert len(enrollment.platform_keys().x25519_public) == 32


@given(since=_JSON)
@settings(max_examples=150, deadline=None)
def test_a_platform_description_with_any_sealing_key_since_parses_or_is_a_protocol_error(since):
    from egov_protocol.errors import CentralProtocolError
    from egov_protocol.protocol import PlatformInfo

    key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    try:
        info = PlatformInfo.from_json({"x25519_public": key, "ed25519_public": key,
                                       "key_id": "k", "sealing_key_since": since})
    except CentralProtocolError:
        return
    assert info.sealing_key_since in ("", since)


def test_doctor_names_an_unfinished_rekey(tmp_path):
    from egov_protocol.keys import TerminalKeys
    from kiosk.doctor import check_keys

    config = load_config(str(write_config(tmp_path, "http://127.0.0.1:9", "T13")))
    keys = tmp_path / "data" / "keys"
    TerminalKeys.load_or_create(keys)
    assert check_keys(config).verdict == "ok"
    TerminalKeys.load_or_create_next(keys)
    check = check_keys(config)
    assert check.verdict != "ok" and "kioskctl rekey again" in check.fix
