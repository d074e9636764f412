"""The printer families' own verbs: receipts and PDFs over every backend with a far end here, and
the simulators' faults and files. The lifecycle every backend shares is test_device_lifecycle.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.common import DeviceIOError, DeviceNotOpen, DeviceState, DeviceUserError, ErrorAction
from drivers.printer import (
    DocumentPrinter,
    PrintResult,
    Receipt,
    ReceiptPrinter,
    SimulatedReceiptPrinter,
    document_printer_backends,
    receipt_printer_backends,
)
from drivers.printer.simulated.printers import count_pdf_pages
from tests.drivers.backend_rigs import built_backend, present_backends
from tests.drivers.far_ends import sample_pdf

RECEIPT = Receipt(
    title="灵活就业人员参保登记 回执",
    receipt_number="R-3301-07-20260514-0042",
    lines=[("办理事项", "灵活就业人员参保登记"), ("提交时间", "2026-05-14 10:32")],
    notes=["请妥善保管本回执。"],
    qr_data="https://zwfw.example.gov.cn/q/R-3301-07-20260514-0042",
    footer="谢谢使用",
)
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >> endobj\n2 0 obj << /Type /Page >> endobj\n"
       b"3 0 obj << /Type /Page >> endobj\n%%EOF\n")

RECEIPT_BACKENDS = {"simulated": lambda d: receipt_printer_backends.create("simulated", output_dir=str(d))}
DOCUMENT_BACKENDS = {"simulated": lambda d: document_printer_backends.create("simulated", output_dir=str(d))}


@pytest.fixture(params=sorted(RECEIPT_BACKENDS))
def receipt_printer(request, tmp_path):
    printer = RECEIPT_BACKENDS[request.param](tmp_path / "out")
    yield printer
    printer.close()


@pytest.fixture(params=sorted(DOCUMENT_BACKENDS))
def document_printer(request, tmp_path):
    printer = DOCUMENT_BACKENDS[request.param](tmp_path / "out")
    yield printer
    printer.close()


# -- receipt printer contract ------------------------------------------------------------------


def test_receipt_printer_lifecycle(receipt_printer, tmp_path):
    assert isinstance(receipt_printer, ReceiptPrinter)
    assert not (tmp_path / "out").exists(), "the constructor must not touch the disk"
    assert receipt_printer.status().state is DeviceState.OFFLINE
    assert receipt_printer.is_usable() is True
    with pytest.raises(DeviceNotOpen):
        receipt_printer.print_receipt(RECEIPT)
    receipt_printer.open()
    receipt_printer.open()
    assert receipt_printer.status().is_ready
    assert receipt_printer.info().family == "receipt_printer"
    receipt_printer.close()
    receipt_printer.close()
    assert receipt_printer.status().state is DeviceState.OFFLINE


@pytest.fixture(params=present_backends("receipt_printer"))
def any_receipt_printer(request, tmp_path):
    """Every receipt backend with a far end here (see tests/drivers/backend_rigs.py)."""
    yield from built_backend(request, "receipt_printer", tmp_path)


@pytest.fixture(params=present_backends("document_printer"))
def any_document_printer(request, tmp_path):
    """Every document backend with a far end here."""
    yield from built_backend(request, "document_printer", tmp_path)


def test_prints_a_receipt(any_receipt_printer):
    _, printer = any_receipt_printer
    printer.open()
    result = printer.print_receipt(RECEIPT)
    assert isinstance(result, PrintResult) and result.job_id and result.pages == 1


@pytest.mark.parametrize("kind", ["paper_out", "cover_open"])
def test_user_errors_are_reported_before_printing(receipt_printer, tmp_path, kind):
    receipt_printer.open()
    receipt_printer.script_fault(kind)
    status = receipt_printer.status()
    assert (status.state, status.action, status.detail) == (DeviceState.USER_ERROR, ErrorAction.CLEAR, kind)
    with pytest.raises(DeviceUserError) as info:
        receipt_printer.print_receipt(RECEIPT)
    assert info.value.action is ErrorAction.CLEAR
    assert list((tmp_path / "out").iterdir()) == [], "a failed job must leave nothing behind"
    assert receipt_printer.status().is_ready
    receipt_printer.print_receipt(RECEIPT)


def test_offline_fault(receipt_printer):
    receipt_printer.open()
    receipt_printer.script_fault("offline", count=2)
    assert receipt_printer.status().state is DeviceState.OFFLINE
    with pytest.raises(DeviceIOError):
        receipt_printer.print_receipt(RECEIPT)
    receipt_printer.clear_faults()
    receipt_printer.print_receipt(RECEIPT)


# -- the receipt simulator's files -------------------------------------------------------------


def test_simulator_writes_bin_png_txt(tmp_path):
    printer = SimulatedReceiptPrinter(str(tmp_path), paper_width_mm=58, text_mode="gb18030")
    printer.open()
    result = printer.print_receipt(RECEIPT)
    assert result.job_id.startswith("R-3301-07-20260514-0042")
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [f"{result.job_id}.{ext}" for ext in ("bin", "png", "txt")]
    assert result.output == str(tmp_path / f"{result.job_id}.bin")
    assert (tmp_path / f"{result.job_id}.bin").read_bytes().startswith(b"\x1b@")
    text = (tmp_path / f"{result.job_id}.txt").read_text("utf-8")
    assert "灵活就业人员参保登记" in text and "R-3301-07-20260514-0042" in text  # decoded from the bytes
    assert f"[QR] {RECEIPT.qr_data}" in text and text.endswith("[cut]\n")
    from PIL import Image

    with Image.open(tmp_path / f"{result.job_id}.png") as image:
        assert image.width == 384


def test_simulator_rejects_bad_options(tmp_path):
    with pytest.raises(ValueError, match="80 or 58"):
        SimulatedReceiptPrinter(str(tmp_path), paper_width_mm=112)
    with pytest.raises(ValueError, match="accepted options"):
        receipt_printer_backends.create("simulated")


def test_unwritable_output_dir_is_an_io_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    printer = SimulatedReceiptPrinter(str(blocker / "out"))
    with pytest.raises(DeviceIOError):
        printer.open()


# -- document printer contract -----------------------------------------------------------------


def test_document_printer_lifecycle(document_printer):
    assert isinstance(document_printer, DocumentPrinter)
    with pytest.raises(DeviceNotOpen):
        document_printer.print_document(PDF, "form")
    document_printer.open()
    assert document_printer.status().is_ready and document_printer.info().family == "document_printer"
    document_printer.close()
    assert document_printer.status().state is DeviceState.OFFLINE


def test_prints_a_pdf(document_printer, tmp_path):
    document_printer.open()
    result = document_printer.print_document(PDF, "居住证申领 form")
    assert result.pages == 2
    assert (tmp_path / "out" / f"{result.job_id}.pdf").read_bytes() == PDF


def test_refuses_what_is_not_a_pdf(any_document_printer):
    _, printer = any_document_printer
    printer.open()
    with pytest.raises(ValueError, match="not a PDF"):
        printer.print_document(b"<html>", "form")


def test_prints_a_pdf_and_says_how_many_pages(any_document_printer):
    _, printer = any_document_printer
    printer.open()
    result = printer.print_document(sample_pdf(), "form")
    assert isinstance(result, PrintResult) and result.job_id and result.pages == 1
    printer.discard(result.job_id)  # every document printer takes it, whether it keeps a copy or not


def test_document_printer_paper_out(document_printer, tmp_path):
    document_printer.open()
    document_printer.script_fault("paper_out")
    with pytest.raises(DeviceUserError):
        document_printer.print_document(PDF, "form")
    assert list((tmp_path / "out").iterdir()) == []


@given(st.binary(max_size=400))
def test_page_count_of_any_bytes_is_positive(data):
    assert count_pdf_pages(b"%PDF-" + data) >= 1


def test_paper_out_mid_job_prints_nothing_then_or_later(tmp_path):
    printer = SimulatedReceiptPrinter(str(tmp_path))
    printer.open()
    long_receipt = Receipt("回执", "R-9", [(f"第{i}项", "已提交") for i in range(40)])
    printer.script_fault("paper_out_mid_job")
    with pytest.raises(DeviceUserError, match="while printing"):
        printer.print_receipt(long_receipt)
    assert printer.device.purged_jobs == 1 and printer.device.printed == []
    assert list(tmp_path.iterdir()) == [] and printer.status().is_ready
    printer.print_receipt(RECEIPT)
    assert len(printer.device.printed) == 1


def test_paper_near_end_still_prints(tmp_path):
    printer = SimulatedReceiptPrinter(str(tmp_path))
    printer.open()
    printer.script_fault("paper_near_end")
    status = printer.status()
    assert status.state is DeviceState.ONLINE and status.detail == "paper_near_end"
    printer.print_receipt(RECEIPT)


def test_kioskctl_reprint_prints_a_remembered_receipt_without_the_name(tmp_path, capsys):
    import datetime as dt

    from kiosk.cli import main
    from kiosk.receipts import RecentReceipts, build_receipt

    receipt = build_receipt(service_title="居住证申领", receipt_number="110105-T01-20261126-0003",
                            accepted_at=dt.datetime(2026, 11, 26, 10, 32), hall_name="政务服务中心",
                            terminal_id="T01", applicant_name="陈静怡", processing_time="15个工作日",
                            collect="窗口领取", lookup_url="https://x.example/p?no={receipt_number}", hotline="12345")
    RecentReceipts(tmp_path / "receipts" / "recent.json").add(receipt, printed=False)
    assert "陈静怡" not in (tmp_path / "receipts" / "recent.json").read_text("utf-8")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path}"\n', "utf-8")
    assert main(["--config", str(config), "reprint", "--list"]) == 0
    assert "110105-T01-20261126-0003  NOT PRINTED" in capsys.readouterr().out
    assert main(["--config", str(config), "reprint"]) == 0
    (txt,) = (tmp_path / "printed" / "receipts").glob("110105-T01-20261126-0003_*.txt")
    assert "110105-T01-20261126-0003" in txt.read_text("utf-8")
    assert main(["--config", str(config), "reprint", "110105-T01-20261126-9999"]) == 1
