"""Publishing a catalog, forms or settings document, each publication under the next version.

``DATA_DIR/published/<kind>.document.json`` holds ``{"version", "published_at", "expires_at",
"body"}``, replaced atomically under a lock so two publications never take the same version;
the documents router signs it (version and expiry included) for every terminal that asks, and
terminals refuse a lower version than the one they hold and an expired one. A folder from
before versions (``<kind>.json``, the body alone) reads as version 1 until the next
publication. Used by ``kiosk-central publish`` and by the operators' page and API.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from egov_protocol.documents import KINDS

#: How long a publication stays acceptable to terminals unless the operator says otherwise.
DEFAULT_VALID_DAYS = 365.0


class NotPublishable(ValueError):
    """The document is not a JSON object, the kind is not one terminals pull, or the validity
    is not a positive number of days."""


@dataclass(frozen=True)
class Publication:
    """One published document: its body, version, and when it was published and expires."""

    kind: str
    version: int
    body: dict
    published_at: datetime | None
    expires_at: datetime | None  # None: signed with the protocol's default validity

    @property
    def expiry(self) -> str:
        """When it expires (ISO 8601, seconds), or "the default validity" when unset."""
        if self.expires_at is None:
            return "the default validity"
        return self.expires_at.isoformat(timespec="seconds")


def parse_document(text: str) -> dict:
    """``text`` as a JSON object (``NotPublishable`` otherwise)."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise NotPublishable(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise NotPublishable("the document must be a JSON object")
    return body


def _path(published: Path, kind: str) -> Path:
    return published / f"{kind}.document.json"


def current(published: Path, kind: str) -> Publication | None:
    """The publication of ``kind`` terminals are served, or ``None`` if there is none."""
    try:
        record = json.loads(_path(published, kind).read_text(encoding="utf-8"))
    except FileNotFoundError:
        try:  # published before versions: the body alone
            body = json.loads((published / f"{kind}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return Publication(kind, 1, body, None, None)
    return Publication(kind, int(record["version"]), record["body"],
                       datetime.fromisoformat(record["published_at"]),
                       datetime.fromisoformat(record["expires_at"]))


def publish(published: Path, kind: str, body: dict, valid_days: float = DEFAULT_VALID_DAYS,
            now: datetime | None = None) -> Publication:
    """Publish ``body`` as the next version of ``kind``, acceptable for ``valid_days``."""
    if kind not in KINDS:
        raise NotPublishable(f"kind must be one of {', '.join(KINDS)}")
    if not 0 < valid_days <= 36500:  # also refuses NaN
        raise NotPublishable("the validity must be more than 0 days and at most 100 years")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    published.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(published / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the read of the last version and the write as one
        previous = current(published, kind)
        expires = now + timedelta(days=valid_days)
        publication = Publication(kind, (previous.version if previous else 0) + 1, body, now,
                                  expires)
        temporary = published / f".{kind}.tmp"
        temporary.write_text(json.dumps(
            {"version": publication.version, "published_at": now.isoformat(),
             "expires_at": expires.isoformat(), "body": body},
            ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(temporary, _path(published, kind))
    return publication
