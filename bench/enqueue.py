"""Sealed durable enqueue: a 60 KB submission accepted by the kiosk's outbox writer.

Each sample is the whole acceptance path the citizen waits for, on the ``outbox-writer`` thread:
receipt sequence (one transaction), seal (fresh AES-256-GCM key wrapped to the platform's X25519
key, Ed25519 signature), insert of the envelope and its encrypted photo blob (one transaction,
``synchronous=FULL``: on disk when it returns). The baseline is a bare SQLite insert of the same
number of bytes with the same durability, in the same run.

    .venv/bin/python bench/enqueue.py [--count 500]

Last line: ``enqueue_p50_ms=<x> enqueue_p99_ms=<y>``. Budget (issue 3): p99 ≤ 25 ms.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from egov_protocol.keys import PlatformKeys as PlatformKeyFiles
from kiosk.enrollment import Enrollment, PlatformKeys
from kiosk.submission import Draft, SubmissionWriter

SIZE = 60 * 1024


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark; the last line prints the figure and its baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="submissions to enqueue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-enqueue-") as tmp:
        data = Path(tmp) / "terminal"
        data.mkdir()
        platform = PlatformKeyFiles.load_or_create(Path(tmp) / "platform")
        enrollment = Enrollment(data)
        enrollment.save_platform_keys(PlatformKeys(platform.x25519_public, platform.ed25519_public,
                                                   "http://127.0.0.1:9", "110105-T01"))
        writer = SubmissionWriter(data / "kiosk.db", enrollment, "110105", "T01", 64 * 1024 * 1024)
        writer.start().result()
        answers = {"address": "幸福路1号", "notes": "x" * 2000}
        samples = []
        try:
            for _n in range(args.count):
                draft = Draft("residence-permit", "residence-permit-application", 1, "zh-CN",
                              {"name": "测试", "id_number": "11010519491231002X"}, answers,
                              {"photo.jpg": os.urandom(SIZE - 3000)})
                start = time.perf_counter()
                writer.submit(draft).result()
                samples.append((time.perf_counter() - start) * 1000)
        finally:
            writer.stop()
        # Baseline: the same bytes, one durable SQLite insert each, nothing else.
        conn = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)")
        raw = []
        for _ in range(args.count):
            payload = os.urandom(SIZE)
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (data) VALUES (?)", (payload,))
            conn.execute("COMMIT")
            raw.append((time.perf_counter() - start) * 1000)
        conn.close()
    p50, p99 = statistics.median(samples), percentile(samples, 0.99)
    print(f"samples: {len(samples)} sealed 60 KB submissions (payload + encrypted photo blob)")
    print(f"sealed enqueue: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(samples):.2f} ms")
    print(f"baseline raw durable insert of 60 KB: p50 {statistics.median(raw):.2f} ms, "
          f"p99 {percentile(raw, 0.99):.2f} ms")
    print(f"budget: p99 <= 25 ms -> {'within' if p99 <= 25 else 'OVER'}")
    print(f"enqueue_p50_ms={p50:.2f} enqueue_p99_ms={p99:.2f}")


if __name__ == "__main__":
    main()
