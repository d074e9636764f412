"""Documents the platform issues: signed PDFs that a third-party validator (poppler's
``pdfsig``, over NSS) accepts against the demo CA, and refuses once tampered with; supersession,
revocation, lookup by the holder's ID number."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from central.at_rest import AtRestKeys
from central.certificate_facts import (
    ACCEPTANCE_RECEIPT,
    INSURANCE_CERTIFICATE,
    CaseFacts,
    mask_id_number,
    mask_name,
)
from central.certificates import REVOKED, SUPERSEDED, VALID, CertificateOffice, NotIssuable
from central.seal import CHAIN_FILE, KEY_FILE, make_demo_seal
from tests.central.platform_db import platform_db

ID_NUMBER = "110101199003071234"
FACTS = CaseFacts(
    service_id="flexible_employment_insurance", receipt_number="S01-T01-20261201-0007",
    applicant_name="张伟", id_number=ID_NUMBER,
    received_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    completed_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC), submission_id="sub-0007",
    hall="示范市政务服务大厅 1号自助终端",
    result={"employment_type": "platform", "insurance_types": ["pension", "medical"],
            "contribution_level": "60", "start_date": "2027-01-01"})


@pytest.fixture(scope="module")
def seal_folder(tmp_path_factory):
    return make_demo_seal(tmp_path_factory.mktemp("seal") / "seal")


@pytest.fixture
def office(tmp_path, seal_folder):
    db = platform_db(tmp_path / "central")
    yield CertificateOffice(db, seal_folder, AtRestKeys.load_or_create(tmp_path / "keys"),
                            "https://gov.example")
    db.close()


@pytest.fixture
def office_on_postgres(tmp_path, seal_folder, fresh_postgres):
    db = platform_db(tmp_path / "central", fresh_postgres)
    yield CertificateOffice(db, seal_folder, AtRestKeys.load_or_create(tmp_path / "keys"),
                            "https://gov.example")
    db.close()


@pytest.fixture(scope="module")
def nss_db(tmp_path_factory, seal_folder):
    """An NSS database trusting the demo CA, as a relying party would configure it."""
    if shutil.which("certutil") is None or shutil.which("pdfsig") is None:
        pytest.fail("pdfsig and certutil are needed: tools/setup-system.sh dev")
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "egov demo CA",
                    "-t", "CT,C,C", "-i", str(seal_folder / CHAIN_FILE)], check=True)
    return folder


def pdfsig(nss_db, path) -> str:
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)],
                          capture_output=True, text=True).stdout


def test_seal_key_files_are_private(seal_folder):
    assert (seal_folder / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert seal_folder.stat().st_mode & 0o777 == 0o700


def test_certificate_signature_validates_with_pdfsig_and_tampering_breaks_it(
        office, nss_db, tmp_path):
    issued = office.issue_certificate(FACTS)
    signed = tmp_path / "certificate.pdf"
    signed.write_bytes(issued.pdf)
    report = pdfsig(nss_db, signed)
    assert "Signature is Valid" in report, report
    assert "Certificate is Trusted" in report, report
    assert "ETSI.CAdES.detached" in report and "Total document signed" in report, report

    text = subprocess.run(["pdftotext", str(signed), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")  # wrapped lines
    for printed in ("灵活就业人员参保证明", "张伟", ID_NUMBER, FACTS.receipt_number,
                    issued.document_id, "特此证明"):
        assert printed in text

    # One changed byte inside the signed range (the document information dictionary).
    tampered_bytes = bytearray(issued.pdf)
    at = tampered_bytes.find(b"/Title")
    assert at > 0
    tampered_bytes[at + 1:at + 6] = b"Titlf"
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(tampered_bytes))
    report = pdfsig(nss_db, tampered)
    assert "Signature is Valid" not in report, report


def test_a_pdf_signed_by_another_ca_is_not_trusted(office, nss_db, tmp_path):
    make_demo_seal(tmp_path / "other-seal")
    other = CertificateOffice(office.db, tmp_path / "other-seal", office.keys, office.public_url)
    path = tmp_path / "other.pdf"
    path.write_bytes(other.issue_acceptance_receipt(FACTS).pdf)
    report = pdfsig(nss_db, path)
    assert "Signature is Valid" in report and "Certificate is Trusted" not in report, report


def test_the_pdf_renders_as_an_a4_page(office, tmp_path):
    path = tmp_path / "receipt.pdf"
    path.write_bytes(office.issue_acceptance_receipt(FACTS).pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)
    from PIL import Image

    with Image.open(tmp_path / "page.png") as page:
        width, height = page.size
    assert abs(height / width - 297 / 210) < 0.01


@pytest.mark.parametrize("where", ["office", "office_on_postgres"])
def test_verification_tells_genuine_superseded_and_revoked(where, request):
    office = request.getfixturevalue(where)
    first = office.issue_acceptance_receipt(FACTS)
    document_id, token = first.verify_url.rsplit("/", 1)[1].split("?t=")
    assert document_id == first.document_id
    seen = office.verification(document_id, token)
    assert seen.genuine_and_current and seen.kind == ACCEPTANCE_RECEIPT
    assert seen.pdf_sha256 == first.pdf_sha256
    assert ID_NUMBER not in seen.statement and mask_id_number(ID_NUMBER) in seen.statement
    assert "张伟" not in seen.statement and mask_name("张伟") in seen.statement
    # One character off (a token may itself end in "A": then "B").
    assert office.verification(document_id, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert office.verification("unknown", token) is None

    second = office.issue_acceptance_receipt(FACTS)
    seen = office.verification(document_id, token)
    assert seen.status == SUPERSEDED and seen.superseded_by == second.document_id
    _, second_token = second.verify_url.split("?t=")
    assert office.verification(second.document_id, second_token).status == VALID

    assert office.revoke(second.document_id, "issued in error")
    seen = office.verification(second.document_id, second_token)
    assert seen.status == REVOKED and seen.status_reason == "issued in error"
    assert not office.revoke(second.document_id, "again")


@pytest.mark.parametrize("where", ["office", "office_on_postgres"])
def test_holder_finds_their_documents_by_id_number_only(where, request):
    office = request.getfixturevalue(where)
    receipt = office.issue_acceptance_receipt(FACTS)
    certificate = office.issue_certificate(FACTS)
    mine = office.documents_of(office.keys.person_hash(ID_NUMBER.lower().replace("4", "4 ")))
    assert [d["document_id"] for d in mine] and {d["kind"] for d in mine} == {
        ACCEPTANCE_RECEIPT, INSURANCE_CERTIFICATE}
    someone_else = office.keys.person_hash("110101199003071235")
    assert office.documents_of(someone_else) == []
    assert office.pdf(certificate.document_id, office.keys.person_hash(ID_NUMBER)) == \
        certificate.pdf
    assert office.pdf(receipt.document_id, someone_else) is None


def test_only_a_completed_insurance_case_yields_a_certificate(office):
    from dataclasses import replace

    with pytest.raises(NotIssuable):
        office.issue_certificate(replace(FACTS, service_id="residence_permit"))
    with pytest.raises(NotIssuable):
        office.issue_certificate(replace(FACTS, completed_at=None))


def test_nothing_personal_is_stored_readable(office):
    office.issue_certificate(FACTS)
    with office.db.transaction(write=False) as tx:
        rows = tx.exec_driver_sql("SELECT * FROM issued_documents").all()
    dump = repr(rows).encode()
    assert ID_NUMBER.encode() not in dump
    assert "张伟".encode() not in repr(rows).encode("unicode_escape") and "张伟" not in repr(rows)


def test_plain_data_is_taken_as_the_facts(office):
    from dataclasses import asdict

    data = {**asdict(FACTS), "received_at": FACTS.received_at.isoformat(),
            "completed_at": FACTS.completed_at.isoformat(), "unrelated": 1}
    issued = office.issue_certificate(data)
    assert issued.kind == INSURANCE_CERTIFICATE and issued.receipt_number == FACTS.receipt_number
    with pytest.raises(KeyError):
        CaseFacts.from_mapping({"service_id": "x"})


def test_characters_new_to_the_working_fonts_are_embedded_and_unknown_ones_do_not_hang(
        office, tmp_path):
    from dataclasses import replace

    from central import certificate_fonts

    office.issue_acceptance_receipt(FACTS)  # the working fonts know this document's characters
    rare = replace(FACTS, applicant_name="王喆堃", hall="示范市政务服务大厅 玥珺窗口")
    path = tmp_path / "rare.pdf"
    path.write_bytes(office.issue_acceptance_receipt(rare).pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    assert "王喆堃" in text and "玥珺窗口" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert fonts.count("yes yes") >= 2  # embedded subsets, as before
    # A character no face has (private use) is missing, as it would be with the full face.
    unknown = replace(FACTS, applicant_name="张\ue000伟")
    assert office.issue_acceptance_receipt(unknown).pdf.startswith(b"%PDF")
    # Past its bound, a working font starts again from what the document needs.
    before = certificate_fonts.MAX_CHARS
    certificate_fonts.MAX_CHARS = 1
    try:
        path.write_bytes(office.issue_acceptance_receipt(rare).pdf)
    finally:
        certificate_fonts.MAX_CHARS = before
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    assert "王喆堃" in text and "受理凭证" in text


def test_working_fonts_of_a_process_killed_by_a_signal_are_removed_by_the_next(tmp_path):
    import os
    import sys
    import tempfile
    from pathlib import Path

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    stale = Path(tempfile.gettempdir()) / f"egov-fonts-{ended.stdout.strip()}-left"
    stale.mkdir()
    (stale / "working-1.otf").write_bytes(b"left behind")
    script = ("from datetime import UTC, datetime\n"
              "from central.certificate_pdf import RENDERERS\n"
              "from tests.central.test_certificates import FACTS\n"
              "RENDERERS['flexible_employment_insurance_certificate'](FACTS, 'D', 'https://x/v',"
              " 'org', datetime.now(UTC))\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[2],
                   env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert not stale.exists()
