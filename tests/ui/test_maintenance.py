"""Staff maintenance mode in the real QML, offscreen, on the real core and simulated devices:
the hidden gesture, the PIN pad, diagnostics, a test print, sync now, sign out; a lockout; and a
receipt that never printed, reprinted from the queue page; the platform statuses of recent
receipts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from kiosk.staff import StaffStore

PIN = "135790"


def start(make_kiosk: Any, kiosk_config: Any, language: str = "zh-CN", **overrides: Any) -> Any:
    config = kiosk_config.with_overrides(**{**overrides, "ui": {"language": language, **overrides.get("ui", {})}})
    StaffStore(config.storage.resolved_data_dir()).add("s001", "Wang Li", PIN)
    return make_kiosk(config)


def maintenance(kiosk: Any) -> Any:
    return kiosk.engine.rootContext().contextProperty("maintenance")


def long_press_corner(kiosk: Any) -> None:
    """Hold the attract screen's top-right corner until the PIN pad opens (3 s, as staff do)."""
    corner = kiosk.get("maintenanceCorner")
    centre = corner.mapToScene(QPointF(corner.width() / 2, corner.height() / 2))
    point = QPoint(round(centre.x()), round(centre.y()))
    QTest.mousePress(kiosk.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    kiosk.wait_until(lambda: kiosk.find("pinPad"))
    QTest.mouseRelease(kiosk.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    kiosk.settle()


def type_pin(kiosk: Any, pin: str) -> None:
    for digit in pin:
        kiosk.tap(f"pinKey_{digit}")
    kiosk.tap("pinKey_ok")


def staff_events(kiosk: Any) -> list[tuple[str, str | None]]:
    kiosk.core.audit.flush()
    return [(e.kind, e.actor) for e in kiosk.core.audit.events() if e.kind.startswith("staff.")]


def test_gesture_pin_diagnostics_test_print_sync_sign_out_screenshot(make_kiosk: Any, kiosk_config: Any,
                                                                     tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    kiosk = start(make_kiosk, kiosk_config, maintenance={"export_dir": str(usb)})
    long_press_corner(kiosk)
    kiosk.screenshot("maintenance_1_pin")
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("maintenanceMain"))
    kiosk.wait_until(lambda: kiosk.find("device_receipt_printer"))
    view = maintenance(kiosk).property("view")
    kiosk.wait_until(lambda: all(row["model"] for row in maintenance(kiosk).property("view")["devices"]))
    assert view["staff"] == {"id": "s001", "name": "Wang Li"}
    kiosk.screenshot("maintenance_2_devices")

    printed = kiosk.config.storage.resolved_data_dir() / "printed" / "receipts"
    before = set(printed.glob("TEST-*")) if printed.exists() else set()
    kiosk.tap("testButton_receipt_printer")
    kiosk.wait_until(lambda: "test_print" in maintenance(kiosk).property("view")["results"])
    result = maintenance(kiosk).property("view")["results"]["test_print"]
    assert result["ok"], result
    assert set(printed.glob("TEST-*")) - before, "the simulated printer wrote nothing"
    assert Path(result["detail"]).stat().st_size > 0
    assert "测试页已打印" in kiosk.get("result_test_print").property("text")

    kiosk.tap("testButton_camera")
    preview = kiosk.get("maintenanceCameraPreview")
    kiosk.wait_until(lambda: preview.property("implicitWidth") > 0)
    kiosk.screenshot("maintenance_2_devices_tested")
    kiosk.tap("testButton_camera")
    kiosk.wait_until(lambda: not maintenance(kiosk).property("view")["preview"])

    kiosk.tap("maintenanceTab_1")
    kiosk.tap("syncNowButton")
    kiosk.wait_until(lambda: "sync_now" in maintenance(kiosk).property("view")["results"])
    kiosk.screenshot("maintenance_3_sync")
    kiosk.tap("maintenanceTab_2")
    kiosk.tap("exportLogsButton")
    kiosk.wait_until(lambda: "export" in maintenance(kiosk).property("view")["results"])
    result = maintenance(kiosk).property("view")["results"]["export"]
    assert result["ok"], result
    assert (Path(result["detail"]) / "doctor.txt").exists()
    kiosk.screenshot("maintenance_4_system")

    # Enrollment by one-time token on the on-screen pad (no platform listens here: it fails).
    kiosk.tap("enrollButton")
    for key in "ABCDEF0123456789ABCDEF01":
        kiosk.tap(f"pinKey_{key}")
    assert kiosk.get("pinDisplay").property("text") == "ABCDEF-012345-6789AB-CDEF01"
    kiosk.screenshot("maintenance_5_token")
    kiosk.tap("pinKey_ok")
    kiosk.wait_until(lambda: "enroll" in maintenance(kiosk).property("view")["results"], timeout_ms=30_000)
    assert maintenance(kiosk).property("view")["results"]["enroll"]["code"] == "enroll_failed"

    kiosk.tap("signOutButton")
    kiosk.wait_until(lambda: kiosk.find("screen_maintenance") is None)
    assert kiosk.find("screen_attract") is not None
    kinds = [kind for kind, _ in staff_events(kiosk)]
    assert kinds[:2] == ["staff.signed_in", "staff.test_print"]
    assert {"staff.sync_now", "staff.logs_exported", "staff.enrolled", "staff.signed_out"} <= set(kinds)
    assert all(actor == "s001" for _, actor in staff_events(kiosk))


def test_five_wrong_pins_lock_the_pad_screenshot(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = start(make_kiosk, kiosk_config, language="en")
    maintenance(kiosk).requestEntry()
    kiosk.get("pinPad")
    for attempt in range(1, 6):
        type_pin(kiosk, "000000")
        kiosk.wait_until(lambda n=attempt: maintenance(kiosk).property("view")["pin"]["code"] in ("wrong", "locked")
                         and staff_events(kiosk).count(("staff.sign_in_failed", None)) == n)
    kiosk.wait_until(lambda: "Try again in" in kiosk.get("pinMessage").property("text"))
    assert not kiosk.get("pinKey_1").isEnabled()
    kiosk.screenshot("maintenance_pin_locked")
    assert ("staff.locked_out", None) in staff_events(kiosk)
    assert kiosk.find("maintenanceMain") is None
    kiosk.tap("pinCancelButton")
    kiosk.wait_until(lambda: kiosk.find("screen_maintenance") is None)


def test_no_maintenance_during_a_citizen_session(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = start(make_kiosk, kiosk_config)
    assert kiosk.find("maintenanceCorner") is not None
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    assert kiosk.find("maintenanceCorner", visible_only=False) is None
    maintenance(kiosk).requestEntry()  # even if something asked for it
    kiosk.settle(0.3)
    assert maintenance(kiosk).property("view")["phase"] == "closed"
    assert kiosk.find("screen_maintenance") is None


def test_maintenance_landscape_screenshot(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = start(make_kiosk, kiosk_config, language="en", ui={"orientation": "landscape"})
    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("device_document_printer"))
    kiosk.wait_until(lambda: all(row["model"] for row in maintenance(kiosk).property("view")["devices"]))
    kiosk.screenshot("maintenance_landscape_devices")
    kiosk.tap("signOutButton")
    kiosk.wait_until(lambda: kiosk.find("screen_maintenance") is None)


def test_a_receipt_never_printed_is_listed_and_reprinted_from_the_queue_page_screenshot(
        make_kiosk: Any, kiosk_config: Any) -> None:
    import datetime as dt

    from kiosk.enrollment import Enrollment
    from kiosk.receipts import build_receipt, unprinted_receipts
    from kiosk.submission import Draft, SubmissionWriter

    kiosk = start(make_kiosk, kiosk_config)
    # A submission stored by a terminal that stopped before printing its receipt (stored here by a
    # writer of its own: the receipt is remembered as pending and never printed).
    config = kiosk_config
    data = config.storage.resolved_data_dir()

    def receipt(number: str, accepted_at: dt.datetime, token: str = "") -> Any:
        return build_receipt(service_title="居住证申领", receipt_number=number, accepted_at=accepted_at.astimezone(),
                             hall_name="政务服务中心", terminal_id=config.terminal.terminal_id,
                             applicant_name="陈静怡", processing_time="15个工作日", collect="窗口领取",
                             lookup_url="https://x.example/p?no={receipt_number}", hotline="12345")

    writer = SubmissionWriter(data / "kiosk.db", Enrollment(data), config.terminal.site_code,
                              config.terminal.terminal_id, 1024 * 1024)
    writer.start().result()
    try:
        number = writer.submit(Draft("residence_permit", "residence_permit", 1, "zh-CN", {}, {},
                                     {"face.jpg": b"\xff\xd8" * 100}, receipt)).result().receipt_number
    finally:
        writer.stop()

    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("maintenanceMain"))
    kiosk.tap("maintenanceTab_1")
    kiosk.wait_until(lambda: kiosk.find(f"reprint_{number}") is not None)
    assert kiosk.get("unprintedTitle").property("visible")
    kiosk.screenshot("maintenance_3_sync_unprinted")
    kiosk.tap(f"reprint_{number}")
    kiosk.wait_until(lambda: "reprint" in maintenance(kiosk).property("view")["results"])
    assert maintenance(kiosk).property("view")["results"]["reprint"]["code"] == "reprint_ok"
    kiosk.wait_until(lambda: kiosk.find(f"reprint_{number}") is None)
    assert "已补打" in kiosk.get("result_reprint").property("text")
    assert unprinted_receipts(data) == []
    assert ("staff.receipt_reprinted", "s001") in staff_events(kiosk)


def test_a_paused_queue_names_the_action_that_fixes_it(make_kiosk: Any, kiosk_config: Any) -> None:
    from offline_cache import Store, SyncState

    kiosk = start(make_kiosk, kiosk_config)
    with Store(kiosk.config.storage.resolved_data_dir() / "kiosk.db") as store:
        SyncState(store).put("paused", "403 terminal is revoked: call the platform operators")
    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("maintenanceMain"))
    kiosk.tap("maintenanceTab_1")
    kiosk.wait_until(lambda: (maintenance(kiosk).property("view").get("queue") or {}).get("paused"))
    assert maintenance(kiosk).property("view")["queue"]["paused_action"] == "revoked"
    notice = kiosk.get("syncPaused")
    kiosk.wait_until(lambda: notice.property("visible"))
    assert "平台管理员已停用本终端" in notice.property("text")  # not "enroll again"
    assert "重新注册" not in notice.property("text")
    kiosk.screenshot("maintenance_6_sync_paused")


def test_the_queue_page_names_each_recent_receipts_platform_status_screenshot(
        make_kiosk: Any, kiosk_config: Any) -> None:
    import datetime as dt

    from offline_cache import CaseStatuses, ReceiptStatus, Store

    kiosk = start(make_kiosk, kiosk_config)
    at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    with Store(kiosk.config.storage.resolved_data_dir() / "kiosk.db") as store:
        CaseStatuses(store).record([
            (1, ReceiptStatus("GZ01-T01-20260301-000001", "completed", at, "pick up", False)),
            (2, ReceiptStatus("GZ01-T01-20260301-000002", "corrections_requested", at, "correct", True))], 2)
    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("maintenanceMain"))
    kiosk.tap("maintenanceTab_1")
    kiosk.wait_until(lambda: kiosk.find("status_GZ01-T01-20260301-000001") is not None)
    assert kiosk.get("statusesTitle").property("visible")
    assert "已办结" in kiosk.get("status_GZ01-T01-20260301-000001").property("text")
    assert "待补正" in kiosk.get("status_GZ01-T01-20260301-000002").property("text")
    kiosk.screenshot("maintenance_7_sync_statuses")


def test_maintenance_shows_a_silent_voice_and_why(make_kiosk: Any, kiosk_config: Any, tmp_path: Path,
                                                  monkeypatch: Any) -> None:
    # Qt's speechd engine with nothing to talk to (no speech-dispatcher, none started on demand).
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'nobody.sock'}")
    (tmp_path / "speech-dispatcher").mkdir()
    (tmp_path / "speech-dispatcher" / "speechd.conf").write_text("DisableAutoSpawn\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    kiosk = start(make_kiosk, kiosk_config, language="en", ui={"voice_engine": "speechd"})
    speech = kiosk.engine.rootContext().contextProperty("speech")
    kiosk.wait_until(lambda: speech.property("status") == "unavailable", 30_000)
    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("device_voice"))
    assert kiosk.get("deviceState_voice").property("text") == "Not available"
    detail = kiosk.get("voiceDetail").property("text")
    assert speech.property("problem") in detail and "kioskctl doctor" in detail


