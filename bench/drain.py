"""Drain: queued 60 KB sealed submissions delivered to ``kiosk-central`` on loopback.

The terminal side is the real ``SyncWorker`` as the kiosk runs it (signed requests, binary
batches of 100 -- the platform's maximum -- with blobs inline, two batches in flight, leases and
acks written by the worker's own connection); the platform is a real ``kiosk-central`` with two
worker processes, as deployed (request signature and nonce, digests, envelope signature, payload
ids, blobs to a segment file with one fdatasync per batch, rows in one fsync'd transaction, dedup
by unique constraint). The baseline, in the same run, is a raw httpx upload of the same bytes,
one PUT per submission on a keep-alive connection, to a bare uvicorn app that reads the body and
answers 200; it runs in two halves, just before and just after the drain.

    .venv/bin/python bench/drain.py [--count 10000] [--workers 2] [--pipeline 2]

Last line: ``drain_per_s=<x> raw_per_s=<y> ratio=<r> peak_rss_mb=<m>``.
Budget (issue 3): ratio ≥ 0.8, memory flat (peak RSS of this process, the terminal side, shown
per quarter of the drain).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from central.store import open_platform_store
from egov_protocol.envelope import seal_detached
from egov_protocol.keys import TerminalKeys
from offline_cache import Outbox, SealedSubmission, Store
from sync.client import CentralClient, SyncWorker
from sync.local_central import LocalCentral, free_port

SINK = r"""
import sys, uvicorn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def rss_mb() -> float:
    """This process's resident memory in MiB (from /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int | None = None) -> float:
    """User + system CPU seconds of this process (all threads), or of ``pid`` and its children
    (the platform's uvicorn worker processes)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        kids = [int(child) for child in children.read().split()]
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(map(cpu_s, kids))


def queue(path: Path, count: int, x25519: bytes, keys: TerminalKeys) -> int:
    """Seal and queue ``count`` 60 KB submissions; returns the bytes of one (envelope + blob)."""
    size = 0
    with Store(path) as store:
        outbox = Outbox(store)
        for n in range(count):
            payload = (b'{"submission_id":"sub-%06d","receipt_number":"B-%06d",'
                       b'"service_id":"residence-permit","answers":"' % (n, n)
                       + b"x" * 2000 + b'"}')
            envelope, blobs = seal_detached(payload, {"photo.jpg": os.urandom(58 * 1024)},
                                            x25519, keys.signing_key, keys.key_id)
            outbox.add(SealedSubmission.create(
                id=f"sub-{n:06d}", receipt_number=f"B-{n:06d}", service_id="residence-permit",
                form_id="f", form_version="1", sealed=envelope), blobs)
            size = len(envelope) + sum(map(len, blobs.values()))
    return size


def raw_upload(count: int, size: int) -> float:
    """Seconds taken to PUT ``count`` bodies of ``size`` bytes, one request each."""
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)])
    try:
        url = f"http://127.0.0.1:{port}/raw"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        body = os.urandom(size)
        with httpx.Client(timeout=30) as client:
            start = time.perf_counter()
            for _ in range(count):
                client.put(url, content=body).raise_for_status()
            return time.perf_counter() - start
    finally:
        sink.terminate()
        sink.wait()


def main() -> None:
    """Run the benchmark; the last line prints the figure and its baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2,
                        help="kiosk-central worker processes (default 2: one per core here)")
    parser.add_argument("--pipeline", type=int, default=2, help="batches in flight (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-drain-") as tmp:
        tmp = Path(tmp)
        central = LocalCentral(tmp / "central", free_port(), workers=args.workers)
        central.start()
        try:
            keys = TerminalKeys.load_or_create(tmp / "terminal-keys")
            with CentralClient(central.url, "BENCH-T01") as client:
                client.enroll(central.issue_token(), keys.public_key)
            path = tmp / "terminal.sqlite3"
            print(f"queueing {args.count} sealed 60 KB submissions ...", flush=True)
            size = queue(path, args.count, central.platform_x25519(), keys)
            # The baseline runs in two halves, just before and just after the drain, so that a
            # change in the machine's load during the run weighs on both sides alike.
            raw_s = raw_upload(args.count // 2, size)
            rss_before = rss_mb()
            done = threading.Event()
            acked = [0]

            def on_event(name: str, data: dict) -> None:
                if name == "submission_acked":
                    acked[0] += 1
                    if acked[0] == args.count:
                        done.set()

            with CentralClient(central.url, "BENCH-T01", signing_key=keys.signing_key) as client:
                worker = SyncWorker(lambda: Outbox(Store(path, rebuildable_writes=True).open()),
                                    client, interval_s=5,
                                    on_event=on_event, batch_size=100, inline_limit=1024 * 1024,
                                    pipeline=args.pipeline)
                server_pid = central.process.pid
                cpu_before = cpu_s(), cpu_s(server_pid)
                start = time.perf_counter()
                worker.start()
                peak = rss_before
                quarters = [rss_before] * 4  # peak RSS in each quarter of the drain: flat or not
                while not done.wait(0.05):
                    now = rss_mb()
                    peak = max(peak, now)
                    quarter = min(3, acked[0] * 4 // args.count)
                    quarters[quarter] = max(quarters[quarter], now)
                drain_s = time.perf_counter() - start
                cpu_after = cpu_s(), cpu_s(server_pid)
                # How the platform's processes shared the work: with both connections on one
                # worker the drain is bound to one core (the run-to-run spread of the ratio).
                with open(f"/proc/{server_pid}/task/{server_pid}/children") as kids:
                    split = [cpu_s(int(kid)) for kid in kids.read().split()]
                worker.stop()
            stored = len(open_platform_store(central.data_dir, central.database_url).submission_ids())
        finally:
            central.stop()
        raw_s += raw_upload(args.count - args.count // 2, size)
        raw_per_s = args.count / raw_s
    drain_per_s = args.count / drain_s
    peak_rss = peak  # sampled every 0.05 s during the drain (queueing beforehand is excluded)
    lifetime_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"delivered {args.count} submissions of {size / 1024:.1f} KB on the wire; "
          f"the platform holds {stored}")
    print(f"drain: {drain_s:.1f} s ({drain_per_s:.0f}/s); raw httpx PUT of the same bytes: "
          f"{raw_per_s:.0f}/s")
    print(f"terminal-side RSS: {rss_before:.0f} MB before the drain, peak {peak_rss:.0f} MB during "
          f"it (process lifetime max incl. queueing: {lifetime_max:.0f} MB); peak per quarter "
          f"of the drain: {' / '.join(f'{q:.0f}' for q in quarters)} MB")
    terminal_cpu, platform_cpu = (after - before for after, before in zip(cpu_after, cpu_before, strict=False))
    print(f"CPU per submission: terminal {terminal_cpu / args.count * 1000:.3f} ms, platform "
          f"{platform_cpu / args.count * 1000:.3f} ms (both share this machine's "
          f"{os.cpu_count()} cores); platform processes' CPU seconds: "
          f"{' / '.join(f'{seconds:.2f}' for seconds in split)}")
    ratio = drain_per_s / raw_per_s
    print(f"budget: ratio >= 0.8 -> {'within' if ratio >= 0.8 else 'OVER'}")
    print(f"drain_per_s={drain_per_s:.1f} raw_per_s={raw_per_s:.1f} ratio={ratio:.2f} "
          f"peak_rss_mb={peak_rss:.0f}")


if __name__ == "__main__":
    main()
