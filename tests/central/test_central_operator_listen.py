"""``kiosk-central serve --operator-listen``: the operator side on its own address, apart from
the terminal API, so a hall network that reaches one never reaches the other."""

from __future__ import annotations

import time

import httpx

from central.operators import OperatorAccounts
from central.store import open_platform_store
from sync.local_central import LocalCentral, free_port
from tests.conftest import log_in


def test_the_operator_side_listens_apart_from_the_terminal_api(tmp_path):
    operator_port = terminal_port = free_port()
    while terminal_port == operator_port:  # two free ports, never the same one twice
        terminal_port = free_port()
    platform = LocalCentral(tmp_path / "central", terminal_port,
                            serve_args=("--operator-listen", f"127.0.0.1:{operator_port}"))
    platform.start()
    try:
        operators = f"http://127.0.0.1:{operator_port}"
        end = time.monotonic() + 30  # a bound on waiting for the second server, not a timing test
        while True:
            try:
                httpx.get(f"{operators}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < end, "the operator side never answered"
                time.sleep(0.1)
        terminal_side = httpx.Client(base_url=platform.url, timeout=10)
        for path in ("/login", "/", "/v1/terminals", "/v1/submissions", "/openapi.json", "/docs"):
            assert terminal_side.get(path).status_code == 404, path
        assert terminal_side.get("/v1/platform").status_code == 200
        with httpx.Client(base_url=operators, timeout=10) as client:
            assert client.post("/v1/enroll", json={}).status_code == 404
            assert client.get("/v1/terminals").status_code == 401
            log_in(client, OperatorAccounts(open_platform_store(platform.data_dir).db,
                                            platform.data_dir / "keys"), "fleet-operator")
            assert client.get("/v1/terminals").status_code == 200
    finally:
        platform.stop()