def test_maintenance_shows_the_voices_in_use(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = start(make_kiosk, kiosk_config, language="en", ui={"voice_engine": "mock"})
    speech = kiosk.engine.rootContext().contextProperty("speech")
    kiosk.wait_until(lambda: speech.property("status") == "ready")
    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("device_voice"))
    assert kiosk.get("deviceState_voice").property("text") == "Ready"
    assert kiosk.get("voiceDetail").property("text").startswith("Engine mock · Chinese voice ")


ANSWERS = {"residence_address": "杭州市西湖区文三路 90 号 2 幢 301 室", "residence_since": "2024-03-01",
           "basis": "employment", "employer": "杭州云栖科技有限公司", "phone": "13800138000",
           "collection_method": "pickup", "declaration": True}


def test_maintenance_names_the_document_read_and_counts_ratings_apart(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = start(make_kiosk, kiosk_config, language="en")
    # A citizen applied and rated the service (the platform is unreachable: both stay queued).
    core = kiosk.core
    core.choose_service("residence_permit")
    kiosk.wait_for_screen("notice")
    core.accept_notice()
    kiosk.wait_for_screen("identify")
    core.present_demo_document("resident_id")
    kiosk.wait_for_screen("face")
    kiosk.wait_until(lambda: core.latest_frame() is not None)
    core.capture_photo()
    kiosk.wait_until(lambda: kiosk.state.get("has_photo"))
    core.accept_photo()
    kiosk.wait_for_screen("form")
    for field, value in ANSWERS.items():
        core.set_field_value(field, value)
    core.complete_form()
    kiosk.wait_for_screen("review")
    core.confirm_submission(True)
    kiosk.wait_for_screen("done")
    core.rate_service(5, [])
    kiosk.wait_until(lambda: (kiosk.state.get("rating") or {}).get("rated"))
    kiosk.wait_until(lambda: core.outbox_counts().get("queued", 0) == 2)
    core.finish()
    kiosk.wait_for_screen("attract")

    long_press_corner(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("device_id_reader"))
    kiosk.tap("testButton_id_reader")
    kiosk.wait_until(lambda: "test_read" in maintenance(kiosk).property("view")["results"], 30_000)
    assert kiosk.get("result_test_read").property("text") == "Read OK: Resident ID card"

    kiosk.tap("maintenanceTab_1")
    kiosk.wait_until(lambda: kiosk.find("queueRatings"))
    assert kiosk.get("queueQueued").property("text") == "1"   # the application only
    assert kiosk.get("queueRatings").property("text") == "1 / 0"


def scene_y(kiosk: Any, name: str) -> float:
    item = kiosk.get(name)
    return item.mapToScene(QPointF(0, 0)).y()


def test_nothing_moves_under_a_finger_when_a_message_appears(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = start(make_kiosk, kiosk_config)
    long_press_corner(kiosk)
    keys = {name: scene_y(kiosk, name) for name in ("pinKey_1", "pinKey_ok", "pinCancelButton")}
    type_pin(kiosk, "000000")  # wrong: a message appears above the pad
    message = kiosk.get("pinMessage")
    kiosk.wait_until(lambda: message.property("text"))
    kiosk.settle(0.1)
    assert {name: scene_y(kiosk, name) for name in keys} == keys

    type_pin(kiosk, PIN)
    kiosk.wait_until(lambda: kiosk.find("maintenanceMain"))
    kiosk.tap("maintenanceTab_2")
    kiosk.wait_until(lambda: kiosk.find("restartButton"))
    kiosk.settle(0.1)
    buttons = {name: scene_y(kiosk, name) for name in ("exportLogsButton", "restartButton")}
    kiosk.tap("exportLogsButton")  # no USB stick: a status line appears beneath the button
    kiosk.wait_until(lambda: "export" in maintenance(kiosk).property("view")["results"])
    kiosk.settle(0.1)
    assert kiosk.get("result_export").property("text")
    assert {name: scene_y(kiosk, name) for name in buttons} == buttons
