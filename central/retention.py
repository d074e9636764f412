"""Retention of case data: what a case held is purged a set time after the case was
completed (办结); the platform trail and the case's statuses stay.

The case handling reports each completion (``note_completed``, from its "case completed"
hook); ``kiosk-central purge-expired`` (run daily, e.g. by a systemd timer) or
:meth:`Retention.purge_expired` then purges every case whose period has run out
(``KIOSK_CENTRAL_RETENTION_DAYS``, default 180 days after completion):

- the submission's decrypted payload (replaced by ``{"purged": true}``) and its sealed
  envelope, the bytes of its attachments, its detached blobs that no other submission
  references (their segment files go at the next ``collect-blobs`` once nothing in them is
  referenced), and the bodies of its hand-off events;
- whatever else the case handling registered in ``Retention.purgers`` (its own decrypted
  copies), in the same transaction;
- one trail entry per purged case (``platform``, ``purged case data``, the submission id).

Issued documents stay: a certificate must remain verifiable for as long as it is used; their
PDFs are sealed at rest (``central.at_rest``).

Thread rule: any thread; each case is purged in a transaction of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from .certificate_tables import case_retention as kept
from .certificate_tables import handoff_outbox
from .tables import blobs as _blobs
from .tables import submission_attachments as _attachments
from .tables import submissions as _submissions

RETENTION_ENV = "KIOSK_CENTRAL_RETENTION_DAYS"
DEFAULT_DAYS = 180.0
PURGED_PAYLOAD = '{"purged": true}'
ACTOR = "platform"



def retention_days(value: str | float | None = None) -> float:
    """The retention period in days: ``value``, else ``$KIOSK_CENTRAL_RETENTION_DAYS``, else
    180. Raises ``ValueError`` for a negative or unreadable value."""
    if value is None or value == "":
        value = os.environ.get(RETENTION_ENV) or DEFAULT_DAYS
    days = float(value)
    if not days >= 0:
        raise ValueError(f"the retention period must be 0 days or more, not {value!r}")
    return days


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Retention:
    """Records completions and purges expired case data."""

    def __init__(self, db, trail, *, days: float | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``db``: the platform database; ``trail``: the platform trail
        (``central.trail.PlatformTrail``); ``days``: the period (default
        :func:`retention_days`); ``clock``: the time (tests give a fake one)."""
        self.db = db
        self.trail = trail
        self.days = retention_days(days)
        self.clock = clock
        #: Called as ``purger(connection, submission_id)`` inside each purge's transaction.
        self.purgers: list[Callable[[object, str], None]] = []

    def note_completed(self, submission_id: str, receipt_number: str,
                       completed_at: datetime, tx=None) -> None:
        """Start the retention period of a completed case (a second call for the same case,
        e.g. a completion recorded again, keeps the first). The period is the one in force
        when purging: a changed setting applies to every case. ``tx``: the caller's open
        transaction (the completion and this commit together); without it, one of its own."""
        row = kept.insert().values(submission_id=submission_id, receipt_number=receipt_number,
                                   completed_at=_iso(completed_at))
        if tx is not None:
            exists_already = tx.execute(select(kept.c.submission_id).where(
                kept.c.submission_id == submission_id)).first()
            if exists_already is None:
                tx.execute(row)
            return
        try:
            with self.db.transaction() as own:
                own.execute(row)
        except IntegrityError:
            pass

    def expired(self) -> list[str]:
        """Submission ids whose period has run out and that are not purged yet."""
        cutoff = _iso(self.clock() - timedelta(days=self.days))
        with self.db.transaction(write=False) as tx:
            return list(tx.execute(select(kept.c.submission_id).where(
                kept.c.purged_at.is_(None), kept.c.completed_at <= cutoff)
                .order_by(kept.c.completed_at)).scalars())

    def purge_expired(self) -> list[str]:
        """Purge every expired case (see the module docstring); returns the submission ids
        purged."""
        purged = []
        for submission_id in self.expired():
            self._purge(submission_id)
            self.trail.record(ACTOR, "purged case data", submission_id)
            purged.append(submission_id)
        return purged

    def _purge(self, submission_id: str) -> None:
        with self.db.transaction() as tx:
            receipt = tx.execute(select(kept.c.receipt_number).where(
                kept.c.submission_id == submission_id)).scalar_one()
            refs = set(tx.execute(select(_attachments.c.sha256).where(
                _attachments.c.submission_id == submission_id)).scalars())
            tx.execute(update(_submissions).where(_submissions.c.id == submission_id)
                       .values(payload=PURGED_PAYLOAD, envelope=b""))
            tx.execute(update(_attachments).where(
                _attachments.c.submission_id == submission_id).values(content=b""))
            others = exists().where(and_(_attachments.c.sha256 == _blobs.c.sha256,
                                         _attachments.c.submission_id != submission_id))
            if refs:
                tx.execute(delete(_blobs).where(_blobs.c.sha256.in_(sorted(refs)), ~others))
            events = handoff_outbox.c.receipt_number == receipt
            # An event still undelivered after the whole period will not be: a dead letter,
            # and one that can no longer be replayed (its body is gone).
            tx.execute(update(handoff_outbox).where(events, handoff_outbox.c.state == "pending")
                       .values(state="dead", last_error="the case's data was purged"))
            tx.execute(update(handoff_outbox).where(events).values(sealed_body=b""))
            for purger in self.purgers:
                purger(tx, submission_id)
            tx.execute(update(kept).where(kept.c.submission_id == submission_id)
                       .values(purged_at=_iso(self.clock())))
