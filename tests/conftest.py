"""Fixtures shared across the test packages: the PC/SC rig, and a terminal's keys, sealed
submissions, a platform process on loopback and a throwaway PostgreSQL for the sync and platform
tests."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from egov_protocol.envelope import seal
from egov_protocol.keys import TerminalKeys
from offline_cache import SealedSubmission
from sync.local_central import LocalCentral, LocalNetIdService, free_port

# Hypothesis' per-example deadline and its "too slow" health check are timings: on a loaded
# 2-core CI runner any generator or example can be slow, and a test that fails for it is flaky.
# What is slow is measured by the benchmarks; the tests check behaviour only.
settings.register_profile("egov", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("egov")


@pytest.fixture(scope="module")
def rig() -> Iterator[object]:
    """A private pcscd with vsmartcard-vpcd and our emulated passport: the real PC/SC stack.

    Missing system parts fail the test rather than skip it: a suite that skips the real-parts
    tests is a failure (tools/setup-system.sh installs them).
    """
    from drivers.idcard.simulated.pcsc.pcscd import PrivatePcscd
    from drivers.idcard.simulated.pcsc.rig import PassportRig

    missing = PrivatePcscd.missing()
    if missing:
        pytest.fail(f"{missing} is missing: run tools/setup-system.sh as root")
    running = PassportRig().start()
    yield running
    left = _pcsc_watchers()
    running.stop()
    if left:
        pytest.fail(f"still watching pcscd when it was stopped: {[t.name for t in left]}; close the "
                    "reader (and the core) before the daemon goes", pytrace=False)


def _pcsc_watchers() -> list[threading.Thread]:
    """Live threads that watch pcscd: the passport reader's watcher, or pyscard's card monitor."""
    return [t for t in threading.enumerate() if t.is_alive() and (
        t.name == "pcsc-watch" or "CardMonitoringThread" in type(t).__qualname__)]


@pytest.fixture
def pcsc_watchers():
    """The function listing live threads that watch pcscd (ours or pyscard's)."""
    return _pcsc_watchers



TERMINAL_ID = "GZ01-T01"

# Fictional applicant: the test checks this never shows up on operator pages.
PERSONAL_NAME = "王小明"


def payload_for(n: int, *, receipt: str | None = None) -> bytes:
    return json.dumps(
        {
            "submission_id": f"sub-{n:04d}",
            "receipt_number": receipt or f"GZ01-T01-20250301-{n:06d}",
            "service_id": "residence-permit",
            "form_id": "residence-permit-application",
            "form_version": "1",
            "answers": {"name": PERSONAL_NAME, "phone": "13800000000"},
        },
        ensure_ascii=False,
    ).encode()


def sealed_submission(
    n: int, platform_x25519: bytes, keys: TerminalKeys, *, note: str = ""
) -> SealedSubmission:
    """A real sealed submission; ``note`` changes the payload (and so the digest)."""
    payload = payload_for(n)
    if note:
        payload = payload[:-1] + b', "note": "' + note.encode() + b'"}'
    envelope = seal(payload, {"photo.jpg": b"\xff\xd8fake-jpeg-%d" % n}, platform_x25519,
                    keys.signing_key, keys.key_id)
    return SealedSubmission.create(
        id=f"sub-{n:04d}",
        receipt_number=f"GZ01-T01-20250301-{n:06d}",
        service_id="residence-permit",
        form_id="residence-permit-application",
        form_version="1",
        sealed=envelope,
    )


@pytest.fixture
def terminal_keys(tmp_path) -> TerminalKeys:
    return TerminalKeys.load_or_create(tmp_path / "terminal-keys")


@pytest.fixture(scope="session")
def session_terminal_keys(tmp_path_factory) -> TerminalKeys:
    return TerminalKeys.load_or_create(tmp_path_factory.mktemp("tk") / "keys")


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    server = LocalCentral(tmp_path_factory.mktemp("central"), free_port())
    server.start()
    yield server
    server.stop()


class EventLog:
    """Collects ``on_event`` calls from the worker thread."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, dict]] = []

    def __call__(self, name: str, data: dict) -> None:
        self.queue.put((name, data))

    def wait_for(self, name: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
        """Block until ``count`` events called ``name`` have arrived (a bound, not a timing test)."""
        end = time.monotonic() + timeout
        while len(self.named(name)) < count:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"waited for {count} {name!r}; got {self.seen}")
            with contextlib.suppress(queue.Empty):
                self.seen.append(self.queue.get(timeout=remaining))
        return self.named(name)

    def named(self, name: str) -> list[dict]:
        return [data for event, data in self.seen if event == name]


@pytest.fixture
def make_sealed():
    """``make_sealed(n, platform_x25519, keys, note="")``: a real sealed submission."""
    return sealed_submission


@pytest.fixture
def expected_payload():
    """``expected_payload(n)``: the payload bytes ``make_sealed(n, ...)`` sealed."""
    return payload_for


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@contextlib.contextmanager
def running_central(data_dir: Path, database_url: str | None = None,
                    **options) -> Iterator[LocalCentral]:
    """A started ``kiosk-central`` process on a free loopback port, its data in ``data_dir`` (and
    ``database_url`` when given; ``options`` such as ``workers`` go to ``LocalCentral``), stopped
    on leaving the block. The one way the platform tests set up a platform of their own."""
    server = LocalCentral(data_dir, free_port(), database_url=database_url, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def platform_accounts(platform: LocalCentral):
    """The operator accounts of a running ``LocalCentral`` (``central.operators``), as
    ``kiosk-central operator`` opens them."""
    from central.operators import OperatorAccounts
    from central.store import open_platform_store

    store = open_platform_store(platform.data_dir, platform.database_url)
    return OperatorAccounts(store.db, platform.data_dir / "keys")


@pytest.fixture
def new_central(tmp_path):
    """A not-yet-started ``LocalCentral`` on a free port; stopped after the test."""
    servers = []

    def make() -> LocalCentral:
        server = LocalCentral(tmp_path / f"central-{len(servers)}", free_port())
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def _pg_bin() -> Path:
    """Debian's postgresql server binaries (installed by tools/setup-system.sh)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if not candidates:
        pytest.fail("PostgreSQL server binaries not found: run tools/setup-system.sh (make test)")
    return candidates[0].parent


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A throwaway PostgreSQL cluster in a temp dir on a free loopback port, for this session.

    As root, initdb and postgres run as the ``postgres`` user (they refuse to run as root)."""
    import os
    import shutil
    import subprocess
    import tempfile

    import psycopg

    bindir = _pg_bin()
    # Not under pytest's 0700 temp root: the postgres user must be able to reach it.
    base = Path(tempfile.mkdtemp(prefix="egov-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    initdb = subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                             "-U", "postgres", "--no-sync", "-E", "UTF8"],
                            capture_output=True, text=True)
    if initdb.returncode:
        pytest.fail(f"initdb failed: {initdb.stderr[-2000:]}")
    port = free_port()
    server = subprocess.Popen(
        [*as_user, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k",
         str(sockets), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
         "-c", "max_connections=200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(url, connect_timeout=1).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the throwaway PostgreSQL cluster did not start")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(30)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fresh_postgres(postgres_url):
    """A new, empty database in the session cluster; its URL."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + "/" + name


def log_in(client, accounts, role: str = "admin") -> str:
    """Create an operator of ``role`` with ``accounts`` (the platform's ``OperatorAccounts``)
    and log ``client`` (an
    httpx or Starlette test client on the platform) in as them, as a person would: the login
    form, the one-time password and the current TOTP code, then a password of their own.
    Returns the operator's name."""
    import re
    import secrets

    import pyotp

    new = accounts.add(f"op-{secrets.token_hex(4)}", role)
    client.get("/login")
    answer = client.post("/login", follow_redirects=False, data={
        "csrf": client.cookies.get("egov_login_csrf"), "name": new.name,
        "password": new.password, "code": pyotp.parse_uri(new.totp_uri).now()})
    assert answer.status_code == 303, answer.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/password").text).group(1)
    own = secrets.token_urlsafe(16)
    changed = client.post("/password", follow_redirects=False, data={
        "csrf": csrf, "current": new.password, "new": own, "repeated": own})
    assert changed.status_code == 303, changed.text
    return new.name


def operator_client(platform, role: str = "admin"):
    """A logged-in operator's ``httpx.Client`` on a running ``LocalCentral`` (``platform``)."""
    import httpx

    client = httpx.Client(base_url=platform.url, timeout=10)
    log_in(client, platform_accounts(platform), role)
    return client


def act_on_case(platform, receipt_number: str, action: str, note: str = "") -> None:
    """A case worker on ``platform`` (a running ``LocalCentral``) takes ``action`` on the case
    of ``receipt_number`` (e.g. ``request_corrections`` with what to fix), as in the back office."""
    worker = operator_client(platform, "case-worker")
    try:
        csrf = {"X-CSRF-Token": worker.get("/v1/session").json()["csrf"]}
        answer = worker.post(f"/v1/cases/{receipt_number}/actions", headers=csrf,
                             json={"action": action, "note": note})
        assert answer.status_code == 200, answer.text
    finally:
        worker.close()


@pytest.fixture(scope="module")
def netid_service() -> Iterator[str]:
    """The 网证 simulator service in a subprocess on loopback: its URL."""
    simulator = LocalNetIdService(free_port())
    simulator.start()
    try:
        yield simulator.url
    finally:
        simulator.stop()
