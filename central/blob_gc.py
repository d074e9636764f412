"""Collecting blob segments nothing references (``kiosk-central collect-blobs``, and at start).

A segment is written and made durable *before* the transaction that records its blobs
(``central.blobs``), so a transaction that fails or loses a race (another request stored the same
blob first) leaves a segment no row names. Such a segment is deleted once it is older than
``min_age_s``: a younger one may belong to a transaction still under way.
"""

from __future__ import annotations

import time

from sqlalchemy import select

from .store import CentralStore
from .tables import blobs

MIN_AGE_S = 3600.0


def collect_segments(store: CentralStore, min_age_s: float = MIN_AGE_S) -> list[str]:
    """Delete unreferenced segment files older than ``min_age_s``; returns their names. Any
    thread; a PostgreSQL store (blobs in the database) has none."""
    if store.segments is None or not store.segments.directory.is_dir():
        return []
    root = store.segments.directory
    with store.db.transaction(write=False) as conn:
        referenced = set(conn.scalars(select(blobs.c.segment).distinct()
                                      .where(blobs.c.segment.is_not(None))))
    cutoff = time.time() - min_age_s
    removed = []
    for path in sorted(root.glob("*/*.seg")):
        name = path.relative_to(root).as_posix()
        try:
            if name in referenced or path.stat().st_mtime > cutoff:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(name)
    return removed
