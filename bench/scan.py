"""Document scanning speed on one core, and the size of a scanned page.

    .venv/bin/python bench/scan.py [--frames 60]

* ``scan_fps`` — frames per second of page detection (:func:`drivers.doccam.page.detect_page`)
  plus rectification to A4 at 150 dpi (:func:`drivers.doccam.page.rectify`) on 1600×1200 frames
  of the simulated document camera (a sheet sliding in, then lying still; clean, glare and blur
  looks), with ``cv2.setNumThreads(1)``. Budget (issue 17): ≥ 10 fps.
* ``page_kb`` — the largest compressed page (greyscale JPEG, the default) among the captured
  pages, in kilobytes of 1000 bytes. Budget: ≤ 300 KB.

Last line: ``scan_fps=<x> page_kb=<y> budget: scan_fps>=10 page_kb<=300``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2

from drivers.doccam import document_camera_backends
from drivers.doccam.encode import encode_page
from drivers.doccam.page import detect_page, rectify


def main() -> None:
    """Measure and print the figures (main thread)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames per look (clean, glare, blur)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    frames = []
    for variant in ("clean", "glare", "blur"):
        camera = document_camera_backends.create("simulated", fps=10_000, width=1600, height=1200,
                                                 variants=[variant], move_frames=8, hold_frames=args.frames)
        camera.open()
        frames += [camera.read_frame().pixels for _ in range(args.frames)]
        camera.close()
    detect_page(frames[0])  # warm-up
    elapsed = 0.0
    pages = []
    for pixels in frames:
        started = time.perf_counter()
        found = detect_page(pixels)
        page = rectify(pixels, found.quad) if found is not None else None
        elapsed += time.perf_counter() - started
        if page is not None and found is not None and not found.touches_edge:
            pages.append(page)
    sizes = [len(encode_page(page)) for page in pages[:: max(1, len(pages) // 12)]]
    scan_fps = len(frames) / elapsed
    page_kb = max(sizes) / 1000
    print(f"{len(frames)} frames of 1600×1200, {len(pages)} whole pages rectified; page sizes "
          f"{min(sizes) / 1000:.0f}–{page_kb:.0f} KB (greyscale JPEG, 1240×1754)")
    print(f"scan_fps={scan_fps:.1f} page_kb={page_kb:.0f} budget: scan_fps>=10 page_kb<=300")


if __name__ == "__main__":
    main()
