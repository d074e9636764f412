"""The parts of ``bench/fleet.py`` that are not the load tool: a throwaway PostgreSQL cluster,
``kiosk-central serve`` and the raw baseline server as process groups on loopback, enrollment
tokens from ``kiosk-central issue-token``, and a simulated terminal that seals and signs its
requests exactly as a terminal does (``egov_protocol``). Nothing here imports locust, so the
tests can use these pieces in-process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from egov_protocol.auth import sign_request
from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from egov_protocol.batch_wire import encode_batch, signed_portion
from egov_protocol.envelope import seal_detached
from egov_protocol.keys import key_id_for
from egov_protocol.protocol import API_PREFIX

ROOT = Path(__file__).resolve().parent.parent
PHOTO_BYTES = 58 * 1024  # with the sealed payload, a submission of about 60 KB on the wire
# Fictional applicant; the platform never opens the photo (it stays sealed in the blob store).
APPLICANT = {"name": "王小明", "id_number": "110105199001011234", "phone": "13800000000"}


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout_s:.0f} s")


def _stop_group(process: subprocess.Popen | None) -> None:
    """Stop a process started in its own session, and everything it started."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def tree_cpu_s(root: subprocess.Popen | None) -> float:
    """CPU seconds (user + system) used so far by ``root`` and its descendants, live or ended
    and reaped (uvicorn's workers; the postmaster and its backends under ``runuser``)."""
    if root is None:
        return 0.0
    stats: dict[int, tuple[int, int]] = {}  # pid -> (parent, ticks)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # utime + stime, and cutime + cstime: the children it reaped (ended PostgreSQL backends)
        stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    ticks, todo = 0, [root.pid]
    while todo:
        pid = todo.pop()
        ticks += stats.get(pid, (0, 0))[1]
        todo.extend(children.get(pid, []))
    return ticks / os.sysconf("SC_CLK_TCK")


