"""The business systems the platform hands cases to: ``DATA_DIR/integrations.json``.

Each integration has an id, the URL its events are POSTed to, a shared secret (for the
signatures both ways, ``egov_protocol.webhooks``) and the services whose cases it takes (``*``:
all). The file holds secrets, so it is written 0600 in the 0700 data folder;
``kiosk-central integration add ID --url URL [--service S]`` creates an entry and prints its
secret once. The file is read when the platform starts and whenever it changes.

Thread rule: any thread; :class:`IntegrationRegistry` re-reads under a lock.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .files import write_private_file

FILE = "integrations.json"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class IntegrationError(Exception):
    """An integration that cannot be added as asked (bad id or URL, id taken)."""


@dataclass(frozen=True)
class Integration:
    """One business system: where its events go, its secret, which services it takes."""

    id: str
    url: str
    secret: bytes
    services: tuple[str, ...] = ("*",)

    def takes(self, service_id: str) -> bool:
        """True when cases of ``service_id`` go to this integration."""
        return "*" in self.services or service_id in self.services


def _parse(text: str) -> dict[str, Integration]:
    entries = json.loads(text).get("integrations", [])
    return {e["id"]: Integration(e["id"], e["url"], base64.b64decode(e["secret"]),
                                 tuple(e.get("services") or ("*",))) for e in entries}


def check_url(url: str) -> str:
    """``url`` if it is http(s) with a host; https unless the host is the loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IntegrationError("the URL must be http(s)://host/...")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "::1", "localhost"):
        raise IntegrationError("a business system outside this machine is reached over https")
    return url


def add_integration(data_dir: str | Path, integration_id: str, url: str,
                    services: list[str] | None = None) -> Integration:
    """Add an integration with a fresh 256-bit secret; returns it (its secret to hand over)."""
    if not ID_PATTERN.fullmatch(integration_id):
        raise IntegrationError("an id is 1-64 of a-z, 0-9, _ and -, starting with a letter "
                               "or digit")
    path = Path(data_dir) / FILE
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entries = current.get("integrations", [])
    if any(entry["id"] == integration_id for entry in entries):
        raise IntegrationError(f"integration {integration_id} exists already")
    secret = secrets.token_bytes(32)
    entries.append({"id": integration_id, "url": check_url(url),
                    "secret": base64.b64encode(secret).decode(),
                    "services": services or ["*"]})
    write_private_file(path, json.dumps({"integrations": entries}, indent=2).encode())
    return Integration(integration_id, url, secret, tuple(services or ("*",)))


class IntegrationRegistry:
    """The integrations of a data folder, re-read when the file changes."""

    def __init__(self, data_dir: str | Path) -> None:
        """Read ``data_dir/integrations.json`` lazily (none when it does not exist)."""
        self.path = Path(data_dir) / FILE
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._items: dict[str, Integration] = {}

    def all(self) -> dict[str, Integration]:
        """Every integration by id."""
        with self._lock:
            try:
                stat = self.path.stat()
                stamp = (stat.st_ino, stat.st_mtime_ns)
            except FileNotFoundError:
                self._stamp, self._items = None, {}
                return {}
            if stamp != self._stamp:
                self._items = _parse(self.path.read_text(encoding="utf-8"))
                self._stamp = stamp
            return dict(self._items)

    def get(self, integration_id: str) -> Integration | None:
        """One integration, or None."""
        return self.all().get(integration_id)
