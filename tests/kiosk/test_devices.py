"""Device orchestration: configured backends get only the default options they take; each role
is typed by its family; status changes are published once."""

from __future__ import annotations

from pathlib import Path

from drivers.camera import Camera
from drivers.common import DeviceState
from drivers.doccam import DocumentCamera
from drivers.idcard import IdReader
from drivers.printer import DocumentPrinter, Receipt, ReceiptPrinter
from drivers.scanner import CodeScanner
from kiosk.config import KioskConfig
from kiosk.devices import DeviceManager, create_driver
from kiosk.events import DEVICE_STATUS_CHANGED, EventHub


def test_a_real_printer_backend_is_not_handed_the_simulators_output_folder(tmp_path: Path) -> None:
    config = KioskConfig().with_overrides(devices={
        "receipt_printer": {"backend": "network", "options": {"host": "127.0.0.1", "port": 9100}},
    })
    manager = DeviceManager(config.devices, EventHub(), tmp_path)  # builds every driver, opens none
    try:
        assert type(manager["receipt_printer"].driver).__name__ != "SimulatedReceiptPrinter"
    finally:
        for device in manager.devices.values():
            device.worker.stop()


def test_simulated_printers_print_into_the_data_folder(tmp_path: Path) -> None:
    config = KioskConfig()
    printer = create_driver("receipt_printer", config.devices.receipt_printer, tmp_path)
    printer.open()
    try:
        printer.print_receipt(Receipt(title="受理回执", receipt_number="110105-T01-20261126-0001",
                                      lines=[("办理事项", "居住证申领")], notes=[], qr_data=None, footer=""))
    finally:
        printer.close()
    assert list((tmp_path / "printed" / "receipts").glob("110105-T01-20261126-0001*.txt"))


def test_each_role_is_typed_by_its_family_and_status_changes_are_published_once(tmp_path: Path) -> None:
    hub = EventHub()
    seen: list[tuple[str, DeviceState]] = []
    hub.subscribe(lambda event: seen.append((event.data["role"], event.data["status"].state))
                  if event.name == DEVICE_STATUS_CHANGED else None)
    manager = DeviceManager(KioskConfig().devices, hub, tmp_path)
    try:
        assert isinstance(manager.id_reader.driver, IdReader) and manager["id_reader"] is manager.id_reader
        assert isinstance(manager.camera.driver, Camera) and manager["camera"] is manager.camera
        assert isinstance(manager.receipt_printer.driver, ReceiptPrinter)
        assert isinstance(manager.document_printer.driver, DocumentPrinter)
        assert isinstance(manager.code_scanner.driver, CodeScanner)
        assert isinstance(manager.document_camera.driver, DocumentCamera)
        assert manager["document_camera"] is manager.document_camera
        manager.open_all()
        for device in manager.devices.values():
            device.submit(lambda _driver: None).result(timeout=30)  # the open before it has run
        assert sorted(seen) == sorted((role, DeviceState.ONLINE) for role in manager.devices)
        printer = manager.receipt_printer
        printer.driver.script_fault("offline", count=2)
        for _ in range(2):  # the same status twice is one change
            printer.submit(lambda _driver: manager.refresh(printer)).result(timeout=30)
        assert seen[-1] == ("receipt_printer", DeviceState.OFFLINE) and len(seen) == len(manager.devices) + 1
    finally:
        manager.close_all()
