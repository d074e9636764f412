"""Store-and-forward by hand: the outbox to a USB folder, and the platform's acknowledgements back.

``export_outbox`` writes each unsent submission, still sealed, as ``outbox-<id>.json`` (atomic
write); ``kiosk-central import DIR`` replays them through the platform's idempotent path and writes
``acks.json``, signed by the platform. ``import_acks`` verifies that signature with the enrolled
platform key and marks only records whose digest matches as acknowledged, so a forged or mistyped
file cannot make the terminal forget a submission.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from egov_protocol.documents import DocumentError, verify_document
from offline_cache import Outbox, Store, SyncState

from .enrollment import Enrollment

ACKS_FILE = "acks.json"


def export_outbox(store: Store, folder: Path, terminal_id: str) -> int:
    """Write every unsent submission of ``store`` into ``folder``; returns how many. Owner thread."""
    folder.mkdir(parents=True, exist_ok=True)
    outbox = Outbox(store)
    written = 0
    for submission_id in SyncState(store).unsent_ids():
        record = outbox.get(submission_id)
        if record.sealed is None:
            continue
        item = {"id": record.id, "receipt_number": record.receipt_number,
                "terminal_id": terminal_id, "digest": record.digest,
                "envelope_b64": base64.b64encode(record.sealed).decode("ascii"),
                "blobs": {ref: base64.b64encode(data).decode("ascii")
                          for ref, data in outbox.blobs_for(record.id).items()}}
        target = folder / f"outbox-{record.id}.json"
        temporary = folder / f".outbox-{record.id}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(item, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)
        written += 1
    return written


def import_acks(store: Store, folder: Path) -> int:
    """Mark the submissions acknowledged in ``folder/acks.json``; returns how many changed.

    Raises ``ValueError`` when the file is not signed by the enrolled platform."""
    keys = Enrollment(Path(store.path).parent).platform_keys()
    if keys is None:
        raise ValueError("this terminal is not enrolled: cannot verify acknowledgements")
    try:
        data = json.loads((folder / ACKS_FILE).read_text(encoding="utf-8"))
        document = verify_document(data, "acks", keys.ed25519_public)
    except (OSError, ValueError, DocumentError) as exc:
        raise ValueError(f"{folder / ACKS_FILE} is not usable: {exc}") from None
    outbox = Outbox(store)
    now = datetime.now(UTC)
    changed = 0
    for ack in document["body"].get("acks", []):
        try:
            record = outbox.get(str(ack["id"]))
        except (KeyError, TypeError):
            continue
        if record.digest != ack.get("digest") or record.state.value in ("acked", "purged"):
            continue
        outbox.mark_acked(record.id, str(ack["central_receipt"]), now)
        changed += 1
    return changed
