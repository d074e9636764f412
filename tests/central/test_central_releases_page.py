"""The operators' releases page (``/releases``): the published release, its rings and the
fleet's versions; fleet operators and admins change the rings and halt or resume the rollout,
signed with the release keys the platform was started with, each change in the trail; auditors
only look, case workers do not get in; no CSRF token, no change; no keys, the command line
instead of a change."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.app import create_app
from central.release_status import (
    PILOT_PATTERN,
    SITE_PATTERN,
    RingsRefused,
    published_release,
    rings_from_form,
)
from central.releases import KEYS_ENV, ROLLOUT_TARGET, Rings, latest_targets, repository_dir
from central.trail import PlatformTrail
from sync.updates import parse_rollout
from tests.conftest import log_in
from tests.update_builds import make_repository

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient


@pytest.fixture
def repository(tmp_path):
    """A platform data folder with releases 1.0 and 1.1 published, and its keys folder."""
    return make_repository(tmp_path, ["1.0", "1.1"])


@pytest.fixture
def platform(repository, monkeypatch):
    data, keys = repository
    monkeypatch.setenv(KEYS_ENV, str(keys))
    with TestClient(create_app(data), raise_server_exceptions=False) as client:
        yield client


def csrf(client) -> str:
    return client.get("/v1/session").json()["csrf"]


def signed_rollout(data) -> dict:
    """The rollout the terminals get: the signed target, read as a terminal's parser reads it."""
    target = latest_targets(data).targets[ROLLOUT_TARGET]
    stored = repository_dir(data) / "targets" / f"{target.hashes['sha256']}.rollout.json"
    rollout = parse_rollout(stored.read_bytes(), "1.1")  # what sync.updates accepts
    return {"pilots": sorted(rollout.pilots), "sites": sorted(rollout.sites),
            "percent": rollout.percent, "halted": rollout.halted}


def add_terminals(client) -> None:
    """Three terminals: one runs 1.1, one tries 1.1, one rolled 1.1 back."""
    store, now = client.app.state.store, datetime.now(UTC).isoformat()
    updates = {"T01": {"release": "1.1", "trial": None, "last": {}},
               "T02": {"release": "1.1", "trial": "1.1", "last": {}},
               "T03": {"release": "1.0", "trial": None,
                       "last": {"outcome": "rolled back", "version": "1.1", "to": "1.0",
                                "reason": "self-test failed (exit 9)"}}}
    for n, (terminal, update) in enumerate(updates.items()):
        store.enroll(store.issue_token(), f"110105-{terminal}", b"k" * 32,
                     f"ed25519:000000000000000{n}", "110105")
        store.add_heartbeats(f"110105-{terminal}", [{"id": f"b{n}", "sent_at": now,
                                                       "update": update}])


def test_the_page_shows_the_release_its_rings_and_the_fleets_versions(platform):
    add_terminals(platform)
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    page = platform.get("/releases")
    assert page.status_code == 200
    assert '<td id="release-version">1.1</td>' in page.text
    assert "<td>14 (" in page.text and "every terminal (no rings)" in page.text
    row = re.search(r'<tr id="version-1.1">(.*?)</tr>', page.text).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["2", "1", "1"]  # running, trial, back
    assert "self-test failed (exit 9)" in page.text and "110105-T03" in page.text
    assert 'id="set-rings"' in page.text and 'id="halt"' in page.text
    assert 'href="/releases"' in platform.get("/").text  # linked from the navigation


