"""Exactly once under faults: 1,000 submissions through a fault proxy, and the terminal's sync
process killed with SIGKILL at random moments. The server ends with exactly the set sent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from central.store import open_platform_store
from egov_protocol.envelope import seal_detached
from offline_cache import Outbox, SealedSubmission, Store
from sync.client import Backoff, CentralClient, SyncWorker
from tests.conftest import payload_for

from .fault_proxy import FaultProxy

TERMINAL_ID = "GZ01-T01"


def queue_submissions(path: Path, count: int, x25519: bytes, keys, *, big_every: int = 10) -> set:
    """``count`` real sealed submissions; every ``big_every``-th has a detached 4 KB blob that
    goes by resumable upload, the rest ride in batches."""
    ids = set()
    with Store(path) as store:
        outbox = Outbox(store)
        for n in range(1, count + 1):
            photo = os.urandom(4096 if n % big_every == 0 else 200)
            envelope, blobs = seal_detached(payload_for(n), {"photo.jpg": photo}, x25519,
                                            keys.signing_key, keys.key_id)
            outbox.add(SealedSubmission.create(
                id=f"sub-{n:04d}", receipt_number=f"GZ01-T01-20250301-{n:06d}",
                service_id="residence-permit", form_id="f", form_version="1",
                sealed=envelope), blobs)
            ids.add(f"sub-{n:04d}")
    return ids


def queue_more(path: Path, start: int, count: int, x25519: bytes, keys) -> set:
    ids = set()
    with Store(path) as store:
        outbox = Outbox(store)
        for n in range(start + 1, start + count + 1):
            envelope, blobs = seal_detached(payload_for(n), {"photo.jpg": os.urandom(300)},
                                            x25519, keys.signing_key, keys.key_id)
            outbox.add(SealedSubmission.create(
                id=f"sub-{n:04d}", receipt_number=f"GZ01-T01-20250301-{n:06d}",
                service_id="residence-permit", form_id="f", form_version="1",
                sealed=envelope), blobs)
            ids.add(f"sub-{n:04d}")
    return ids


def acked(path: Path) -> int:
    with Store(path) as store:
        return Outbox(store).counts()["acked"]


def test_1000_submissions_through_random_faults_arrive_exactly_once(
        new_central, tmp_path, terminal_keys):
    server = new_central()
    server.start()
    with CentralClient(server.url, TERMINAL_ID) as client:
        client.enroll(server.issue_token(), terminal_keys.public_key)
    path = tmp_path / "terminal.sqlite3"
    ids = queue_submissions(path, 1000, server.platform_x25519(), terminal_keys)
    proxy = FaultProxy(server.port, fault_rate=0.3, seed=20260301).start()
    try:
        with CentralClient(proxy.url, TERMINAL_ID, signing_key=terminal_keys.signing_key,
                           timeout=10.0) as client:
            worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                                backoff=Backoff(base_s=0.01, cap_s=0.05), batch_size=10,
                                inline_limit=1024)
            worker.start()
            try:
                deadline = time.monotonic() + 240
                while acked(path) < 1000 and time.monotonic() < deadline:
                    worker.sync_now()
                    time.sleep(0.2)
            finally:
                worker.stop()
    finally:
        proxy.stop()
    assert acked(path) == 1000
    stored = open_platform_store(server.data_dir, server.database_url).submission_ids()
    assert len(stored) == 1000 and set(stored) == ids  # none lost, none duplicated
    assert all(proxy.seen[fault] > 0 for fault in ("drop_before", "drop_after", "delay", "500",
                                                    "502", "503", "429", "captive")), proxy.seen


CHILD = """
import sys
from pathlib import Path
from kiosk.config import CentralConfig
from kiosk.enrollment import Enrollment
from kiosk.sync_service import sync_once
data = Path(sys.argv[1])
counts = sync_once(data / "kiosk.db", Enrollment(data),
                   CentralConfig(url=sys.argv[2], sync_interval_s=1.0))
sys.exit(0 if counts["queued"] == 0 and counts["sending"] == 0 else 3)
"""

KILLS = int(os.environ.get("EGOV_SIGKILL_ROUNDS", "50"))


def test_sync_process_killed_at_random_moments_still_delivers_exactly_once(
        new_central, tmp_path):
    from egov_protocol.keys import TerminalKeys
    from kiosk.enrollment import Enrollment
    from kiosk.sync_service import enroll_terminal

    server = new_central()
    server.start()
    data = tmp_path / "terminal"
    data.mkdir()
    enrollment = Enrollment(data)
    keys = enroll_terminal(server.url, "GZ01", "T01", enrollment, server.issue_token())
    assert keys.terminal_id == TERMINAL_ID
    terminal_keys = TerminalKeys.load_or_create(data / "keys")
    x25519 = server.platform_x25519()
    ids = queue_submissions(data / "kiosk.db", 200, x25519, terminal_keys, big_every=25)
    script = tmp_path / "sync_child.py"
    script.write_text(CHILD)
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    command = [sys.executable, str(script), str(data), server.url]
    killed = finished = 0
    for _ in range(KILLS):
        # The kiosk keeps accepting while the sync process comes and goes.
        ids |= queue_more(data / "kiosk.db", len(ids), 40, x25519, terminal_keys)
        before = acked(data / "kiosk.db")
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        # A random moment inside the drain: once delivery has begun, plus 0-80 ms.
        deadline = time.monotonic() + 30
        while acked(data / "kiosk.db") == before and child.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.08))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        else:
            finished += 1
        child.wait()
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    stored = open_platform_store(server.data_dir, server.database_url).submission_ids()
    assert len(stored) == len(ids) and set(stored) == ids  # none lost, none duplicated
    assert acked(data / "kiosk.db") == len(ids)
    print(f"SIGKILL rounds: {killed} killed mid-drain, {finished} finished first")
    assert killed >= KILLS * 0.8, (killed, finished)
