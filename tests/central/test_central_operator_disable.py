"""Operator accounts can be disabled and enabled again (issue 14 §3): ``kiosk-central operator
disable NAME`` / ``enable NAME`` or an admin's ``PUT /v1/operators/{name}``. A disabled account
cannot log in and its live sessions end at once; each change lands in the platform trail."""

from __future__ import annotations

import getpass
import subprocess
import sys
import warnings

import pyotp
import pytest

from central.app import create_app
from central.trail import PlatformTrail
from tests.conftest import log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient


def kiosk_central(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "central", *args], capture_output=True,
                          text=True, timeout=120)


def try_login(client, name: str, password: str, code: str):
    client.get("/login")
    return client.post("/login", follow_redirects=False, data={
        "csrf": client.cookies.get("egov_login_csrf"), "name": name, "password": password,
        "code": code})


@pytest.fixture
def data(tmp_path):
    return tmp_path / "central"


def trail(client) -> list[tuple[str, str, str]]:
    return [(e["operator"], e["action"], e["subject"])
            for e in reversed(PlatformTrail(client.app.state.store.db).entries())]


def test_the_command_line_disables_an_account_ends_its_sessions_and_enables_it(data):
    with TestClient(create_app(data)) as live, TestClient(create_app(data)) as other:
        name = log_in(live, live.app.state.accounts, "fleet-operator")
        assert live.get("/v1/terminals").status_code == 200
        new = other.app.state.accounts.add("zhang.san", "auditor")

        disabled = kiosk_central("operator", "disable", name, "--data-dir", str(data))
        assert disabled.returncode == 0 and "sessions ended" in disabled.stdout
        assert live.get("/v1/terminals").status_code == 401  # the live session is gone
        assert kiosk_central("operator", "disable", "zhang.san", "--data-dir",
                             str(data)).returncode == 0
        code = pyotp.parse_uri(new.totp_uri).now()
        refused = try_login(other, "zhang.san", new.password, code)
        assert refused.status_code != 303 and "wrong name, password or code" in refused.text
        listed = kiosk_central("operator", "list", "--data-dir", str(data)).stdout
        assert "zhang.san\tauditor" in listed and "\tdisabled " in listed

        assert kiosk_central("operator", "enable", "zhang.san", "--data-dir",
                             str(data)).returncode == 0
        assert try_login(other, "zhang.san", new.password, code).status_code == 303
        unknown = kiosk_central("operator", "disable", "nobody", "--data-dir", str(data))
        assert unknown.returncode == 1 and "no operator called nobody" in unknown.stderr
        assert kiosk_central("operator", "disable", "--data-dir", str(data)).returncode == 2

        cli = f"cli:{getpass.getuser()}"
        entries = trail(live)
        assert (cli, "disabled operator", name) in entries
        assert (cli, "disabled operator", "zhang.san") in entries
        assert (cli, "enabled operator", "zhang.san") in entries


def test_an_admin_disables_an_account_through_the_api(data):
    with TestClient(create_app(data)) as admin, TestClient(create_app(data)) as worker:
        admin_name = log_in(admin, admin.app.state.accounts, "admin")
        name = log_in(worker, worker.app.state.accounts, "fleet-operator")
        csrf = admin.get("/v1/session").json()["csrf"]

        def put(client, who, disabled, token=csrf):
            return client.put(f"/v1/operators/{who}", json={"disabled": disabled},
                              headers={"X-CSRF-Token": token})

        assert put(admin, name, True, "forged").status_code == 403
        worker_csrf = worker.get("/v1/session").json()["csrf"]
        assert put(worker, admin_name, True, worker_csrf).status_code == 403  # not an admin
        assert put(admin, admin_name, True).status_code == 409  # not one's own account
        assert put(admin, "nobody", True).status_code == 404
        answer = put(admin, name, True)
        assert answer.status_code == 200 and answer.json() == {"operator": name, "disabled": True}
        assert worker.get("/v1/terminals").status_code == 401
        assert put(admin, name, False).status_code == 200
        entries = trail(admin)
        assert (admin_name, "disabled operator", name) in entries
        assert (admin_name, "enabled operator", name) in entries


def test_an_admin_disables_an_account_on_the_fleet_page(data):
    with TestClient(create_app(data)) as admin, TestClient(create_app(data)) as worker:
        admin_name = log_in(admin, admin.app.state.accounts, "admin")
        name = log_in(worker, worker.app.state.accounts, "case-worker")
        page = admin.get("/", headers={"Accept": "text/html"}).text
        assert 'action="/operators"' in page
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert "/operators" not in worker.get("/", headers={"Accept": "text/html"}).text
        form = {"csrf": csrf, "name": name, "action": "disable"}
        assert admin.post("/operators", data={**form, "csrf": "stale"}).status_code == 403
        done = admin.post("/operators", data=form)
        assert done.status_code == 200 and f"{name} is disabled" in done.text
        assert worker.get("/v1/session").status_code == 401
        own = admin.post("/operators", data={**form, "name": admin_name})
        assert own.status_code == 409
        assert admin.post("/operators", data={**form, "action": "enable"}).status_code == 200
        assert (admin_name, "enabled operator", name) in trail(admin)
