"""Receipt printing: bytes and time to produce a receipt, beside its wire time on serial and USB.

Produces the standard receipt (80 mm, CJK text as a raster image, native QR, cut) the way the
kiosk does, and times rendering + ESC/POS encoding (median of several runs). Wire times are the
bytes at the link's rate: serial 8N1 (10 bits a byte) at 115200 and 9600 baud, USB full speed at
its practical bulk rate (~1 MB/s). Also measured: one real job over TCP to the loopback printer.
Baseline: python-escpos' defaults (QR drawn as an image) and GB18030 text mode.

    .venv/bin/python bench/print.py [--runs 15]

Last line: ``receipt_bytes=<n> render_ms=<x> wire_ms_115200=<y>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.printer import SimulatedNetworkPrinter, receipt_printer_backends
from drivers.printer.escpos_bytes import receipt_escpos_bytes
from kiosk.receipts import build_receipt

USB_BYTES_PER_S = 1_000_000


def serial_ms(size: int, baud: int) -> float:
    """Milliseconds to send ``size`` bytes over 8N1 serial at ``baud``."""
    return size * 10 / baud * 1000


def main() -> None:
    """Run the benchmark and print its figures; the last line is the issue's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    receipt = build_receipt(
        service_title="居住证申领", receipt_number="110105-T01-20261126-0042",
        accepted_at=dt.datetime(2026, 11, 26, 10, 32), hall_name="朝阳区政务服务中心", terminal_id="T01",
        applicant_name="陈静怡", processing_time="15个工作日", collect="凭回执到窗口领取居住证。",
        lookup_url="https://zwfw.example.gov.cn/progress?no={receipt_number}", hotline="12345")
    receipt_escpos_bytes(receipt, 576)  # warm-up: fonts, python-escpos import
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        data = receipt_escpos_bytes(receipt, 576)
        times.append((time.perf_counter() - started) * 1000)
    render_ms = statistics.median(times)
    size = len(data)
    baseline_image_qr = len(receipt_escpos_bytes(receipt, 576, native_qr=False))
    text_mode = len(receipt_escpos_bytes(receipt, 576, text_mode="gb18030"))
    small = len(receipt_escpos_bytes(receipt, 384))

    loopback = SimulatedNetworkPrinter().start()
    try:
        host, port = loopback.address
        printer = receipt_printer_backends.create("network", host=host, port=port)
        printer.open()
        started = time.perf_counter()
        printer.print_receipt(receipt)
        network_ms = (time.perf_counter() - started) * 1000
        printer.close()
    finally:
        loopback.stop()

    print(f"receipt 80 mm raster + native QR: {size} bytes; render+encode median {render_ms:.1f} ms ({args.runs} runs)")
    print(f"  wire: serial 115200 {serial_ms(size, 115200):.0f} ms, serial 9600 {serial_ms(size, 9600):.0f} ms, "
          f"USB full speed ~{size / USB_BYTES_PER_S * 1000:.0f} ms")
    print(f"  58 mm: {small} bytes; GB18030 text mode: {text_mode} bytes "
          f"({serial_ms(text_mode, 115200):.0f} ms at 115200)")
    print(f"baseline: QR as an image (python-escpos default): {baseline_image_qr} bytes "
          f"(+{baseline_image_qr - size} bytes, +{serial_ms(baseline_image_qr - size, 115200):.0f} ms at 115200)")
    print(f"one job over TCP to the loopback printer (status checks included): {network_ms:.0f} ms")
    print(f"receipt_bytes={size} render_ms={render_ms:.1f} wire_ms_115200={serial_ms(size, 115200):.0f}")


if __name__ == "__main__":
    main()
