"""Regenerate the images in this folder: `.venv/bin/python docs/printing/generate.py`.

The receipts are ESC/POS bytes built the way the kiosk builds them, decoded back by the printer
emulator (what would come out of the printer); the A4 form is ui/pdf.py's PDF rendered by pdftoppm.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from drivers.printer.decode import decode_job  # noqa: E402 - after the repository is put on sys.path
from drivers.printer.simulated.escpos_device import preview_image  # noqa: E402 - after the repository is put on sys.path
from drivers.printer.escpos_bytes import receipt_escpos_bytes  # noqa: E402 - after the repository is put on sys.path
from kiosk.receipts import build_receipt  # noqa: E402 - after the repository is put on sys.path


def main() -> None:
    """Write receipt_80mm.png, receipt_58mm.png, receipt_80mm_gb18030.png and form_a4.png."""
    receipt = build_receipt(
        service_title="居住证申领", receipt_number="110105-T01-20261126-0042",
        accepted_at=dt.datetime(2026, 11, 26, 10, 32), hall_name="朝阳区政务服务中心", terminal_id="T01",
        applicant_name="陈静怡", processing_time="15个工作日", collect="请于15个工作日后凭本回执到窗口领取居住证。",
        lookup_url="https://zwfw.example.gov.cn/progress/{receipt_number}?t={token}", hotline="12345",
        progress_token="VA4EfM6GnflOEDQtU4sdYw")  # an example; the terminal makes one per submission
    for name, width, mode in (("receipt_80mm", 576, "raster"), ("receipt_58mm", 384, "raster"),
                              ("receipt_80mm_gb18030", 576, "gb18030")):
        job = decode_job(receipt_escpos_bytes(receipt, width, text_mode=mode))
        preview_image(job, width).save(HERE / f"{name}.png", optimize=True)

    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([])  # noqa: F841 - the font database needs an application
    from ui.pdf import render_form_pdf

    printable = {"title": "居住证申领表", "sections": [
        {"title": "申请人信息", "rows": [
            {"id": "name", "label": "姓名", "text": "陈静怡"},
            {"id": "id_number", "label": "公民身份号码", "text": "110105199003071234"},
            {"id": "address", "label": "居住地址", "text": "北京市朝阳区建国路88号3号楼2单元501室"},
            {"id": "since", "label": "居住起始日期", "text": "2023-05-01"}]},
        {"title": "申领信息", "rows": [
            {"id": "basis", "label": "申领依据", "text": "合法稳定就业"},
            {"id": "employer", "label": "工作单位", "text": "北京某某科技有限公司"},
            {"id": "phone", "label": "联系电话", "text": "13800138000"},
            {"id": "collect", "label": "领取方式", "text": "窗口领取"}]}]}
    meta = {"receipt_number": "110105-T01-20261126-0042", "accepted_at": "2026-11-26 10:32",
            "hall": "朝阳区政务服务中心", "language": "zh-CN"}
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "form.pdf"
        pdf.write_bytes(render_form_pdf(printable, meta))
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(pdf), str(HERE / "form_a4")], check=True)


if __name__ == "__main__":
    main()
