"""A4 forms as PDF (ui/pdf.py): text through pdftotext, fonts embedded, pages through pdftoppm;
and the print step of the journey through the real QML: A4 form handed down as bytes, the
receipt fallback (QR code on screen, staff alerted) when the receipt printer cannot print."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from ui.pdf import render_form_pdf

PRINTABLE = {
    "title": "居住证申领表",
    "sections": [
        {"title": "申请人信息", "rows": [{"id": "name", "label": "姓名", "text": "陈静怡"},
                                     {"id": "address", "label": "居住地址", "text": "北京市朝阳区建国路88号3号楼"}]},
        {"title": "申请事项", "rows": [{"id": "basis", "label": "申领依据", "text": "合法稳定就业"}]},
    ],
}
META = {"receipt_number": "110105-T01-20261126-0042", "accepted_at": "2026-11-26 10:32",
        "hall": "朝阳区政务服务中心", "language": "zh-CN"}


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)  # CJK radicals (⼼) come back as the ideographs (心)


@pytest.fixture
def form_pdf(qapp, tmp_path) -> Path:
    path = tmp_path / "form.pdf"
    path.write_bytes(render_form_pdf(PRINTABLE, META))
    return path


def test_form_pdf_text_and_fonts(form_pdf):
    assert form_pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(form_pdf)
    for expected in ("居住证申领表", "申请人信息", "陈静怡", "北京市朝阳区建国路88号3号楼", "合法稳定就业",
                     "110105-T01-20261126-0042", "朝阳区政务服务中心"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(form_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" in row[-5:-3] for row in rows), fonts  # every font embedded


def test_form_pdf_lists_the_scanned_materials(qapp, tmp_path):
    path = tmp_path / "form.pdf"
    attachments = [{"name": "经营场所使用证明", "pages": 2}, {"name": "出租方房屋产权证明", "pages": 0}]
    path.write_bytes(render_form_pdf(PRINTABLE, {**META, "attachments": attachments}))
    text = pdf_text(path)
    assert "随附材料" in text and "本机扫描" in text and "经营场所使用证明" in text
    assert "出租方房屋产权证明" in text and "未提交" in text


def test_form_pdf_renders_as_one_a4_page(form_pdf, tmp_path):
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(form_pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    with Image.open(pages[0]) as page:
        assert abs(page.height / page.width - 297 / 210) < 0.02
        assert page.convert("L").getextrema()[0] < 100  # something is printed on it


def test_long_forms_flow_onto_more_pages(qapp, tmp_path):
    many = {"title": "表", "sections": [{"title": f"第{i}部分", "rows": [
        {"id": f"f{i}{j}", "label": f"项目{j}", "text": "内容" * 20} for j in range(10)]} for i in range(8)]}
    path = tmp_path / "long.pdf"
    path.write_bytes(render_form_pdf(many, META))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]) >= 2


def test_rendering_leaves_no_writer_alive(qapp):
    # PySide gives a QPdfWriter built on a device to C++; unless deleted explicitly, every form
    # printed kept its writer and PDF engine for the life of the kiosk.
    import gc

    from PySide6.QtGui import QPdfWriter, QTextDocument

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, (QPdfWriter, QTextDocument)) for o in gc.get_objects())

    before = alive()
    for _ in range(3):
        render_form_pdf(PRINTABLE, META)
    assert alive() == before


@pytest.mark.e2e
def test_printer_fallback_and_a4_copy_through_the_real_screens(make_kiosk, kiosk_config):
    kiosk = make_kiosk(kiosk_config)
    core = kiosk.core
    events: list = []
    core.events.subscribe(events.append)
    kiosk.wait_until(lambda: core.devices is not None)
    core.devices["receipt_printer"].driver.script_fault("paper_out")
    core.choose_service("residence_permit")
    kiosk.wait_for_screen("notice")
    core.accept_notice()
    kiosk.wait_for_screen("identify")
    core.present_demo_document("resident_id")
    kiosk.wait_for_screen("face")
    kiosk.wait_until(lambda: core.latest_frame() is not None)
    core.capture_photo()
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    core.accept_photo()
    kiosk.wait_for_screen("form")
    for field, value in {"residence_address": "北京市朝阳区建国路88号", "residence_since": "2023-05-01",
                         "basis": "employment", "employer": "北京某某科技有限公司", "phone": "13800138000",
                         "collection_method": "pickup", "declaration": True}.items():
        core.set_field_value(field, value)
    core.complete_form()
    kiosk.wait_for_screen("review")
    core.confirm_submission(True)
    kiosk.wait_for_screen("done", timeout_ms=30_000)

    state = kiosk.state
    assert state["printed"] is False and state["receipt_number"]
    url = state["receipt_fallback"]["url"]  # the progress page, with the case's token
    assert f"/progress/{state['receipt_number']}?t=" in url
    assert kiosk.get("receiptFallback").isVisible() and kiosk.get("receiptQrCanvas").isVisible()
    assert any(e.name == "staff_called" and e.data.get("reason") == "receipt_printer" for e in events)
    kiosk.screenshot("print_fallback_done")

    # The A4 form was rendered by ui/pdf.py and handed down as bytes: the simulator kept the PDF.
    documents = kiosk.config.storage.resolved_data_dir() / "printed" / "documents"
    kiosk.wait_until(lambda: list(documents.glob("*.pdf")))
    (pdf,) = documents.glob("*.pdf")
    assert state["receipt_number"] in pdf_text(pdf)
    kiosk.wait_until(lambda: "form_pdf" in core._runtime.journey.session.extras)

    # Staff can reprint it later: the receipt is remembered without the applicant's name.
    from kiosk.receipts import RecentReceipts

    recent = RecentReceipts(kiosk.config.storage.resolved_data_dir() / "receipts" / "recent.json")
    reprint = recent.receipt(state["receipt_number"])
    assert reprint is not None and all(label != "申请人" for label, _ in reprint.lines)

    # Finish: the citizen's copy of the form is deleted with the session.
    kiosk.tap("finishButton")
    kiosk.wait_for_screen("attract")
    kiosk.wait_until(lambda: not list(documents.glob("*.pdf")))
