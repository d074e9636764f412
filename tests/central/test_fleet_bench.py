"""bench/fleet.py's own pieces, kept from rotting: the simulated terminal's requests are what the
platform accepts, and the whole bench runs at a tiny scale (no figure is asserted)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from central.accept import accept_many
from central.store import CentralStore
from egov_protocol.auth import SignedRequest
from egov_protocol.batch_wire import decode_batch, signed_portion
from egov_protocol.keys import PlatformKeys

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _fleet_stack():
    spec = importlib.util.spec_from_file_location("fleet_stack", BENCH / "fleet_stack.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fleet_stack"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_simulated_terminals_submission_and_heartbeat_are_accepted(tmp_path):
    stack = _fleet_stack()
    keys = PlatformKeys.load_or_create(tmp_path / "keys")
    store = CentralStore(tmp_path / "central.sqlite3")
    store.open()
    [terminal] = stack.make_fleet(1)
    assert store.enroll(store.issue_token(terminal.terminal_id), terminal.terminal_id,
                        terminal.public_key, terminal.key_id, terminal.site)
    terminal.platform_x25519 = keys.x25519_public

    body, headers = terminal.submission_request()
    signed = SignedRequest.from_headers(headers)
    signed.verify(terminal.public_key, "POST", "/v1/batches", signed_portion(body))
    [part] = decode_batch(body)
    assert len(body) > 58 * 1024 and part.receipt_number.startswith(f"{terminal.terminal_id}-")
    assert terminal.terminal_id.startswith(f"{terminal.site}-")
    [(status, receipt)] = accept_many(store, keys, store.terminal(terminal.terminal_id),
                                      [(part.id, part.receipt_number, part.digest, part.envelope,
                                        part.blobs)], nonce=(signed.nonce, 300.0))
    assert status == 201 and receipt["id"] == part.id

    again, _ = terminal.submission_request()
    assert decode_batch(again)[0].receipt_number != part.receipt_number  # next sequence

    beat_id, beat_body, beat_headers = terminal.heartbeat_request()
    SignedRequest.from_headers(beat_headers).verify(terminal.public_key, "POST",
                                                    "/v1/heartbeats", beat_body)
    assert beat_id.encode() in beat_body


def test_the_fleet_bench_runs_at_a_tiny_scale_and_cleans_up():
    done = subprocess.run(
        [sys.executable, str(BENCH / "fleet.py"), "--terminals", "5", "--rate", "5",
         "--duration", "3", "--probe", "2", "--senders", "2"],
        capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("budget: users=5 ") for line in lines), done.stdout
    assert re.fullmatch(r"terminals=5 submissions_per_s=[0-9.]+ p99_ms=[0-9]+ errors=0 "
                        r"raw_per_s=[0-9.]+ ratio=[0-9.]+", lines[-1]), done.stdout
    [stack] = [line for line in lines if line.startswith("stack: ")]
    folders = [Path(part.split("=", 1)[1]) for part in stack.split()[1:]]
    assert len(folders) == 2 and not any(folder.exists() for folder in folders)
    for folder in folders:  # neither the servers nor the cluster outlived the bench
        left = subprocess.run(["pgrep", "-f", str(folder)], capture_output=True, text=True)
        assert left.stdout == "", f"processes still running in {folder}"