def test_a_fleet_operator_changes_the_rings_halts_and_resumes(platform):
    name = log_in(platform, platform.app.state.accounts, "fleet-operator")
    data = platform.app.state.data_dir
    changed = platform.post("/releases/rings", data={
        "csrf": csrf(platform), "percent": "12.5", "sites": "110105, 310101",
        "pilots": "110108-T01\n110108-T02"})
    assert changed.status_code == 200, changed.text
    assert "Release 1.1 is now offered to pilots 110108-T01, 110108-T02" in changed.text
    assert signed_rollout(data) == {"pilots": ["110108-T01", "110108-T02"],
                                    "sites": ["110105", "310101"], "percent": 12.5,
                                    "halted": False}
    assert 'id="rings-percent">12.5%' in changed.text

    halted = platform.post("/releases/halt", data={"csrf": csrf(platform)})
    assert halted.status_code == 200 and "HALTED" in halted.text and 'id="resume"' in halted.text
    assert signed_rollout(data)["halted"] is True
    assert signed_rollout(data)["sites"] == ["110105", "310101"]  # the rings are kept
    # Changing the rings of a halted rollout keeps it halted.
    platform.post("/releases/rings", data={"csrf": csrf(platform), "percent": "50",
                                           "sites": "", "pilots": ""})
    assert signed_rollout(data) == {"pilots": [], "sites": [], "percent": 50.0, "halted": True}
    resumed = platform.post("/releases/resume", data={"csrf": csrf(platform)})
    assert resumed.status_code == 200 and 'id="halt"' in resumed.text
    assert published_release(data).rings == Rings((), (), 50.0, False)

    trail = [(e["operator"], e["action"], e["subject"])
             for e in reversed(PlatformTrail(platform.app.state.store.db).entries())]
    mine = [entry for entry in trail if entry[1].endswith("release rollout")]
    assert mine == [
        (name, "set release rollout", "1.1: pilots 110108-T01, 110108-T02; sites 110105, "
                                      "310101; 12.5% of all terminals"),
        (name, "halted release rollout", "1.1: no further terminal (halted; pilots 110108-T01, "
                                         "110108-T02; sites 110105, 310101; 12.5% of all "
                                         "terminals)"),
        (name, "set release rollout", "1.1: no further terminal (halted; pilots none; sites "
                                      "none; 50% of all terminals)"),
        (name, "resumed release rollout", "1.1: pilots none; sites none; 50% of all terminals")]


@pytest.mark.parametrize(("field", "value", "says"), [
    ("percent", "101", "percent: a number from 0 to 100"),
    ("percent", "ten", "percent: a number from 0 to 100"),
    ("percent", "nan", "percent: a number from 0 to 100"),
    ("sites", "110105 Beijing", "sites: 6-digit division codes"),
    ("pilots", "110105-T01 ../etc", "pilot terminals: fleet ids"),
])
def test_bad_rings_are_refused_with_a_clear_error_and_nothing_signed(platform, field, value,
                                                                      says):
    log_in(platform, platform.app.state.accounts, "admin")
    form = {"csrf": csrf(platform), "percent": "10", "sites": "", "pilots": "", field: value}
    refused = platform.post("/releases/rings", data=form)
    assert refused.status_code == 422 and says in refused.text
    assert published_release(platform.app.state.data_dir).rings is None


def test_auditors_only_look_and_case_workers_do_not_get_in(platform):
    log_in(platform, platform.app.state.accounts, "auditor")
    page = platform.get("/releases")
    assert page.status_code == 200 and "1.1" in page.text and 'id="halt"' not in page.text
    assert platform.post("/releases/halt", data={"csrf": csrf(platform)}).status_code == 403
    assert platform.post("/releases/rings", data={"csrf": csrf(platform),
                                                  "percent": "5"}).status_code == 403
    platform.cookies.clear()
    log_in(platform, platform.app.state.accounts, "case-worker")
    assert platform.get("/releases").status_code == 403
    assert 'href="/releases"' not in platform.get("/cases").text
    assert platform.post("/releases/halt", data={"csrf": csrf(platform)}).status_code == 403
    assert published_release(platform.app.state.data_dir).rings is None


def test_no_change_without_the_sessions_csrf_token(platform):
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    assert platform.post("/releases/halt", data={}).status_code == 403
    assert platform.post("/releases/rings", data={"csrf": "forged", "percent": "5"}
                         ).status_code == 403
    assert published_release(platform.app.state.data_dir).rings is None


