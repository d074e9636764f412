"""The real receipt backends against emulated printers: network (loopback TCP 9100 printer),
serial and device file (over a pty pair, the emulator on the far end)."""

from __future__ import annotations

import time

import pytest

from drivers.common import DeviceError, DeviceNotFound, DeviceState, DeviceUserError, ErrorAction
from drivers.printer import Receipt, SimulatedNetworkPrinter, receipt_printer_backends
from tests.drivers.far_ends import PtyPrinter

RECEIPT = Receipt(
    title="受理回执", receipt_number="110105-T01-20261126-0007",
    lines=[("办理事项", "居住证申领"), ("受理时间", "2026-11-26 10:32")],
    notes=["您的申请已受理。"], qr_data="https://zwfw.example.gov.cn/progress?no=110105-T01-20261126-0007",
    footer="政务服务热线 12345",
)
LONG_RECEIPT = Receipt("受理回执", "110105-T01-20261126-0008", [(f"第{i}项", "已提交") for i in range(40)])


@pytest.fixture
def loopback(tmp_path):
    printer = SimulatedNetworkPrinter(output_dir=str(tmp_path / "paper")).start()
    yield printer
    printer.stop()


@pytest.fixture
def network_printer(loopback):
    host, port = loopback.address
    # A generous status timeout: on a loaded CI machine the emulator thread may answer late, and
    # a late answer must not read as "offline" in tests about paper and cover states.
    printer = receipt_printer_backends.create("network", host=host, port=port, status_timeout_s=2.0)
    yield printer
    printer.close()


def test_network_prints_and_the_paper_shows_it(network_printer, loopback, tmp_path):
    network_printer.open()
    assert network_printer.status().is_ready
    network_printer.print_receipt(RECEIPT)
    (job,) = loopback.device.printed
    assert job.decoded.qr_codes == [RECEIPT.qr_data] and job.decoded.cut
    assert sorted(p.suffix for p in (tmp_path / "paper").iterdir()) == [".bin", ".png", ".txt"]


@pytest.mark.parametrize("sensor,detail", [("paper_out", "paper_out"), ("cover_open", "cover_open")])
def test_network_refuses_before_printing(network_printer, loopback, sensor, detail):
    network_printer.open()
    loopback.device.set_state(**{sensor: True})
    status = network_printer.status()
    assert (status.state, status.action, status.detail) == (DeviceState.USER_ERROR, ErrorAction.CLEAR, detail)
    with pytest.raises(DeviceUserError) as info:
        network_printer.print_receipt(RECEIPT)
    assert info.value.action is ErrorAction.CLEAR
    loopback.device.set_state(**{sensor: False})
    assert loopback.device.printed == [], "a refused job must never print later"


def _eventually(condition, bound_s: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``bound_s`` passes (a bound on waiting, not a timing test)."""
    end = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


def test_paper_out_mid_job_is_cleared_never_printed_later(network_printer, loopback):
    network_printer.open()
    loopback.device.paper_out_after = 5000
    with pytest.raises(DeviceUserError, match="while printing"):
        network_printer.print_receipt(LONG_RECEIPT)
    # The clear-buffers command travels like any byte: give the printer's thread a moment to act.
    assert _eventually(lambda: loopback.device.purged_jobs == 1)
    loopback.device.set_state(paper_out=False)  # staff refill the paper
    assert loopback.device.printed == [] and loopback.device.held_jobs == 0
    network_printer.print_receipt(RECEIPT)
    assert len(loopback.device.printed) == 1


def test_silent_printer_is_offline(network_printer, loopback):
    network_printer.open()
    loopback.unplugged = True
    status = network_printer.status()
    assert status.state is DeviceState.OFFLINE
    with pytest.raises(DeviceError) as info:
        network_printer.print_receipt(RECEIPT)
    assert info.value.action is ErrorAction.RESET and loopback.device.printed == []


def test_nothing_listening_is_not_found():
    printer = receipt_printer_backends.create("network", host="127.0.0.1", port=1)
    with pytest.raises(DeviceNotFound):
        printer.open()


# -- serial and device file over a pty pair ----------------------------------------------------


@pytest.fixture
def pty_printer():
    printer = PtyPrinter()
    yield printer
    printer.close()


@pytest.mark.parametrize("backend", ["serial", "file"])
def test_serial_and_file_backends_print_and_check_status(pty_printer, backend):
    options = {"port": pty_printer.path} if backend == "serial" else {"devfile": pty_printer.path}
    printer = receipt_printer_backends.create(backend, paper_width_mm=58, text_mode="gb18030", **options)
    try:
        printer.open()
        assert printer.status().is_ready
        printer.print_receipt(RECEIPT)
        deadline = time.monotonic() + 5
        while not pty_printer.device.printed and time.monotonic() < deadline:
            time.sleep(0.02)
        (job,) = pty_printer.device.printed
        assert "办理事项：居住证申领" in job.decoded.text_lines
        pty_printer.device.set_state(cover_open=True)
        with pytest.raises(DeviceUserError):
            printer.print_receipt(RECEIPT)
    finally:
        printer.close()


def test_missing_serial_port_is_not_found(tmp_path):
    printer = receipt_printer_backends.create("serial", port=str(tmp_path / "ttyNONE"))
    assert printer.is_usable() is False
    with pytest.raises(DeviceNotFound):
        printer.open()


def test_usb_without_pyusb_or_device_is_not_found():
    printer = receipt_printer_backends.create("usb", vendor_id=0x0416, product_id=0x5011)
    with pytest.raises(DeviceNotFound):
        printer.open()
