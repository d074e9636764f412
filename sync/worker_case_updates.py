"""The case-status half of ``SyncWorker``: after heartbeats and documents, pull the status changes
of the cases this terminal took (``GET /v1/case-updates``) and keep each receipt's latest status
in the terminal database (``offline_cache.case_statuses``) for staff.
Worker thread.

Each pass reads from the stored cursor, page after page (at most ``PAGES_PER_PASS``), and keeps
each page with its cursor in one transaction. Only the status, its time, the platform's next
step and the correction flag are kept: the case worker's note may name the citizen, so it is
dropped here. What goes wrong:

- the platform is offline or busy: ``CentralUnavailable`` reaches the pass, which ends and is
  tried again on the next one, from the same cursor;
- the answer is nonsense: logged (the error's kind, never the answer), event
  ``case_updates_rejected``, the cursor stays; the next pass asks again;
- 404, a platform older than the route: not asked again for ``ABSENT_RETRY_S`` (kept in the
  sync state, so a restart does not ask at once either);
- 401/403 reach the pass, which pauses the queue as for any refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from egov_protocol.errors import CentralProtocolError, CentralRejected
from offline_cache.case_statuses import CaseStatuses, ReceiptStatus

if TYPE_CHECKING:
    from offline_cache.state import SyncState

    from .client import CentralClient

log = logging.getLogger(__name__)

#: How long a platform without the route (404) is left alone.
ABSENT_RETRY_S = 6 * 3600.0
#: ``sync_state`` key: until when the platform is not asked (ISO time).
ABSENT_UNTIL = "case_updates_absent_until"
#: Pages read in one pass at most (200 changes each); the rest comes on the next pass.
PAGES_PER_PASS = 5


class CaseUpdatesPulling:
    """Mixin of ``SyncWorker``; uses the worker's members declared below."""

    _state: SyncState
    _client: CentralClient
    _clock: Callable[[], datetime]
    _emit: Callable[[str, dict[str, Any]], None]

    def _pull_case_updates(self) -> None:
        fetch = getattr(self._client, "fetch_case_updates", None)
        if fetch is None:  # a client that cannot ask (a test double, an offline transfer)
            return
        now = self._clock()
        absent_until = self._state.get(ABSENT_UNTIL)
        if absent_until is not None and now < datetime.fromisoformat(absent_until):
            return
        statuses = CaseStatuses(self._state.store)
        kept, answered = 0, False
        for _ in range(PAGES_PER_PASS):
            since = statuses.cursor()
            try:
                updates, cursor = fetch(since)
            except CentralProtocolError as exc:  # before CentralUnavailable: it is one too
                log.warning("case updates not read: the platform's answer was not understood (%s)",
                            type(exc).__name__)
                self._emit("case_updates_rejected", {"since": since})
                break
            except CentralRejected as exc:
                if exc.is_auth:
                    raise
                if exc.status == 404:
                    log.info("the platform has no case updates: not asked again for %d h",
                             ABSENT_RETRY_S // 3600)
                    self._state.put(ABSENT_UNTIL,
                                    (now + timedelta(seconds=ABSENT_RETRY_S)).isoformat())
                else:
                    log.warning("the platform refused the case updates request: %s", exc.status)
                break
            answered = True
            statuses.record([(u.cursor, ReceiptStatus(u.receipt_number, u.status, u.at, u.next_step,
                                                      u.correction_requested)) for u in updates],
                            cursor)
            kept += len(updates)
            if not updates or cursor == since:
                break
        if absent_until is not None and answered:  # the platform has the route now
            self._state.put(ABSENT_UNTIL, None)
        if kept:
            self._emit("case_statuses_updated", {"count": kept})
