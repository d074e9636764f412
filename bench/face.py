"""Face pipeline speed on one core: detection + quality per 640×480 frame, and capture-to-photo.

    .venv/bin/python bench/face.py [--frames 200]

* ``face_fps`` — frames per second of :meth:`FaceAnalyzer.analyze` (YuNet on a 320-wide copy,
  the landmark pass on the face crop, every quality figure) on the simulated camera's frames,
  with ``cv2.setNumThreads(1)``. Budget (issue 5): ≥ 30 fps, the camera's rate.
* ``capture_ms`` — median time from the frame on which the photo is due to the finished GA 461
  JPEG (analysis of that frame, crop from the full frame, encoding), as the kiosk does it.
* Baseline: YuNet alone on the full 640×480 frame, one pass (what a naive pipeline costs).

Last line: ``face_fps=<x> capture_ms=<y>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2

from drivers.camera import SimulatedCamera
from drivers.face.analysis import FaceAnalyzer
from drivers.face.detect import FaceDetector
from kiosk.config import KioskConfig
from kiosk.face import FaceStep


def main() -> None:
    """Run the benchmark; the last line prints the figure and its baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    cv2.setNumThreads(1)

    camera = SimulatedCamera(fps=10_000, approach_s=0)
    camera.open()
    frames = [camera.read_frame() for _ in range(32)]

    analyzer = FaceAnalyzer()
    for frame in frames[:5]:
        analyzer.analyze(frame)  # warm-up: first inferences allocate
    times = []
    codes: dict[str, int] = {}
    for i in range(args.frames):
        frame = frames[i % len(frames)]
        started = time.perf_counter()
        result = analyzer.analyze(frame)
        times.append(time.perf_counter() - started)
        codes[result.code] = codes.get(result.code, 0) + 1
    per_frame = statistics.median(times)

    baseline = FaceDetector(detect_width=640, refine=False)
    base_times = []
    for i in range(60):
        started = time.perf_counter()
        baseline.detect(frames[i % len(frames)].pixels)
        base_times.append(time.perf_counter() - started)

    step = FaceStep(KioskConfig().face)
    capture_times = []
    try:
        for i in range(25):
            step.on_frame(frames[i % len(frames)], i / 15)
            step.request_capture()
            frame = frames[(i + 1) % len(frames)]
            started = time.perf_counter()
            outcome = step.on_frame(frame, (i + 1) / 15)
            capture_times.append(time.perf_counter() - started)
            assert outcome.photo is not None
            step.reset()
    finally:
        step.shutdown()
        camera.close()
    capture_ms = statistics.median(capture_times) * 1000

    face_fps = 1 / per_frame
    print(f"OpenCV {cv2.__version__}, threads={cv2.getNumThreads()}, frames={args.frames} of 640×480")
    p95 = sorted(times)[int(len(times) * 0.95)]
    print(f"analysis per frame: median {per_frame * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms; codes {codes}")
    print(f"baseline: YuNet alone on the full 640×480 frame: median {statistics.median(base_times) * 1000:.2f} ms")
    print(f"capture to JPEG: median {capture_ms:.1f} ms")
    print(f"budget: face_fps ≥ 30 — {'within' if face_fps >= 30 else 'OVER'} budget")
    print(f"face_fps={face_fps:.1f} capture_ms={capture_ms:.1f}")


if __name__ == "__main__":
    main()
