"""Publishing a catalog, forms or settings document: the JSON object is written atomically to
``DATA_DIR/published/<kind>.json``; the documents router signs it for every terminal that asks.
Used by ``kiosk-central publish`` and by the operators' page."""

from __future__ import annotations

import json
from pathlib import Path

from egov_protocol.documents import KINDS


class NotPublishable(ValueError):
    """The document is not a JSON object, or the kind is not one terminals pull."""


def parse_document(text: str) -> dict:
    """``text`` as a JSON object (``NotPublishable`` otherwise)."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise NotPublishable(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise NotPublishable("the document must be a JSON object")
    return body


def publish(published: Path, kind: str, body: dict) -> None:
    """Replace the published document of ``kind`` with ``body`` (atomic rename)."""
    if kind not in KINDS:
        raise NotPublishable(f"kind must be one of {', '.join(KINDS)}")
    published.mkdir(parents=True, exist_ok=True)
    temporary = published / f".{kind}.tmp"
    temporary.write_text(json.dumps(body, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    temporary.replace(published / f"{kind}.json")
