"""The maintenance service on a real core (simulated devices, real local central server)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk import events as ev
from kiosk.device_roles import REGISTRIES
from kiosk.maintenance import RESTART_EXIT_CODE, MaintenanceService
from kiosk.staff import StaffStore

PIN = "135790"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_view(service: MaintenanceService, predicate: Callable[[dict[str, Any]], Any],
              timeout: float = 20.0) -> dict[str, Any]:
    """Wait until the published view satisfies ``predicate`` (a bound on waiting, not a timing test)."""
    end = time.monotonic() + timeout
    while not predicate(service.view()):
        if time.monotonic() > end:
            raise AssertionError(f"view never matched: {service.view()}")
        time.sleep(0.02)
    return service.view()


@pytest.fixture
def maintenance(start_core: Any, tmp_path: Path) -> Any:
    driver = start_core()
    staff = StaffStore(tmp_path / "staff")
    staff.add("s001", "Wang Li", PIN)
    clock = Clock()
    service = MaintenanceService(driver.core, staff=staff, clock=clock, media_root=tmp_path / "media")
    service.clock = clock
    service.driver = driver
    yield service
    service.stop()


def sign_in(service: MaintenanceService) -> dict[str, Any]:
    service.request_entry().result()
    service.enter_pin(PIN).result()
    return wait_view(service, lambda v: v["phase"] == "signed_in" and len(v["devices"]) == len(REGISTRIES))


def audited(service: MaintenanceService) -> list[tuple[str, str | None]]:
    audit = service._core.audit
    audit.flush()
    return [(e.kind, e.actor) for e in audit.events() if e.kind.startswith("staff.")]


def test_the_gesture_opens_the_pin_pad_only_between_citizens(maintenance: MaintenanceService) -> None:
    driver = maintenance.driver
    driver.core.choose_service("residence_permit")
    driver.wait_screen("notice")
    maintenance.request_entry().result()
    assert maintenance.view()["phase"] == "closed"
    driver.core.back()
    driver.wait_screen("attract")
    maintenance.request_entry().result()
    assert maintenance.view()["phase"] == "pin"


def test_a_session_that_starts_under_an_open_pad_closes_it(maintenance: MaintenanceService) -> None:
    maintenance.request_entry().result()
    maintenance.driver.core.choose_service("residence_permit")
    maintenance.driver.wait_screen("notice")
    maintenance.enter_pin(PIN).result()
    assert maintenance.view()["phase"] == "closed"


def test_sign_in_diagnostics_and_actions_are_audited(maintenance: MaintenanceService, tmp_path: Path) -> None:
    view = sign_in(maintenance)
    assert view["staff"] == {"id": "s001", "name": "Wang Li"}
    wait_view(maintenance, lambda v: next(r for r in v["devices"] if r["role"] == "receipt_printer")["model"])
    assert view["enrollment"]["enrolled"]

    maintenance.test_print().result()
    view = wait_view(maintenance, lambda v: "test_print" in v["results"])
    assert view["results"]["test_print"]["ok"], view["results"]
    output = Path(view["results"]["test_print"]["detail"])
    assert output.exists() and output.stat().st_size > 0  # the simulated printer's page

    maintenance.test_read().result()
    view = wait_view(maintenance, lambda v: "test_read" in v["results"])
    assert view["results"]["test_read"] == {"ok": True, "code": "read_ok", "detail": "resident_id"}

    maintenance.sync_now().result()
    view = wait_view(maintenance, lambda v: "sync_now" in v["results"])
    assert view["results"]["sync_now"]["code"] == "sync_nothing", view["results"]

    maintenance.refresh_catalog().result()
    view = wait_view(maintenance, lambda v: "catalog" in v["results"])
    assert view["results"]["catalog"]["ok"] and view["catalog"]["version"]

    usb = tmp_path / "media" / "STICK"
    usb.mkdir(parents=True)
    maintenance.export_logs(str(usb)).result()
    view = wait_view(maintenance, lambda v: "export" in v["results"])
    assert view["results"]["export"]["ok"], view["results"]
    folder = Path(view["results"]["export"]["detail"])
    assert {"doctor.txt", "queue.json", "README.txt", "audit.jsonl"} <= {p.name for p in folder.iterdir()}
    exported = [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]
    assert any(e["kind"] == "staff.test_print" and e["actor"] == "s001" for e in exported)

    maintenance.sign_out().result()
    assert maintenance.view()["phase"] == "closed"
    kinds = [kind for kind, _ in audited(maintenance)]
    for kind in ("signed_in", "test_print", "test_read", "sync_now", "catalog_refreshed", "logs_exported",
                 "signed_out"):
        assert f"staff.{kind}" in kinds, kinds
    assert all(actor == "s001" for kind, actor in audited(maintenance))


def test_commands_need_a_signed_in_staff_member(maintenance: MaintenanceService) -> None:
    maintenance.test_print().result()
    maintenance.request_entry().result()
    maintenance.test_print().result()
    assert maintenance.view()["results"] == {}


def test_wrong_pins_lock_the_pad_and_are_audited(maintenance: MaintenanceService) -> None:
    maintenance.request_entry().result()
    for left in (4, 3, 2, 1):
        maintenance.enter_pin("000000").result()
        assert maintenance.view()["pin"] == {"code": "wrong", "attempts_left": left, "locked_s": 0}
    maintenance.enter_pin("000000").result()
    assert maintenance.view()["pin"]["code"] == "locked" and maintenance.view()["pin"]["locked_s"] == 30
    maintenance.enter_pin(PIN).result()  # not even checked while locked
    assert maintenance.view()["phase"] == "pin" and maintenance.view()["pin"]["code"] == "locked"
    kinds = [kind for kind, _ in audited(maintenance)]
    assert kinds.count("staff.sign_in_failed") == 5 and kinds.count("staff.locked_out") == 1


def test_idle_staff_are_signed_out(maintenance: MaintenanceService) -> None:
    sign_in(maintenance)
    maintenance.clock.now += 60
    maintenance.tick().result()
    assert maintenance.view()["phase"] == "signed_in" and maintenance.view()["idle_left"] == 60
    maintenance.touched().result()
    maintenance.clock.now += 119
    maintenance.tick().result()
    assert maintenance.view()["phase"] == "signed_in"
    maintenance.clock.now += 1
    maintenance.tick().result()
    assert maintenance.view()["phase"] == "closed"
    assert ("staff.signed_out", "s001") in audited(maintenance)


def test_restart_asks_the_supervisor_to_exit_for_a_restart(maintenance: MaintenanceService) -> None:
    seen: list[Any] = []
    maintenance._core.events.subscribe(lambda e: seen.append(e) if e.name == ev.RESTART_DUE else None)
    sign_in(maintenance)
    maintenance.restart().result()
    assert [e.data["exit_code"] for e in seen] == [RESTART_EXIT_CODE]
    assert ("staff.restarted", "s001") in audited(maintenance)


def test_enroll_with_a_one_time_token(maintenance: MaintenanceService, demo: Any) -> None:
    sign_in(maintenance)
    maintenance.enroll("NOT-A-TOKEN").result()
    assert maintenance.view()["results"]["enroll"]["code"] == "enroll_failed"
    # The demo terminal is enrolled already: re-keying it needs a token bound to it.
    terminal = demo.config.terminal
    maintenance.enroll(demo.central.issue_token(f"{terminal.site_code}-{terminal.terminal_id}")).result()
    assert maintenance.view()["results"]["enroll"]["ok"], maintenance.view()["results"]


def test_the_demo_has_a_staff_member_with_the_documented_pin(demo: Any) -> None:
    from kiosk.demo import DEMO_STAFF_ID, DEMO_STAFF_PIN

    staff = StaffStore(demo.config.storage.resolved_data_dir())
    assert staff.verify(DEMO_STAFF_PIN).staff.staff_id == DEMO_STAFF_ID


def test_the_queue_counts_applications_and_ratings_apart(maintenance: MaintenanceService) -> None:
    driver = maintenance.driver
    driver.walk_to_form()
    driver.submit()
    driver.core.rate_service(4, [])
    driver.wait_for(lambda s: s["rating"] and s["rating"]["rated"])
    driver.finish()
    driver.wait_for(lambda s: driver.core.outbox_counts().get("acked", 0) >= 2)
    sign_in(maintenance)
    maintenance.refresh().result()
    view = wait_view(maintenance, lambda v: v["queue"].get("ratings_sent", 0) >= 1)
    queue = view["queue"]
    # One application and one rating went out: the application count does not include the rating.
    assert queue["ratings_sent"] == 1 and queue["acked"] == driver.core.outbox_counts()["acked"] - 1


def test_the_queue_page_shows_where_a_receipts_case_stands_on_the_platform(
        maintenance: MaintenanceService, demo: Any) -> None:
    from tests.conftest import operator_client

    driver = maintenance.driver
    driver.walk_to_form()
    receipt = driver.submit()["receipt_number"]
    driver.finish()
    driver.wait_for(lambda s: driver.core.outbox_counts().get("queued", 0)
                    + driver.core.outbox_counts().get("sending", 0) == 0)
    worker = operator_client(demo.central, "case-worker")
    try:
        csrf = {"X-CSRF-Token": worker.get("/v1/session").json()["csrf"]}
        accepted = worker.post(f"/v1/cases/{receipt}/actions", headers=csrf, json={"action": "accept"})
        assert accepted.status_code == 200, accepted.text
    finally:
        worker.close()
    sign_in(maintenance)
    maintenance.sync_now().result()  # the worker's next pass pulls the case's new status

    def mine(view: dict[str, Any]) -> dict[str, Any] | None:
        return next((s for s in view["queue"].get("statuses", []) if s["receipt_number"] == receipt
                     and s["status"] == "accepted"), None)

    shown = mine(wait_view(maintenance, mine))
    assert shown is not None
    assert shown["names"] == {"zh-CN": "已受理", "en": "Accepted"} and not shown["correction_requested"]
    assert set(shown) == {"receipt_number", "status", "names", "at", "correction_requested"}