def test_without_reachable_keys_the_page_shows_the_command_line(platform, repository):
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    (repository[1] / "snapshot.pem").rename(repository[1] / "snapshot.pem.offline")
    page = platform.get("/releases")
    assert page.status_code == 200 and "no readable snapshot key" in page.text
    assert "kiosk-central release rollout --percent 100 --halt" in page.text
    refused = platform.post("/releases/halt", data={"csrf": csrf(platform)})
    assert refused.status_code == 409 and "Not signed" in refused.text
    assert '<pre id="command">kiosk-central release rollout --percent 100 --halt' in refused.text
    platform.app.state.release_keys = None  # started without KIOSK_CENTRAL_RELEASE_KEYS
    refused = platform.post("/releases/rings", data={"csrf": csrf(platform), "percent": "10",
                                                     "sites": "110105", "pilots": ""})
    assert refused.status_code == 409 and f"started without {KEYS_ENV}" in refused.text
    assert "kiosk-central release rollout --percent 10 --site 110105" in refused.text
    (repository[1] / "targets.pem").write_text("not a key")  # present but broken: no 500
    platform.app.state.release_keys = str(repository[1])
    (repository[1] / "snapshot.pem.offline").rename(repository[1] / "snapshot.pem")
    broken = platform.post("/releases/halt", data={"csrf": csrf(platform)})
    assert broken.status_code == 409 and "targets.pem is not a readable private key" in broken.text
    assert published_release(platform.app.state.data_dir).rings is None
    assert not [e for e in PlatformTrail(platform.app.state.store.db).entries()
                if e["action"].endswith("release rollout")]


def test_nothing_published_says_so_and_how_to_publish(tmp_path, monkeypatch):
    monkeypatch.delenv(KEYS_ENV, raising=False)
    with TestClient(create_app(tmp_path / "central"), raise_server_exceptions=False) as client:
        log_in(client, client.app.state.accounts, "admin")
        page = client.get("/releases")
        assert page.status_code == 200 and "Nothing is published yet" in page.text
        assert "kiosk-central release publish dist/kiosk --version" in page.text
        refused = client.post("/releases/halt", data={"csrf": csrf(client)})
        assert refused.status_code == 409 and "no release to roll out" in refused.text


def test_without_a_session_nothing_and_never_on_the_terminal_side(platform, repository):
    page = platform.get("/releases", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    for path in ("/releases/rings", "/releases/halt", "/releases/resume"):
        assert platform.post(path, data={"percent": "5"}).status_code == 401, path
    terminal_side = create_app(repository[0], sides=("terminal",))
    with TestClient(terminal_side, raise_server_exceptions=False) as client:
        assert client.get("/releases").status_code == 404
    assert published_release(repository[0]).rings is None


@given(st.text(max_size=30), st.text(max_size=60), st.text(max_size=60), st.booleans())
def test_any_form_gives_rings_or_a_clear_refusal(percent, sites, pilots, halted):
    try:
        rings = rings_from_form(percent, sites, pilots, halted=halted)
    except RingsRefused as exc:
        assert str(exc).split(":")[0] in ("percent", "sites", "pilot terminals")
        return
    assert 0 <= rings.percent <= 100 and rings.halted is halted
    assert all(SITE_PATTERN.fullmatch(site) for site in rings.sites)
    assert all(PILOT_PATTERN.fullmatch(pilot) for pilot in rings.pilots)


def test_a_damaged_repository_is_said_not_a_500(platform, repository):
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    target = latest_targets(repository[0]).targets["release.json"]
    (repository_dir(repository[0]) / "targets" / f"{target.hashes['sha256']}.release.json"
     ).unlink()
    page = platform.get("/releases")
    assert page.status_code == 200 and "cannot be read (FileNotFoundError" in page.text
    refused = platform.post("/releases/halt", data={"csrf": csrf(platform)})
    assert refused.status_code == 409 and "Not signed: the update repository" in refused.text
