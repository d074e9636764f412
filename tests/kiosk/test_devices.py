"""Device orchestration: configured backends get only the default options they take."""

from __future__ import annotations

from pathlib import Path

from drivers.printer import Receipt
from kiosk.config import KioskConfig
from kiosk.devices import DeviceManager, create_driver
from kiosk.events import EventHub


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
