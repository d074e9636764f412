"""Transport trust (issue 14 §4): a platform off this machine only over https, and the platform's
signing key pinned at enrollment from the fingerprint printed with the token. The platform is a
real ``kiosk-central`` on loopback; the terminal is driven through ``kioskctl``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from egov_protocol.errors import InsecurePlatformUrl
from egov_protocol.protocol import insecure_platform_url
from kiosk.cli import main as kioskctl
from kiosk.config import ConfigError, KioskConfig
from sync.client import CentralClient


@pytest.mark.parametrize("url", ["http://192.0.2.10:8700", "http://platform.example.gov.cn",
                                 "http://10.0.0.1", "http://[2001:db8::1]:8700", "ftp://127.0.0.1"])
def test_the_terminal_refuses_http_off_this_machine(url):
    with pytest.raises(InsecurePlatformUrl):
        CentralClient(url, "GZ01-T01")
    with pytest.raises(ConfigError, match="must be"):
        KioskConfig().with_overrides(central={"url": url})


@pytest.mark.parametrize("url", ["https://platform.example.gov.cn", "http://127.0.0.1:8700",
                                 "http://localhost:8700", "http://[::1]:8700", "http://127.8.0.1"])
def test_https_and_loopback_http_are_fine(url):
    assert insecure_platform_url(url) is None
    CentralClient(url, "GZ01-T01").close()


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[central]\nurl = "{url}"\n'
                    '[terminal]\nterminal_id = "T61"\n', encoding="utf-8")
    return path


def _issue(central) -> tuple[str, str]:
    result = subprocess.run(central._command("issue-token"), capture_output=True, text=True,
                            timeout=60, check=True)
    lines = result.stdout.strip().splitlines()
    [fingerprint] = [word for word in lines[0].split() if word.startswith("sha256:")]
    assert f"--platform-key {fingerprint}" in result.stdout
    return lines[-1], fingerprint


def test_enroll_pins_the_key_printed_with_the_token(central, tmp_path, capsys):
    config = _config(tmp_path, central.url)
    token, fingerprint = _issue(central)
    wrong = "sha256:" + "0" * 64
    assert kioskctl(["--config", str(config), "enroll", "--token", token,
                     "--platform-key", wrong]) == 1
    assert "nothing kept" in capsys.readouterr().err
    assert not (tmp_path / "data" / "platform.json").exists()  # and the token is not spent:
    assert kioskctl(["--config", str(config), "enroll", "--token", token,
                     "--platform-key", fingerprint]) == 0
    assert "matches the pinned one" in capsys.readouterr().out
    kept = json.loads((tmp_path / "data" / "platform.json").read_text())
    assert kept["terminal_id"] == "110105-T61"
