"""Maintenance mode, System page: the software release running, an update on trial, one being
downloaded with its progress, and the last rollback with its reason (``kiosk.releases``), in the
real QML offscreen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from kiosk.releases import Installation
from kiosk.staff import StaffStore
from tests.ui.test_maintenance import PIN, long_press_corner, type_pin
from tests.update_builds import make_build


def test_the_system_page_shows_the_release_the_pending_update_and_a_rollback_screenshot(
        make_kiosk: Any, kiosk_config: Any, tmp_path: Path) -> None:
    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "a", "1.4.2"), "1.4.2")
    shutil.copytree(make_build(tmp_path / "b", "1.5.0"), installation.release_dir("1.5.0"))
    installation.switch("1.5.0")
    installation.rollback("self-test failed (exit 9)")  # 1.5.0 failed here, 1.4.2 runs
    installation.progress_file("1.6.0").write_text(json.dumps(
        {"version": "1.6.0", "done": 37, "total": 100}))
    config = kiosk_config.with_overrides(updates={"install_dir": str(installation.root)},
                                         ui={"language": "en"})
    StaffStore(config.storage.resolved_data_dir()).add("s001", "Wang Li", PIN)
    kiosk = make_kiosk(config)
    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("maintenanceMain"))
    kiosk.tap("maintenanceTab_2")
    kiosk.wait_until(lambda: kiosk.find("softwareVersion"))
    assert kiosk.get("softwareVersion").property("text") == "Software 1.4.2"
    kiosk.wait_until(lambda: kiosk.get("softwarePending").property("visible"))
    assert kiosk.get("softwarePending").property("text") == "Update 1.6.0 downloading: 37 %"
    assert kiosk.get("softwareRolledBack").property("text") == \
        "Update 1.5.0 was rolled back: self-test failed (exit 9)"
    kiosk.screenshot("maintenance_7_software")
