"""好差评 on the platform: ratings arrive as submissions with ``form_id`` ``_rating`` (see
``kiosk/rating.py``), stored once by id like any submission; this counts them per level for the
operators' page and ``GET /v1/ratings`` (``central.routers.operators``). No personal data is involved.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from egov_protocol.protocol import RATING_FORM_ID

from .store import CentralStore
from .tables import submissions

LEVELS = (5, 4, 3, 2, 1)


def rating_counts(store: CentralStore) -> dict[int, int]:
    """Ratings received per level 1..5 (every level present); unreadable payloads are skipped."""
    counts = dict.fromkeys(sorted(LEVELS), 0)
    with store.db.transaction(write=False) as conn:
        payloads = list(conn.scalars(select(submissions.c.payload)
                                     .where(submissions.c.form_id == RATING_FORM_ID)))
    for payload in payloads:
        try:
            level = json.loads(payload).get("level")
        except (ValueError, TypeError, AttributeError):
            continue
        if isinstance(level, int) and not isinstance(level, bool) and level in counts:
            counts[level] += 1
    return counts

