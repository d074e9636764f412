"""The cases in the platform database: one per received application, its submissions (the first
and any 补正 re-submissions), its status history, and the throttle of the public lookup.

Tables (``central/migrations/versions/0004_cases.py``, ``0006_submission_tokens.py``): ``cases``
(status, what the citizen is told, the hashed progress token, the keyed hash of the applicant's
document number -- never the number), ``case_submissions`` (with each submission's own token
hash), ``case_events`` (the history; its ``id`` is the cursor of the
terminals' status feed) and ``progress_lookup_failures``. Statuses move only by
``central.cases.transition``.

Thread rule: any thread. Writers of ``case_events`` take a transaction-scoped advisory lock per
terminal on PostgreSQL, so the event ids of one terminal's cases commit in order and its cursor
never skips one. Queries are
SQLAlchemy Core on the tables of ``central.cases_tables``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, exists, func, insert, or_, select, text, update

from egov_protocol.protocol import RATING_FORM_ID

from .cases import CORRECTIONS_REQUESTED, RECEIVED, RESUBMIT, RESUBMITTED, Transition, transition
from .cases_tables import case_events, case_submissions, cases, progress_lookup_failures
from .db import Database
from .tables import submissions, terminals

#: The advisory lock class of a terminal's case events (with the hash of its id).
EVENT_LOCK = 7003
LOOKUP_WINDOW_S = 15 * 60
MAX_LOOKUP_FAILURES_PER_ADDRESS = 10
MAX_LOOKUP_FAILURES_PER_RECEIPT = 5
_CASE = (cases.c.case_id, cases.c.receipt_number, cases.c.service_id, cases.c.site,
         cases.c.terminal_id, cases.c.status, cases.c.received_at, cases.c.updated_at,
         cases.c.citizen_note, cases.c.result)
#: The case of a receipt number: any submission filed under it.
_BY_RECEIPT = (cases.join(case_submissions, case_submissions.c.case_id == cases.c.case_id)
               .join(submissions, submissions.c.id == case_submissions.c.submission_id))


def _one(conn: Connection, statement) -> dict | None:
    row = conn.execute(statement).mappings().first()
    return None if row is None else dict(row)


def _all(conn: Connection, statement) -> list[dict]:
    return [dict(row) for row in conn.execute(statement).mappings()]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class LookupThrottled(Exception):
    """Too many failed progress lookups from this address or for this receipt number."""


@dataclass(frozen=True)
class CaseIntake:
    """What the platform files when a submission arrives (no personal data: the document
    number only as its keyed hash)."""

    submission_id: str
    receipt_number: str
    service_id: str | None
    site: str | None
    terminal_id: str
    received_at: str
    person_hash: str | None
    #: SHA-256 of the progress token of a case opened by this submission (the terminal's,
    #: printed on the receipt, when the payload carries one).
    token_hash: str
    #: The receipt number a 补正 re-submission names (``egov_protocol.cases.CORRECTS_FIELD``).
    corrects_receipt: str | None = None
    #: The platform's own token hash, used instead when ``token_hash`` is taken by another case
    #: (a terminal sending a hash twice must not stop the submission being stored).
    fallback_token_hash: str | None = None


@dataclass(frozen=True)
class QueueFilter:
    """The case workers' queue: each set field narrows it."""

    service_id: str = ""
    site: str = ""
    terminal_id: str = ""
    status: str = ""
    #: Only cases received at least this many days ago.
    min_age_days: float = 0
    receipt_number: str = ""


