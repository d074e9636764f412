"""The pulled catalog is the one the kiosk shows: an operator publishes it on the real platform
(``kiosk-central publish``), the terminal's worker pulls and verifies it, and a newly started
``KioskCore`` shows it — offline too. A copy that fails validation falls back to the packaged
catalog with a log line. A terminal the platform refuses shows staff that sync is paused."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from importlib import resources

from central.store import open_platform_store
from kiosk.catalog import Catalog
from kiosk.config import KioskConfig
from kiosk.core import KioskCore
from kiosk.enrollment import Enrollment
from kiosk.pulled_catalog import load_catalog
from kiosk.sync_service import enroll_terminal, sync_once

TITLE = "Residence permit (platform edition)"


def publish(central, kind: str, body: dict, tmp_path) -> None:
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "central", "publish", kind, str(path),
                    "--data-dir", str(central.data_dir)], check=True, capture_output=True)


def platform_catalog() -> dict:
    catalog = json.loads(resources.files("kiosk.catalog.bundled").joinpath("catalog.json")
                         .read_bytes())
    catalog["version"] = "platform-2026.2"
    catalog["services"][0]["title"] = {"zh-CN": TITLE, "en": TITLE}
    return catalog


def test_a_published_catalog_reaches_a_new_kiosk_and_a_bad_one_falls_back(central, tmp_path,
                                                                          caplog):
    data_dir = tmp_path / "terminal"
    config = KioskConfig().with_overrides(central={"url": central.url},
                                          storage={"data_dir": str(data_dir)})
    enrollment = Enrollment(data_dir)
    enroll_terminal(central.url, config.terminal.site_code, config.terminal.terminal_id,
                    enrollment, central.issue_token("110105-T01"))
    db_path = data_dir / "kiosk.db"
    bundled = Catalog.load_bundled()
    assert load_catalog(db_path).version == bundled.version  # nothing pulled yet
    # A platform that publishes no catalog signs an empty one: the packaged catalog, quietly.
    sync_once(db_path, enrollment, config.central, timeout_s=60)
    with caplog.at_level(logging.INFO, logger="kiosk.pulled_catalog"):
        assert load_catalog(db_path).version == bundled.version
    assert "no catalog published" in caplog.text and "not usable" not in caplog.text
    caplog.clear()

    publish(central, "catalog", platform_catalog(), tmp_path)
    sync_once(db_path, enrollment, config.central, timeout_s=60)
    central.stop()  # the platform is gone: the last good copy must be enough

    core = KioskCore(config, data_dir=data_dir)
    core.start()
    try:
        deadline = time.monotonic() + 20
        snapshot = core.snapshot()
        while not snapshot.get("catalog") and time.monotonic() < deadline:
            time.sleep(0.05)
            snapshot = core.snapshot()
        assert core.catalog is not None and core.catalog.version == "platform-2026.2"
        titles = {s["id"]: s["title"] for s in snapshot["catalog"]["services"]}
        assert titles["residence_permit"] == TITLE  # what the attract/catalog screens show
    finally:
        core.stop()
    assert core.catalog.service("residence_permit").title.text("en") == TITLE

    # A publication that is signed but not a valid catalog: kept as pulled, never shown.
    central.start()
    broken = platform_catalog()
    broken["version"] = "platform-2026.3"
    broken["services"][0]["category"] = "no-such-category"
    publish(central, "catalog", broken, tmp_path)
    sync_once(db_path, enrollment, config.central, timeout_s=60)
    with caplog.at_level(logging.INFO, logger="kiosk.pulled_catalog"):
        assert load_catalog(db_path).version == bundled.version
    assert "not usable" in caplog.text and "platform-2026.3" in caplog.text


def wait_snapshot(core: KioskCore, predicate, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snapshot = core.snapshot()
        if snapshot and predicate(snapshot):
            return snapshot
        time.sleep(0.05)
    raise AssertionError(f"snapshot never matched: {core.snapshot().get('sync_paused')!r}")


def test_a_refused_terminal_shows_staff_that_sync_is_paused(central, tmp_path):
    data_dir = tmp_path / "terminal"
    config = KioskConfig().with_overrides(central={"url": central.url},
                                          storage={"data_dir": str(data_dir)})
    enrollment = Enrollment(data_dir)
    keys = enroll_terminal(central.url, config.terminal.site_code, config.terminal.terminal_id,
                           enrollment, central.issue_token("110105-T01"))
    store = open_platform_store(central.data_dir, central.database_url)
    store.set_terminal_status(keys.terminal_id, "revoked")  # kiosk-central revoke
    core = KioskCore(config, data_dir=data_dir)
    core.start()
    try:
        # The first pass sends a heartbeat, gets 403 and pauses the queue.
        wait_snapshot(core, lambda s: s.get("sync_paused") is True)
        store.set_terminal_status(keys.terminal_id, "active")
        core.sync.sync_now()  # what kioskctl sync / re-enrollment does
        wait_snapshot(core, lambda s: s.get("sync_paused") is False)
    finally:
        core.stop()
        store.close()