class PostgresCluster:
    """A throwaway cluster from Debian's server binaries (as tests/conftest.py makes one): its
    own folder, a free loopback port, no fsync; removed by ``stop``."""

    def __init__(self) -> None:
        """Nothing runs until ``start``."""
        self.base: Path | None = None
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> PostgresCluster:
        """initdb and start the server; returns self once it accepts connections."""
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
        if not candidates:
            raise RuntimeError("PostgreSQL server binaries not found: run tools/setup-system.sh")
        bindir = candidates[0].parent
        self.base = Path(tempfile.mkdtemp(prefix="egov-fleet-pg-"))
        data, sockets = self.base / "data", self.base / "sock"
        sockets.mkdir()
        as_user: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            shutil.chown(self.base, "postgres")
            shutil.chown(sockets, "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", "postgres", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True)
        port = free_port()
        self.process = subprocess.Popen(
            [*as_user, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k",
             str(sockets), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_for_port(port, self.process, "postgres")
        deadline = time.monotonic() + 30
        while subprocess.run([str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                              str(port)]).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("the throwaway PostgreSQL cluster did not become ready")
            time.sleep(0.2)
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return self

    def stop(self) -> None:
        """Stop the server and remove its folder (idempotent)."""
        _stop_group(self.process)
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


class ServerProcess:
    """A uvicorn-based server started in its own session on a free loopback port."""

    def __init__(self, argv: list[str], port: int, what: str, log: Path) -> None:
        """``argv`` must make the server listen on ``port``; its output goes to ``log``."""
        self.argv, self.port, self.what, self.log = argv, port, what, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        """Start and wait until it listens."""
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=ROOT, start_new_session=True)
        _wait_for_port(self.port, self.process, self.what)
        return self

    def pids(self) -> list[int]:
        """The server's processes (parent and workers), for a profiler."""
        if self.process is None:
            return []
        found = subprocess.run(["pgrep", "-s", str(self.process.pid)], capture_output=True,
                               text=True).stdout.split()
        return [int(pid) for pid in found]

    def stop(self) -> None:
        """Stop the server and its workers (idempotent)."""
        _stop_group(self.process)


def platform_server(data_dir: Path, database_url: str, workers: int, log: Path) -> ServerProcess:
    """``kiosk-central serve`` on PostgreSQL (access log off, as behind a load balancer)."""
    port = free_port()
    return ServerProcess([sys.executable, "-m", "central", "serve", "--data-dir", str(data_dir),
                          "--database-url", database_url, "--workers", str(workers),
                          "--port", str(port), "--log-level", "warning"], port, "kiosk-central",
                         log)


def raw_server(workers: int, log: Path) -> ServerProcess:
    """The raw baseline: ``bench/fleet_raw.py`` under the same uvicorn, same worker count."""
    port = free_port()
    return ServerProcess([sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"),
                          "fleet_raw:app", "--port", str(port), "--workers", str(workers),
                          "--log-level", "warning", "--no-access-log"], port, "raw baseline", log)


_ISSUE_TOKENS = """\
import contextlib, io, sys
from central.cli import main
data_dir, url, *ids = sys.argv[1:]
for terminal_id in ids:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["issue-token", "--data-dir", data_dir, "--database-url", url,
              "--terminal-id", terminal_id, "--ttl-hours", "2"])
    # The token is alone on the last line (the platform's key fingerprint comes before it).
    print(terminal_id, out.getvalue().strip().splitlines()[-1])
"""


def issue_tokens(data_dir: Path, database_url: str, terminal_ids: list[str]) -> dict[str, str]:
    """One enrollment token per terminal, bound to it, from ``kiosk-central issue-token`` (its
    ``main``, run once per terminal in one interpreter to spare a thousand start-ups)."""
    done = subprocess.run([sys.executable, "-c", _ISSUE_TOKENS, str(data_dir), database_url,
                           *terminal_ids], cwd=ROOT, check=True, capture_output=True, text=True)
    tokens = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    if sorted(tokens) != sorted(terminal_ids):
        raise RuntimeError("issue-token did not print a token for every terminal")
    return tokens


@dataclass
class FleetTerminal:
    """One simulated terminal: its own Ed25519 key, site, receipt sequence and photo; builds the
    signed request bodies a real terminal sends. Not thread-safe (one load-tool user owns it)."""

    terminal_id: str
    site: str
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    platform_x25519: bytes | None = None  # set from the enrollment answer
    sequence: int = 0

    @property
    def public_key(self) -> bytes:
        """Raw Ed25519 public key, as enrolled."""
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        """The name of the signing key, as the platform computes it."""
        return key_id_for(self.public_key)

    def submission_request(self, path: str = API_PREFIX + "/batches") -> tuple[bytes, dict]:
        """A new sealed submission (detached photo inline) as the terminal's batch of one:
        ``(body, headers)`` signed for ``POST path``."""
        if self.platform_x25519 is None:
            raise RuntimeError(f"{self.terminal_id} is not enrolled")
        self.sequence += 1
        now = datetime.now(UTC)
        submission_id = str(uuid.uuid4())
        receipt = f"{self.terminal_id}-{now:%Y%m%d}-{self.sequence:04d}"
        photo = os.urandom(PHOTO_BYTES)  # incompressible, like a JPEG
        payload = {
            "schema": 1, "submission_id": submission_id, "receipt_number": receipt,
            "site_code": self.site, "terminal_id": self.terminal_id,
            "service_id": "residence-permit", "form_id": "residence-permit-application",
            "form_version": "1", "language": "zh-CN", "submitted_at": now.isoformat(),
            "consent": {"given": True, "at": now.isoformat()}, "applicant": APPLICANT,
            "answers": {"address": "北京市东城区景山前街4号", "reason": "居住登记"},
            "attachments": {"photo.jpg": {"sha256": hashlib.sha256(photo).hexdigest(),
                                          "media_type": "image/jpeg", "size": len(photo)}},
        }
        sealed, blobs = seal_detached(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode(),
                                      {"photo.jpg": photo}, self.platform_x25519, self.key,
                                      self.key_id)
        body = encode_batch([(submission_id, receipt, hashlib.sha256(sealed).hexdigest(), sealed,
                              blobs)])
        headers = sign_request(self.key, self.terminal_id, "POST", path, signed_portion(body))
        return body, {**headers, "Content-Type": BATCH_CONTENT_TYPE}

    def heartbeat_request(self, path: str = API_PREFIX + "/heartbeats") -> tuple[str, bytes, dict]:
        """A heartbeat as the terminal's sync worker sends it: ``(id, body, headers)``."""
        now = datetime.now(UTC)
        beat_id = str(uuid.uuid4())
        beat = {"id": beat_id, "sent_at": now.isoformat(timespec="microseconds"),
                "versions": {"app": "0.1.0", "python": "3.11", "schema": 3},
                "devices": {"idcard": "ok", "camera": "ok", "printer": "ok"},
                "queue_depth": 0, "quarantined": 0, "oldest_unsent_age_s": None,
                "free_disk_bytes": 20 * 1024 ** 3, "highest_acked_sequence": self.sequence,
                "accepted_total": self.sequence}
        body = json.dumps({"items": [beat]}, separators=(",", ":")).encode()
        headers = sign_request(self.key, self.terminal_id, "POST", path, body)
        return beat_id, body, {**headers, "Content-Type": "application/json"}


def make_fleet(count: int) -> list[FleetTerminal]:
    """``count`` terminals in halls of 16 (site codes 110101, 110102, ...); a terminal id starts
    with its site, as a real terminal's does (the platform holds it to that prefix)."""
    return [FleetTerminal(f"{110101 + n // 16}-T{n:05d}", f"{110101 + n // 16}")
            for n in range(count)]
