"""The CUPS backends against a real cupsd (Debian cups-daemon) started by this fixture in a
private config/spool folder on a free port: A4 through cups-pdf (output lands as a PDF) and
ESC/POS receipts through a raw queue whose device is a file."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from drivers.common import DeviceNotFound, DeviceState, DeviceUserError
from drivers.printer import (
    Receipt,
    document_printer_backends,
    receipt_printer_backends,
)
from tests.drivers.far_ends import sample_pdf


def test_a4_through_cups_pdf_lands_as_a_pdf(cupsd, tmp_path):
    printer = document_printer_backends.create("cups", queue="A4", server=cupsd.server, job_timeout_s=60)
    printer.open()
    assert printer.status().is_ready
    result = printer.print_document(sample_pdf(), "form-110105-T01")
    output = cupsd.printed(result.job_id)
    try:
        assert output.read_bytes().startswith(b"%PDF-")
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(output), str(tmp_path / "page")], check=True)
        assert list(tmp_path.glob("page*.png"))
    finally:
        output.unlink()
    printer.close()


def test_disabled_queue_refuses_and_unknown_queue_is_not_found(cupsd):
    subprocess.run(["cupsdisable", "-h", cupsd.server, "A4"], check=True)
    try:
        printer = document_printer_backends.create("cups", queue="A4", server=cupsd.server)
        printer.open()
        assert printer.status().state is DeviceState.OFFLINE
        with pytest.raises(DeviceUserError):
            printer.print_document(sample_pdf(), "form")
    finally:
        subprocess.run(["cupsenable", "-h", cupsd.server, "A4"], check=True)
    with pytest.raises(DeviceNotFound):
        document_printer_backends.create("cups", queue="NOPE", server=cupsd.server).open()


def test_receipt_through_a_raw_queue(cupsd):
    printer = receipt_printer_backends.create("cups", queue="RECEIPT", server=cupsd.server)
    printer.open()
    receipt = Receipt("受理回执", "110105-T01-20261126-0009", [("办理事项", "居住证申领")],
                      qr_data="https://zwfw.example.gov.cn/progress?no=110105-T01-20261126-0009")
    printer.print_receipt(receipt)
    deadline = time.monotonic() + 10
    while not cupsd.loopback.device.printed and time.monotonic() < deadline:
        time.sleep(0.05)
    job = cupsd.loopback.device.printed[-1].decoded
    assert job.cut and job.qr_codes == [receipt.qr_data] and job.images
    printer.close()


def _spooled(cupsd, job: str) -> list[str]:
    """What CUPS' spool holds of ``job``: its document (d<n>-001) and control (c<n>) files."""
    number = int(job.rsplit("-", 1)[-1])
    return sorted(p.name for p in (cupsd.root / "spool").iterdir()
                  if p.name.startswith((f"d{number:05d}-", f"c{number:05d}")))


def test_no_document_of_a_finished_job_stays_in_the_spool(cupsd):
    # CUPS' default keeps a completed job's document a day (PreserveJobFiles); an A4 form carries
    # every answer, a receipt the masked name. This cupsd runs with that default.
    a4 = document_printer_backends.create("cups", queue="A4", server=cupsd.server, job_timeout_s=60)
    a4.open()
    result = a4.print_document(sample_pdf(), "form-110105-T01-20261126-0010")
    cupsd.printed(result.job_id).unlink()  # the virtual printer's paper
    assert _spooled(cupsd, result.job_id) == []
    completed = subprocess.run(["lpstat", "-h", cupsd.server, "-W", "completed", "-o", "A4"],
                               capture_output=True, text=True, check=True).stdout
    assert result.job_id not in completed.split()
    a4.close()

    receipts = receipt_printer_backends.create("cups", queue="RECEIPT", server=cupsd.server)
    receipts.open()
    receipts.print_receipt(Receipt("受理回执", "110105-T01-20261126-0010", [("申请人", "李**")]))
    jobs = [name for name in os.listdir(cupsd.root / "spool") if name.startswith("d")]
    assert jobs == []
    receipts.close()


def test_a_job_waiting_on_the_queue_is_never_purged_with_the_finished_ones(cupsd):
    subprocess.run(["cupsdisable", "-h", cupsd.server, "A4"], check=True)
    try:
        waiting = subprocess.run(["lp", "-h", cupsd.server, "-d", "A4", "-t", "staff-copy", "-"],
                                 input=sample_pdf(), capture_output=True, check=True).stdout.decode().split()[3]
        from drivers.printer.cups import CupsQueue

        assert CupsQueue("A4", cupsd.server).purge_finished() is False
        listing = subprocess.run(["lpstat", "-h", cupsd.server, "-W", "not-completed", "-o", "A4"],
                                 capture_output=True, text=True, check=True).stdout
        assert waiting in listing.split()
    finally:
        subprocess.run(["cancel", "-h", cupsd.server, "-a", "-x", "A4"], check=True)
        subprocess.run(["cupsenable", "-h", cupsd.server, "A4"], check=True)
