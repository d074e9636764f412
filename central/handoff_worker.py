"""The background worker that delivers the hand-off outbox (``central.handoff``) as signed
webhooks (``egov_protocol.webhooks``).

Each platform process runs one (started with the app, stopped with it); several may run at
once, since each event attempt is claimed by exactly one. An attempt succeeds on a 2xx answer;
any other answer, a refused connection or no answer within ``timeout_s`` is a failure, retried
after the backoff. The outgoing body is signed afresh at every attempt (a new timestamp), the
event id stays the same.

Thread rule: :meth:`run_once` on any thread; :meth:`start` runs it on a thread of its own every
``interval_s`` until :meth:`stop`.
"""

from __future__ import annotations

import logging
import threading
import time

import httpx

from egov_protocol.webhooks import EVENT_HEADER, EVENT_ID_HEADER, signed_headers

from .handoff import DueEvent, HandoffOutbox

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0
INTERVAL_S = 5.0


class HandoffWorker:
    """Delivers due events of one outbox."""

    def __init__(self, outbox: HandoffOutbox, *, timeout_s: float = TIMEOUT_S,
                 interval_s: float = INTERVAL_S) -> None:
        """Deliver ``outbox``'s events, each attempt given ``timeout_s``."""
        self.outbox = outbox
        self.timeout_s = timeout_s
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _attempt(self, client: httpx.Client, event: DueEvent) -> None:
        integration = self.outbox.integrations.get(event.integration)
        if integration is None:
            self.outbox.failed(event.event_id, "the integration is no longer configured")
            return
        headers = {"Content-Type": "application/json", EVENT_HEADER: event.event,
                   EVENT_ID_HEADER: event.event_id,
                   **signed_headers(integration.secret, int(time.time()), event.body)}
        try:
            answer = client.post(integration.url, content=event.body, headers=headers)
        except httpx.TimeoutException:
            error = f"no answer within {self.timeout_s:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: could not reach {integration.url}"
        else:
            if answer.is_success:
                self.outbox.delivered(event.event_id)
                return
            error = f"HTTP {answer.status_code}"
        state = self.outbox.failed(event.event_id, error)
        # Event ids and receipt numbers only: the body holds personal data.
        log.warning("hand-off %s to %s failed (%s); now %s", event.event_id, event.integration,
                    error, state)

    def run_once(self) -> int:
        """Attempt every due event once; returns how many were attempted."""
        events = self.outbox.claim_due()
        if not events:
            return 0
        with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
            for event in events:
                self._attempt(client, event)
        return len(events)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
            except Exception:  # the database may be briefly away: try again next round
                log.exception("hand-off round failed")
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        """Run in the background (a daemon thread) until :meth:`stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="handoff-worker",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the background thread and wait for its current attempt to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