class CaseStore:
    """Cases, their submissions and history in the platform database ``db``."""

    def __init__(self, db: Database) -> None:
        """Use the platform database ``db`` (its schema already upgraded)."""
        self.db = db

    def _event(self, conn: Connection, case_id: str, terminal_id: str, actor: str, action: str,
               before: str | None, after: str, note: str, at: str) -> None:
        self._serialise_events(conn, terminal_id)
        conn.execute(insert(case_events).values(case_id=case_id, at=at, actor=actor,
                                                action=action, from_status=before, status=after,
                                                note=note))

    def _serialise_events(self, conn: Connection, terminal_id: str) -> None:
        """On PostgreSQL, serialise the events of the cases one terminal took: their ids then
        commit in order, and that terminal's feed (``updates``) never passes over one still
        uncommitted. Other terminals' cases go on in parallel; SQLite's write transactions are
        serial already."""
        if self.db.postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:lock, hashtext(:terminal))"),
                         {"lock": EVENT_LOCK, "terminal": terminal_id})

    # -- filing what arrives ---------------------------------------------------------------------

    def file(self, intakes: list[CaseIntake]) -> dict[str, str]:
        """File arriving submissions in one transaction, idempotently: a submission already
        filed keeps its case; a re-submission naming a case that awaits corrections, of the
        same person and service, joins that case (status ``resubmitted``); any other opens a
        case of its own (``received``). Returns the case id of each submission id."""
        with self.db.transaction() as conn:
            return self.file_in(conn, intakes)

    def file_in(self, conn: Connection, intakes: list[CaseIntake]) -> dict[str, str]:
        """``file`` inside the caller's transaction (the one that stores the submissions)."""
        filed: dict[str, str] = {}
        for intake in intakes:
            case_id = conn.execute(select(case_submissions.c.case_id).where(
                case_submissions.c.submission_id == intake.submission_id)).scalar()
            filed[intake.submission_id] = case_id or self._file_one(conn, intake)
        return filed

    def _file_one(self, conn: Connection, intake: CaseIntake) -> str:
        actor = f"terminal:{intake.terminal_id}"
        note = ""
        if intake.corrects_receipt:
            earlier = self._case_by_receipt(conn, intake.corrects_receipt)
            problem = _why_not_linked(earlier, intake)
            if problem is None and earlier is not None:
                step = transition(earlier["status"], RESUBMIT,
                                  f"补正提交 re-submitted as {intake.receipt_number}")
                conn.execute(insert(case_submissions).values(
                    submission_id=intake.submission_id, case_id=earlier["case_id"],
                    linked_at=intake.received_at, token_hash=intake.token_hash))
                self._apply(conn, earlier["case_id"], earlier["terminal_id"], step, actor,
                            intake.received_at)
                return earlier["case_id"]
            note = f"names earlier receipt {intake.corrects_receipt}, not linked: {problem}"
        token = intake.token_hash
        if intake.fallback_token_hash and conn.execute(select(cases.c.case_id).where(
                cases.c.token_hash == token)).first() is not None:
            token = intake.fallback_token_hash
        conn.execute(insert(cases).values(
            case_id=intake.submission_id, receipt_number=intake.receipt_number,
            service_id=intake.service_id, site=intake.site, terminal_id=intake.terminal_id,
            status=RECEIVED, received_at=intake.received_at, updated_at=intake.received_at,
            person_hash=intake.person_hash, token_hash=token, citizen_note=""))
        conn.execute(insert(case_submissions).values(
            submission_id=intake.submission_id, case_id=intake.submission_id,
            linked_at=intake.received_at, token_hash=token))
        self._event(conn, intake.submission_id, intake.terminal_id, actor, "receive", None,
                    RECEIVED, note, intake.received_at)
        return intake.submission_id

    @staticmethod
    def _case_by_receipt(conn: Connection, receipt_number: str) -> dict | None:
        return _one(conn, select(*_CASE, cases.c.person_hash).select_from(_BY_RECEIPT)
                    .where(submissions.c.receipt_number == receipt_number))

    def unfiled(self, limit: int = 500) -> list[dict]:
        """Applications received but not filed as cases (a platform that stopped between the
        two writes, or a database from before cases): id, receipt, terminal, payload."""
        s = submissions.c
        filed = exists().where(case_submissions.c.submission_id == s.id)
        with self.db.transaction(write=False) as conn:
            return _all(conn, select(s.id, s.receipt_number, s.terminal_id, s.service_id,
                                     s.received_at, s.payload, terminals.c.site)
                        .select_from(submissions.outerjoin(
                            terminals, terminals.c.terminal_id == s.terminal_id))
                        .where(func.coalesce(s.form_id, "") != RATING_FORM_ID, ~filed)
                        .order_by(s.received_at, s.id).limit(limit))

    # -- reading ---------------------------------------------------------------------------------

    def case_of_submission(self, submission_id: str) -> str | None:
        """The case a submission is filed under, or None."""
        with self.db.transaction(write=False) as conn:
            return conn.execute(select(case_submissions.c.case_id).where(
                case_submissions.c.submission_id == submission_id)).scalar()

    def queue(self, where: QueueFilter, limit: int = 200, offset: int = 0
              ) -> tuple[int, list[dict]]:
        """``(total, page)`` of cases matching ``where``, oldest first (the longest waiting
        on top); each with how many submissions it holds."""
        c = cases.c
        conditions = [column == value for column, value in (
            (c.service_id, where.service_id), (c.site, where.site),
            (c.terminal_id, where.terminal_id), (c.status, where.status)) if value]
        if where.min_age_days > 0:
            conditions.append(c.received_at <= (datetime.now(UTC) - timedelta(
                days=where.min_age_days)).isoformat(timespec="microseconds"))
        if where.receipt_number:
            conditions.append(exists().select_from(
                case_submissions.join(submissions,
                                      submissions.c.id == case_submissions.c.submission_id))
                .where(case_submissions.c.case_id == c.case_id,
                       submissions.c.receipt_number == where.receipt_number.strip()))
        held = (select(func.count()).select_from(case_submissions)
                .where(case_submissions.c.case_id == c.case_id).scalar_subquery())
        with self.db.transaction(write=False) as conn:
            total = conn.execute(select(func.count()).select_from(cases)
                                 .where(*conditions)).scalar() or 0
            rows = _all(conn, select(*_CASE, held.label("submissions")).where(*conditions)
                        .order_by(c.received_at, c.case_id).limit(limit).offset(offset))
        return total, rows

    def facets(self) -> dict[str, list[str]]:
        """The services, sites and terminals that have cases (the queue's filter choices)."""
        with self.db.transaction(write=False) as conn:
            return {name: list(conn.execute(
                select(cases.c[name]).distinct().where(cases.c[name].is_not(None))
                .order_by(cases.c[name])).scalars())
                for name in ("service_id", "site", "terminal_id")}

    def case(self, receipt_number: str) -> dict | None:
        """A case by the receipt number of any of its submissions, with ``submissions``
        (oldest first: id, receipt number, received, terminal) and ``history`` (oldest
        first)."""
        s, e = submissions.c, case_events.c
        with self.db.transaction(write=False) as conn:
            row = self._case_by_receipt(conn, receipt_number)
            if row is None:
                return None
            row.pop("person_hash")
            row["submissions"] = _all(conn, select(s.id, s.receipt_number, s.received_at,
                                                   s.terminal_id)
                                      .select_from(case_submissions.join(
                                          submissions, s.id == case_submissions.c.submission_id))
                                      .where(case_submissions.c.case_id == row["case_id"])
                                      .order_by(s.received_at, s.id))
            row["history"] = _all(conn, select(e.id, e.at, e.actor, e.action, e.from_status,
                                               e.status, e.note)
                                  .where(e.case_id == row["case_id"]).order_by(e.id))
        return row

    def by_token(self, receipt_number: str, token_hash: str) -> dict | None:
        """The case holding receipt number ``receipt_number`` when ``token_hash`` is the hash
        of the token on that receipt (each submission keeps its own: a 补正 re-submission's
        receipt opens the case it joined) or of the case's first token; else None (the caller
        hashes; the comparison is in SQL on the hash, never on the token)."""
        with self.db.transaction(write=False) as conn:
            return _one(conn, select(*_CASE).select_from(_BY_RECEIPT).where(
                submissions.c.receipt_number == receipt_number,
                or_(case_submissions.c.token_hash == token_hash,
                    cases.c.token_hash == token_hash)))

    def with_person_hash(self, receipt_number: str) -> dict | None:
        """The case of ``receipt_number`` (any of its submissions) with its ``person_hash``,
        for the lookup by receipt and document number."""
        with self.db.transaction(write=False) as conn:
            return self._case_by_receipt(conn, receipt_number)

    def of_person(self, person_hash: str, limit: int = 50) -> list[dict]:
        """The cases of the person with this keyed hash, newest first."""
        with self.db.transaction(write=False) as conn:
            return _all(conn, select(*_CASE).where(cases.c.person_hash == person_hash)
                        .order_by(cases.c.received_at.desc()).limit(limit))

    def updates(self, terminal_id: str, since: int, limit: int) -> list[dict]:
        """Status changes after cursor ``since`` of the cases ``terminal_id`` took."""
        e = case_events.c
        with self.db.transaction(write=False) as conn:
            return _all(conn, select(e.id, e.at, e.status, e.note, cases.c.receipt_number)
                        .select_from(case_events.join(cases, cases.c.case_id == e.case_id))
                        .where(cases.c.terminal_id == terminal_id, e.id > since)
                        .order_by(e.id).limit(limit))

    # -- changing --------------------------------------------------------------------------------

    def act(self, case_id: str, action: str, actor: str, note: str = "",
            result: str | None = None, expected_status: str | None = None) -> Transition:
        """A case worker's action: the transition checked against the case's status as it is
        in this transaction (``TransitionRefused`` otherwise; also when ``expected_status`` is
        given and the case moved on since the worker looked), then the status and the history
        written."""
        from .cases import TransitionRefused

        with self.db.transaction() as conn:
            row = _one(conn, select(cases.c.status, cases.c.terminal_id)
                       .where(cases.c.case_id == case_id))
            if row is None:
                raise KeyError(case_id)
            self._serialise_events(conn, row["terminal_id"])  # also orders actions on the case
            status = conn.execute(select(cases.c.status)
                                  .where(cases.c.case_id == case_id)).scalar()
            if expected_status and status != expected_status:
                raise TransitionRefused("the case changed since the page was loaded: reload it")
            if status is None:
                raise TransitionRefused("the case is gone")
            step = transition(status, action, note, result)
            self._apply(conn, case_id, row["terminal_id"], step, actor, _now())
        return step

    def _apply(self, conn: Connection, case_id: str, terminal_id: str, step: Transition,
               actor: str, at: str) -> None:
        citizen = step.note if step.action != RESUBMIT else ""
        conn.execute(update(cases).where(cases.c.case_id == case_id).values(
            status=step.after, updated_at=at, citizen_note=citizen,
            result=func.coalesce(step.result, cases.c.result)))
        self._event(conn, case_id, terminal_id, actor, step.action, step.before, step.after,
                    step.note, at)

    # -- throttling the public lookup by receipt and document number ------------------------------

    def check_lookup(self, address: str, receipt_number: str) -> None:
        """Raise ``LookupThrottled`` when this address or receipt number failed too often in
        the last ``LOOKUP_WINDOW_S`` (checked before anything is compared)."""
        since = (datetime.now(UTC) - timedelta(seconds=LOOKUP_WINDOW_S)).isoformat()
        f = progress_lookup_failures.c
        count = select(func.count()).select_from(progress_lookup_failures)
        with self.db.transaction(write=False) as conn:
            by_address = conn.execute(count.where(f.address == address,
                                                  f.failed_at > since)).scalar() or 0
            by_receipt = conn.execute(count.where(f.receipt_number == receipt_number,
                                                  f.failed_at > since)).scalar() or 0
        if (by_address >= MAX_LOOKUP_FAILURES_PER_ADDRESS
                or by_receipt >= MAX_LOOKUP_FAILURES_PER_RECEIPT):
            raise LookupThrottled(f"too many failed lookups: try again in "
                                  f"{LOOKUP_WINDOW_S // 60} minutes")

    def lookup_failed(self, address: str, receipt_number: str) -> None:
        """Count one failed lookup (and forget those past the window)."""
        now = datetime.now(UTC)
        f = progress_lookup_failures.c
        with self.db.transaction() as conn:
            conn.execute(insert(progress_lookup_failures).values(
                address=address, receipt_number=receipt_number[:128],
                failed_at=now.isoformat()))
            conn.execute(delete(progress_lookup_failures).where(
                f.failed_at < (now - timedelta(seconds=LOOKUP_WINDOW_S)).isoformat()))


def _why_not_linked(earlier: dict | None, intake: CaseIntake) -> str | None:
    """Why a re-submission cannot join the case it names, or None when it can."""
    if earlier is None:
        return "no such case"
    if earlier["status"] != CORRECTIONS_REQUESTED:
        return "the case does not await corrections" if earlier["status"] != RESUBMITTED \
            else "the case was re-submitted already"
    if not intake.person_hash or earlier["person_hash"] != intake.person_hash:
        return "another applicant"
    if earlier["service_id"] != intake.service_id:
        return "another service"
    return None
