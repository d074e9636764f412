"""Handing accepted cases to the business systems: a durable outbox, its dead letters, and the
status updates that come back.

The case handling calls, with plain data (what the business system needs: receipt number,
service, the applicant and the form's answers)::

    request.app.state.handoff.enqueue_case_accepted(case_facts)   # -> the events' ids

One event per integration that takes the service (``central.integrations``) is written to the
``handoff_outbox`` table, its body sealed at rest (``central.at_rest``), in state ``pending``.
``central.handoff_worker`` delivers what is due; a failed attempt is retried after an
exponential backoff (``BASE_DELAY_S`` doubling up to ``MAX_DELAY_S``, with a little jitter),
and after ``MAX_ATTEMPTS`` the event is ``dead``: a dead letter that operators see and replay.
A delivery in progress holds a lease (``lease_until``); a worker that died mid-delivery leaves
the lease to expire and another picks the event up, so nothing is lost across restarts. The
event id is the receiver's idempotency key: a repeated delivery has no second effect.

Thread rule: any thread, any worker process; claiming an event is one conditional UPDATE, so
two workers never deliver the same attempt.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from egov_protocol.webhooks import CASE_ACCEPTED, StatusUpdate

from .at_rest import AtRestKeys
from .certificate_tables import handoff_outbox as outbox
from .certificate_tables import handoff_status_updates as updates
from .integrations import IntegrationRegistry

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
BASE_DELAY_S = 30.0
MAX_DELAY_S = 3600.0
MAX_ATTEMPTS = 8
LEASE_S = 120.0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def backoff_s(attempts: int, event_id: str, base_s: float = BASE_DELAY_S,
              cap_s: float = MAX_DELAY_S) -> float:
    """Seconds to wait after the ``attempts``-th failure: ``base_s`` doubling each time, capped
    at ``cap_s``, less up to 20 % of jitter fixed by the event id and attempt (events that
    failed together do not all come back in the same second)."""
    delay = min(cap_s, base_s * 2 ** max(attempts - 1, 0))
    spread = hashlib.sha256(f"{event_id}:{attempts}".encode()).digest()[0] / 255
    return delay * (1 - 0.2 * spread)


@dataclass(frozen=True)
class DueEvent:
    """An event claimed for one delivery attempt."""

    event_id: str
    integration: str
    event: str
    receipt_number: str
    body: bytes
    attempts: int


class HandoffOutbox:
    """The outbox of case events, its dead letters and the status updates received."""

    def __init__(self, db, keys: AtRestKeys, integrations: IntegrationRegistry, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 max_attempts: int = MAX_ATTEMPTS, base_delay_s: float = BASE_DELAY_S) -> None:
        """``db``: the platform database; ``clock``: the time (tests give a fake one)."""
        self.db = db
        self.keys = keys
        self.integrations = integrations
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        #: Called as ``listener(connection, integration id, StatusUpdate)`` for each new
        #: status update, inside the transaction that stores it (the case handling registers
        #: here): if a listener fails, nothing is stored and the sender's retry is not taken
        #: for a duplicate. Runs on the request's pool thread.
        self.status_listeners: list[Callable[[object, str, StatusUpdate], None]] = []

    def enqueue_case_accepted(self, case_facts: dict, tx=None) -> list[str]:
        """Queue ``case.accepted`` for every integration that takes ``case_facts
        ["service_id"]``; ``case_facts`` needs ``receipt_number`` and ``service_id`` and is
        sent as the event's ``case``. Returns the new events' ids (none without a taker).
        ``tx``: the caller's open transaction (the acceptance and its events commit
        together); without it, a transaction of its own (never call it without ``tx`` while
        this thread holds a write transaction: SQLite's writer lock is not re-entrant)."""
        if tx is None:
            with self.db.transaction() as own:
                return self.enqueue_case_accepted(case_facts, own)
        receipt, service = str(case_facts["receipt_number"]), str(case_facts["service_id"])
        now = self.clock()
        ids = []
        for integration in self.integrations.all().values():
            if not integration.takes(service):
                continue
            event_id = f"evt_{secrets.token_urlsafe(16)}"
            body = json.dumps({"event": CASE_ACCEPTED, "event_id": event_id,
                               "occurred_at": _iso(now), "case": case_facts},
                              ensure_ascii=False, default=str).encode()
            tx.execute(insert(outbox).values(
                event_id=event_id, integration=integration.id, event=CASE_ACCEPTED,
                receipt_number=receipt, sealed_body=self.keys.seal(body, event_id),
                state=PENDING, attempts=0, next_attempt_at=_iso(now),
                created_at=_iso(now)))
            ids.append(event_id)
        return ids

    def claim_due(self, limit: int = 20, lease_s: float = LEASE_S) -> list[DueEvent]:
        """Claim up to ``limit`` pending events that are due and not leased by another
        worker, each for ``lease_s``."""
        now = _iso(self.clock())
        until = _iso(self.clock() + timedelta(seconds=lease_s))
        free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)
        due = and_(outbox.c.state == PENDING, outbox.c.next_attempt_at <= now, free)
        with self.db.transaction(write=False) as tx:
            rows = tx.execute(select(outbox).where(due).order_by(outbox.c.next_attempt_at)
                              .limit(limit)).mappings().all()
        claimed = []
        for row in rows:
            with self.db.transaction() as tx:
                won = tx.execute(update(outbox).where(outbox.c.event_id == row["event_id"], due)
                                 .values(lease_until=until)).rowcount
            if won:
                claimed.append(DueEvent(
                    row["event_id"], row["integration"], row["event"], row["receipt_number"],
                    self.keys.open(bytes(row["sealed_body"]), row["event_id"]),
                    row["attempts"]))
        return claimed

    def delivered(self, event_id: str) -> None:
        """Record a successful delivery."""
        now = _iso(self.clock())
        with self.db.transaction() as tx:
            tx.execute(update(outbox).where(outbox.c.event_id == event_id).values(
                state=DELIVERED, attempts=outbox.c.attempts + 1, lease_until=None,
                last_error=None, finished_at=now))

    def failed(self, event_id: str, error: str) -> str:
        """Record a failed attempt: retried after the backoff, or dead after the last allowed
        attempt. Returns the event's new state."""
        now = self.clock()
        with self.db.transaction() as tx:
            attempts = tx.execute(select(outbox.c.attempts).where(
                outbox.c.event_id == event_id)).scalar_one() + 1
            dead = attempts >= self.max_attempts
            after = now + timedelta(seconds=backoff_s(attempts, event_id, self.base_delay_s))
            tx.execute(update(outbox).where(outbox.c.event_id == event_id).values(
                attempts=attempts, lease_until=None, last_error=error[:500],
                state=DEAD if dead else PENDING, next_attempt_at=_iso(after),
                finished_at=_iso(now) if dead else None))
        return DEAD if dead else PENDING

    def events(self, state: str | None = None, limit: int = 200) -> list[dict]:
        """Events (newest first) without their bodies, optionally of one ``state``."""
        query = select(outbox.c.event_id, outbox.c.integration, outbox.c.event,
                       outbox.c.receipt_number, outbox.c.state, outbox.c.attempts,
                       outbox.c.next_attempt_at, outbox.c.last_error, outbox.c.created_at,
                       outbox.c.finished_at)
        if state is not None:
            query = query.where(outbox.c.state == state)
        with self.db.transaction(write=False) as tx:
            return [dict(row) for row in tx.execute(
                query.order_by(outbox.c.created_at.desc()).limit(limit)).mappings()]

    def counts(self) -> dict[str, int]:
        """Events per state."""
        with self.db.transaction(write=False) as tx:
            rows = tx.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state))
            return {state: count for state, count in rows}

    def replay(self, event_id: str) -> bool:
        """Send a dead letter again from now, with a fresh count of attempts; False when
        ``event_id`` is not a dead letter, or its case's data was purged."""
        with self.db.transaction() as tx:
            return tx.execute(update(outbox).where(
                outbox.c.event_id == event_id, outbox.c.state == DEAD,
                func.length(outbox.c.sealed_body) > 0).values(  # not purged (central.retention)
                state=PENDING, attempts=0, next_attempt_at=_iso(self.clock()),
                lease_until=None, finished_at=None)).rowcount == 1

    def accept_status_update(self, integration_id: str, update_: StatusUpdate) -> bool:
        """Store a status update once; True when it is new (the listeners were told, in the
        same transaction), False when this integration sent this ``update_id`` before."""
        try:
            with self.db.transaction() as tx:
                tx.execute(insert(updates).values(
                    integration=integration_id, update_id=update_.update_id,
                    receipt_number=update_.receipt_number, status=update_.status,
                    note=update_.note, occurred_at=_iso(update_.occurred_at),
                    received_at=_iso(self.clock())))
                for listener in self.status_listeners:
                    listener(tx, integration_id, update_)
        except IntegrityError:
            return False
        return True

    def status_updates(self, receipt_number: str) -> list[dict]:
        """The status updates received for a case, oldest first."""
        with self.db.transaction(write=False) as tx:
            return [dict(row) for row in tx.execute(
                select(updates).where(updates.c.receipt_number == receipt_number)
                .order_by(updates.c.occurred_at, updates.c.received_at)).mappings()]
