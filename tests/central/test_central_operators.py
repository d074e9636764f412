"""Operators: accounts with roles, argon2id passwords and TOTP; sessions (cookie, CSRF, idle
logout), throttled failed logins, role checks, and the hash-linked platform trail."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from central.app import create_app
from central.migrations import head_revision
from central.operators import MAX_FAILURES_PER_NAME, OperatorAccounts, OperatorError
from central.publishing import NotPublishable, parse_document
from central.store import open_platform_store
from central.tables import operator_sessions, platform_trail
from central.trail import PlatformTrail
from tests.conftest import log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient


@pytest.fixture
def platform(tmp_path):
    with TestClient(create_app(tmp_path / "central"), raise_server_exceptions=False) as client:
        yield client


def accounts(client) -> OperatorAccounts:
    return client.app.state.accounts


def try_login(client, name: str, password: str, code: str):
    client.get("/login")
    return client.post("/login", follow_redirects=False, data={
        "csrf": client.cookies.get("egov_login_csrf"), "name": name, "password": password,
        "code": code})


def kiosk_central(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "central", *args], capture_output=True,
                          text=True, timeout=120)


def test_operator_add_prints_a_password_and_totp_enrolment_once(tmp_path):
    data = str(tmp_path / "d")
    added = kiosk_central("operator", "add", "li.wei", "--role", "fleet-operator",
                          "--data-dir", data)
    assert added.returncode == 0, added.stderr
    lines = added.stdout.splitlines()
    password = next(line.split(": ", 1)[1] for line in lines if line.startswith("password: "))
    uri = next(line.split(": ", 1)[1] for line in lines if line.startswith("totp: "))
    totp = pyotp.parse_uri(uri)
    assert uri.startswith("otpauth://totp/") and totp.name == "li.wei" and len(password) >= 16
    assert kiosk_central("operator", "add", "li.wei", "--role", "auditor",
                         "--data-dir", data).returncode == 1  # the name is taken
    assert kiosk_central("operator", "add", "x", "--role", "root", "--data-dir", data).returncode == 2
    listed = kiosk_central("operator", "list", "--data-dir", data).stdout
    assert "li.wei\tfleet-operator" in listed and password not in listed
    # Stored as an argon2id hash, never the password itself.
    row = sqlite3.connect(tmp_path / "d" / "central.sqlite3").execute(
        "SELECT password_hash, totp_secret FROM operators").fetchone()
    assert row[0].startswith("$argon2id$") and password not in row[0]
    # The TOTP secret is encrypted with a key file beside the platform's keys, not in the database.
    assert row[1].startswith("v1:") and totp.secret not in row[1]
    key = tmp_path / "d" / "keys" / "operator-totp.key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    with TestClient(create_app(tmp_path / "d")) as client:
        assert try_login(client, "li.wei", password, totp.now()).status_code == 303
        # The printed password works once: that session can only change it.
        assert client.get("/v1/terminals").status_code == 403
        page = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.headers["location"] == "/password"
        form = client.get("/password").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        for new, repeated in (("short", "short"), ("long enough 1", "long enough 2"),
                              (password, password)):
            refused = client.post("/password", data={"csrf": csrf, "current": password,
                                                     "new": new, "repeated": repeated})
            assert refused.status_code == 422
        assert client.post("/password", data={"csrf": csrf, "current": "wrong", "new":
                           "a new passphrase", "repeated": "a new passphrase"}).status_code == 422
        changed = client.post("/password", follow_redirects=False, data={
            "csrf": csrf, "current": password, "new": "a new passphrase",
            "repeated": "a new passphrase"})
        assert changed.status_code == 303
        assert client.get("/v1/terminals").status_code == 200


def test_bad_names_and_roles_are_refused(platform):
    for name, role in (("", "admin"), ("Robert'); --", "admin"), ("ok-name", "superuser")):
        with pytest.raises(OperatorError):
            accounts(platform).add(name, role)


def test_nothing_of_the_operator_side_answers_without_a_session(platform):
    page = platform.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    for method, path in (("GET", "/v1/terminals"), ("GET", "/v1/submissions"),
                         ("GET", "/v1/submissions/sub-1"), ("GET", "/v1/ratings"),
                         ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/trail"),
                         ("POST", "/v1/tokens"), ("PUT", "/v1/published/catalog"),
                         ("POST", "/tokens"), ("POST", "/documents"), ("GET", "/v1/session")):
        assert platform.request(method, path, json={}).status_code == 401, path
    # The terminal API is unchanged: health and platform keys need nothing.
    assert platform.get("/v1/health").status_code == 200
    assert platform.get("/v1/platform").status_code == 200


def test_wrong_password_or_code_is_refused_and_a_code_is_good_once(platform):
    new = accounts(platform).add("wang.fang", "admin")
    code = pyotp.parse_uri(new.totp_uri).now()
    assert try_login(platform, "wang.fang", "not it", code).status_code == 401
    assert try_login(platform, "wang.fang", new.password, "000000" if code != "000000" else "111111").status_code == 401
    assert try_login(platform, "nobody", new.password, code).status_code == 401
    assert try_login(platform, "wang.fang", new.password, code).status_code == 303
    platform.cookies.clear()
    replayed = try_login(platform, "wang.fang", new.password, code)
    assert replayed.status_code == 401  # the same code again: refused


def test_failed_logins_are_throttled_even_with_the_right_password(platform):
    new = accounts(platform).add("zhao.lei", "auditor")
    for _ in range(MAX_FAILURES_PER_NAME):
        assert try_login(platform, "zhao.lei", "guess", "123456").status_code == 401
    answer = try_login(platform, "zhao.lei", new.password, pyotp.parse_uri(new.totp_uri).now())
    assert answer.status_code == 429 and "too many failed logins" in answer.text


def test_a_forged_login_form_is_refused(platform):
    new = accounts(platform).add("sun.li", "auditor")
    platform.get("/login")
    answer = platform.post("/login", data={"csrf": "forged", "name": "sun.li",
                                           "password": new.password,
                                           "code": pyotp.parse_uri(new.totp_uri).now()})
    assert answer.status_code == 403


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(tmp_path):
    with TestClient(create_app(tmp_path / "c"), base_url="https://testserver") as client:
        new = accounts(client).add("https.user", "auditor")
        answer = try_login(client, "https.user", new.password, pyotp.parse_uri(new.totp_uri).now())
        cookie = next(v for k, v in answer.headers.multi_items()
                      if k == "set-cookie" and v.startswith("egov_operator="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    with TestClient(create_app(tmp_path / "p")) as client:  # plain http (loopback): not Secure
        new = accounts(client).add("http.user", "auditor")
        answer = try_login(client, "http.user", new.password, pyotp.parse_uri(new.totp_uri).now())
        cookie = next(v for k, v in answer.headers.multi_items()
                      if k == "set-cookie" and v.startswith("egov_operator="))
        assert "HttpOnly" in cookie and "Secure" not in cookie


def test_roles_reach_only_what_they_may(platform):
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    assert platform.get("/v1/terminals").status_code == 200
    assert platform.get("/v1/submissions").status_code == 403  # no personal data for this role
    assert platform.get("/trail").status_code == 403
    platform.cookies.clear()
    log_in(platform, platform.app.state.accounts, "auditor")
    csrf = platform.get("/v1/session").json()["csrf"]
    assert platform.post("/v1/tokens", json={}, headers={"X-CSRF-Token": csrf}).status_code == 403
    assert platform.get("/trail").status_code == 200


def test_state_changing_calls_need_the_sessions_csrf_token(platform):
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    assert platform.post("/tokens", data={"terminal_id": "110105-T01"}).status_code == 403
    assert platform.post("/v1/tokens", json={"terminal_id": "110105-T01"}).status_code == 403
    csrf = platform.get("/v1/session").json()["csrf"]
    page = platform.post("/tokens", data={"terminal_id": "110105-T01", "csrf": csrf})
    assert page.status_code == 200 and 'id="secret"' in page.text
    issued = platform.post("/v1/tokens", json={"terminal_id": "110105-T01"},
                           headers={"X-CSRF-Token": csrf})
    assert issued.status_code == 201 and len(issued.json()["token"]) >= 24
    published = platform.put("/v1/published/catalog", json={"services": []},
                             headers={"X-CSRF-Token": csrf})
    assert published.status_code == 200


def test_an_idle_session_ends(platform):
    log_in(platform, platform.app.state.accounts, "auditor")
    assert platform.get("/v1/terminals").status_code == 200
    long_ago = (datetime.now(UTC) - timedelta(minutes=16)).isoformat()
    with platform.app.state.store.db.transaction() as tx:
        tx.execute(update(operator_sessions).values(last_seen_at=long_ago))
    assert platform.get("/v1/terminals").status_code == 401


def test_logging_out_ends_the_session(platform):
    log_in(platform, platform.app.state.accounts, "auditor")
    csrf = platform.get("/v1/session").json()["csrf"]
    assert platform.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert platform.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert platform.get("/v1/terminals").status_code == 401


def test_actions_and_views_land_in_the_trail_which_detects_an_edit(platform, tmp_path):
    name = log_in(platform, platform.app.state.accounts, "admin")
    csrf = platform.get("/v1/session").json()["csrf"]
    platform.post("/tokens", data={"terminal_id": "110105-T02", "csrf": csrf})
    platform.post("/documents", data={"kind": "settings", "body": '{"a": 1}', "csrf": csrf})
    platform.get("/v1/submissions")
    trail = PlatformTrail(platform.app.state.store.db)
    mine = [(e["operator"], e["action"], e["subject"]) for e in reversed(trail.entries())]
    assert (name, "issued enrollment token", "110105-T02") in mine
    assert (name, "published document", "settings version 1") in mine
    assert (name, "viewed submissions", "offset 0 limit 100") in mine
    assert mine[0][:2] == (name, "logged in")
    data = str(tmp_path / "central")
    verified = kiosk_central("audit", "verify", "--data-dir", data)
    assert verified.returncode == 0 and "intact" in verified.stdout
    with platform.app.state.store.db.transaction() as tx:
        tx.execute(update(platform_trail).where(platform_trail.c.action == "issued enrollment token")
                   .values(subject="110105-T99"))
    broken = kiosk_central("audit", "verify", "--data-dir", data)
    assert broken.returncode == 3 and "BROKEN" in broken.stderr


def test_a_database_of_schema_3_gains_the_operator_tables_in_place(tmp_path):
    store = open_platform_store(tmp_path)
    store.enroll(store.issue_token(), "110105-T01", b"k" * 32, "ed25519:k1", "110105")
    store.close()
    with sqlite3.connect(tmp_path / "central.sqlite3") as conn:
        # As today's main left it: schema 3, and no Alembic version table.
        for table in ("operator_sessions", "operators", "login_failures", "platform_trail",
                      "alembic_version"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version=3")
    store = open_platform_store(tmp_path)
    assert [t["terminal_id"] for t in store.terminals()] == ["110105-T01"]
    with sqlite3.connect(tmp_path / "central.sqlite3") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)]
    OperatorAccounts(store.db, tmp_path / "keys").add("first.admin", "admin")
    assert PlatformTrail(store.db).verify().ok


# -- property tests: what operators and strangers type reaches parsers ----------------------------

_field = st.text(max_size=300) | st.binary(max_size=64).map(lambda b: b.decode("latin-1"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200) | st.sampled_from(["[]", "1", "null", '{"a": [1, {}]}', "{"]))
def test_any_text_is_a_document_or_a_clear_refusal(text):
    try:
        body = parse_document(text)
    except NotPublishable as exc:
        assert str(exc)
    else:
        assert isinstance(body, dict)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=_field, password=_field, code=_field, csrf=_field)
def test_any_login_form_is_refused_cleanly(platform, name, password, code, csrf):
    platform.cookies.clear()
    platform.get("/login")
    fields = {"name": name, "password": password, "code": code,
              "csrf": csrf or platform.cookies.get("egov_login_csrf")}
    answer = platform.post("/login", data=fields, follow_redirects=False)
    assert answer.status_code in (401, 403, 429), answer.text
    assert answer.headers["X-Egov-Central"] == "1"
