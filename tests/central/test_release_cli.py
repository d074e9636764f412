"""``kiosk-central release ...`` and ``export-release``: keys apart from the repository, one
target per file, versions only forward, the timestamp refreshed, a USB copy, and the routes that
serve the repository read-only and nothing else."""

from __future__ import annotations

import json

import httpx

from central.cli import main as central
from tests.conftest import running_central
from tests.update_builds import make_build


def test_init_publish_refresh_show_and_export(tmp_path, capsys):
    data, keys = str(tmp_path / "platform"), str(tmp_path / "keys")
    assert central(["release", "init-keys", "--keys", keys, "--data-dir", data,
                    "--root-keys", "3", "--threshold", "2"]) == 0
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in (tmp_path / "keys").glob("*.pem"))
    root = json.loads((tmp_path / "platform/updates/metadata/1.root.json").read_text())
    assert root["signed"]["roles"]["root"]["threshold"] == 2
    assert len(root["signed"]["roles"]["root"]["keyids"]) == len(root["signatures"]) == 3
    assert central(["release", "init-keys", "--keys", keys, "--data-dir", data]) == 1
    for version in ("1.0", "1.1"):
        build = make_build(tmp_path / version, version)
        assert central(["release", "publish", str(build), "--version", version, "--keys", keys,
                        "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "published release 1.1: 14 files" in out and "1 new" in out
    assert central(["release", "publish", str(tmp_path / "1.0"), "--version", "1.0.9",
                    "--keys", keys, "--data-dir", data]) == 1
    assert "not newer than the published 1.1" in capsys.readouterr().err
    assert central(["release", "refresh-timestamp", "--keys", keys, "--data-dir", data]) == 0
    assert central(["release", "show", "--data-dir", data]) == 0
    assert "current release: 1.1" in capsys.readouterr().out
    assert central(["export-release", str(tmp_path / "usb"), "--data-dir", data]) == 0
    usb = tmp_path / "usb"
    assert sorted(p.name for p in (usb / "metadata").iterdir()) == [
        "1.root.json", "2.snapshot.json", "2.targets.json", "timestamp.json"]
    assert len([p for p in (usb / "targets").rglob("*") if p.is_file()]) == 15


def test_keys_inside_the_served_repository_are_refused(tmp_path, capsys):
    data = tmp_path / "platform"
    assert central(["release", "init-keys", "--keys", str(data / "updates" / "keys"),
                    "--data-dir", str(data)]) == 1
    assert "must not be inside" in capsys.readouterr().err


def test_the_routes_serve_metadata_and_targets_and_nothing_else(tmp_path):
    data, keys = tmp_path / "platform", tmp_path / "keys"
    central(["release", "init-keys", "--keys", str(keys), "--data-dir", str(data)])
    central(["release", "publish", str(make_build(tmp_path / "b", "1.0")), "--version", "1.0",
             "--keys", str(keys), "--data-dir", str(data)])
    with running_central(data) as platform:
        base = f"{platform.url}/v1/updates"
        assert httpx.get(f"{base}/metadata/timestamp.json").status_code == 200
        assert httpx.get(f"{base}/metadata/1.root.json").status_code == 200
        for path in ("metadata/..%2Fcentral.sqlite3", "targets/.lock", "targets/..%2F.lock",
                     "targets/files/%2E%2E/%2E%2E/keys", "metadata/.timestamp.json.tmp"):
            answer = httpx.get(f"{base}/{path}")
            assert answer.status_code in (404, 422), path  # no such file, or no such name
            assert answer.headers["x-egov-central"] == "1"
