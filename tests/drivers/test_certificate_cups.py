"""A certificate through the real A4 path: the signed PDF the platform issued goes to a real
cupsd's cups-pdf queue as the kiosk's certificate step sends it, lands as a page whose QR code
(read from the printed page) still leads to the document's verification, and leaves nothing of
the citizen in CUPS' spool. (cups-pdf prints, so the paper carries no signature: the printed
copy is checked through its QR code, as a person checks it.)"""

from __future__ import annotations

import subprocess

import cv2
import pytest
import zxingcpp

from central.at_rest import AtRestKeys
from central.certificates import CertificateOffice
from central.seal import make_demo_seal
from drivers.printer import document_printer_backends
from tests.central.platform_db import platform_db
from tests.central.test_certificates import FACTS
from tests.drivers.test_printer_cups import _spooled


@pytest.fixture
def certificate(tmp_path) -> tuple[bytes, str]:
    db = platform_db(tmp_path / "central")
    try:
        office = CertificateOffice(db, make_demo_seal(tmp_path / "seal"),
                                   AtRestKeys.load_or_create(tmp_path / "keys"), "https://gov.example")
        issued = office.issue_certificate(FACTS)
        return issued.pdf, issued.verify_url
    finally:
        db.close()


def test_a_signed_certificate_prints_on_a4_through_cups(cupsd, certificate, tmp_path):
    printer = document_printer_backends.create("cups", queue="A4", server=cupsd.server, job_timeout_s=60)
    pdf, verify_url = certificate
    printer.open()
    try:
        result = printer.print_document(pdf, "certificate-insurance_certificate")
        output = cupsd.printed(result.job_id)
        try:
            subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(output),
                            str(tmp_path / "page")], check=True)
            page = cv2.imread(str(tmp_path / "page.png"), cv2.IMREAD_GRAYSCALE)
            assert page.shape[0] > page.shape[1]  # A4 portrait
            # zxing-cpp, the decoder the terminal's scanners use: OpenCV's own detector misses
            # some codes at this resolution, depending on what they encode.
            found = [code.text for code in zxingcpp.read_barcodes(page)]
            assert verify_url in found
        finally:
            output.unlink()  # the virtual printer's paper
        assert _spooled(cupsd, result.job_id) == []
        printer.discard(result.job_id)  # what the step does at the wipe: nothing left to fail on
    finally:
        printer.close()
