"""The cases in the platform database: one per received application, its submissions (the first
and any 补正 re-submissions), its status history, and the throttle of the public lookup.

Tables (``central/migrations/versions/0005_cases.py``): ``cases`` (status, what the citizen is
told, the hashed progress token, the keyed hash of the applicant's document number -- never the
number), ``case_submissions``, ``case_events`` (the history; its ``id`` is the cursor of the
terminals' status feed) and ``progress_lookup_failures``. Statuses move only by
``central.cases.transition``.

Thread rule: any thread. Writers of ``case_events`` take a transaction-scoped advisory lock on
PostgreSQL, so event ids commit in order and a terminal's cursor never skips one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from egov_protocol.protocol import RATING_FORM_ID

from .cases import CORRECTIONS_REQUESTED, RECEIVED, RESUBMIT, RESUBMITTED, Transition, transition
from .db import Database, Tx

_EVENT_LOCK = 7003
LOOKUP_WINDOW_S = 15 * 60
MAX_LOOKUP_FAILURES_PER_ADDRESS = 10
MAX_LOOKUP_FAILURES_PER_RECEIPT = 5
_CASE_COLUMNS = ("c.case_id, c.receipt_number, c.service_id, c.site, c.terminal_id, c.status, "
                 "c.received_at, c.updated_at, c.citizen_note, c.result")


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
    #: SHA-256 of the progress token of a case opened by this submission.
    token_hash: str
    #: The receipt number a 补正 re-submission names (``egov_protocol.cases.CORRECTS_FIELD``).
    corrects_receipt: str | None = None


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

    def _event(self, tx: Tx, case_id: str, actor: str, action: str, before: str | None,
               after: str, note: str, at: str) -> None:
        if self.db.postgres:
            tx.run(f"SELECT pg_advisory_xact_lock({_EVENT_LOCK})")
        tx.run("INSERT INTO case_events (case_id, at, actor, action, from_status, status, note) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", (case_id, at, actor, action, before, after, note))

    # -- filing what arrives ---------------------------------------------------------------------

    def file(self, intakes: list[CaseIntake]) -> dict[str, str]:
        """File arriving submissions in one transaction, idempotently: a submission already
        filed keeps its case; a re-submission naming a case that awaits corrections, of the
        same person and service, joins that case (status ``resubmitted``); any other opens a
        case of its own (``received``). Returns the case id of each submission id."""
        filed: dict[str, str] = {}
        with self.db.transaction() as tx:
            for intake in intakes:
                row = tx.one("SELECT case_id FROM case_submissions WHERE submission_id = ?",
                             (intake.submission_id,))
                filed[intake.submission_id] = (row["case_id"] if row is not None
                                               else self._file_one(tx, intake))
        return filed

    def _file_one(self, tx: Tx, intake: CaseIntake) -> str:
        actor = f"terminal:{intake.terminal_id}"
        note = ""
        if intake.corrects_receipt:
            earlier = self._case_by_receipt(tx, intake.corrects_receipt)
            problem = _why_not_linked(earlier, intake)
            if problem is None:
                step = transition(earlier["status"], RESUBMIT,
                                  f"补正提交 re-submitted as {intake.receipt_number}")
                tx.run("INSERT INTO case_submissions (submission_id, case_id, linked_at) "
                       "VALUES (?, ?, ?)", (intake.submission_id, earlier["case_id"],
                                            intake.received_at))
                self._apply(tx, earlier["case_id"], step, actor, intake.received_at)
                return earlier["case_id"]
            note = f"names earlier receipt {intake.corrects_receipt}, not linked: {problem}"
        tx.run("INSERT INTO cases (case_id, receipt_number, service_id, site, terminal_id, "
               "status, received_at, updated_at, person_hash, token_hash, citizen_note) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
               (intake.submission_id, intake.receipt_number, intake.service_id, intake.site,
                intake.terminal_id, RECEIVED, intake.received_at, intake.received_at,
                intake.person_hash, intake.token_hash))
        tx.run("INSERT INTO case_submissions (submission_id, case_id, linked_at) VALUES (?, ?, ?)",
               (intake.submission_id, intake.submission_id, intake.received_at))
        self._event(tx, intake.submission_id, actor, "receive", None, RECEIVED, note,
                    intake.received_at)
        return intake.submission_id

    def _case_by_receipt(self, tx: Tx, receipt_number: str) -> dict | None:
        return tx.one(
            f"SELECT {_CASE_COLUMNS}, c.person_hash FROM cases c JOIN case_submissions cs ON "
            "cs.case_id = c.case_id JOIN submissions s ON s.id = cs.submission_id "
            "WHERE s.receipt_number = ?", (receipt_number,))

    def unfiled(self, limit: int = 500) -> list[dict]:
        """Applications received but not filed as cases (a platform that stopped between the
        two writes, or a database from before cases): id, receipt, terminal, payload."""
        with self.db.transaction(write=False) as tx:
            return tx.all(
                "SELECT s.id, s.receipt_number, s.terminal_id, s.service_id, s.received_at, "
                "s.payload, t.site FROM submissions s LEFT JOIN terminals t ON "
                "t.terminal_id = s.terminal_id WHERE coalesce(s.form_id, '') <> ? AND NOT "
                "EXISTS (SELECT 1 FROM case_submissions cs WHERE cs.submission_id = s.id) "
                "ORDER BY s.received_at, s.id LIMIT ?", (RATING_FORM_ID, limit))

    # -- reading ---------------------------------------------------------------------------------

    def case_of_submission(self, submission_id: str) -> str | None:
        """The case a submission is filed under, or None."""
        with self.db.transaction(write=False) as tx:
            row = tx.one("SELECT case_id FROM case_submissions WHERE submission_id = ?",
                         (submission_id,))
        return None if row is None else row["case_id"]

    def queue(self, where: QueueFilter, limit: int = 200, offset: int = 0
              ) -> tuple[int, list[dict]]:
        """``(total, page)`` of cases matching ``where``, oldest first (the longest waiting
        on top); each with how many submissions it holds."""
        clauses, args = [], []
        for column, value in (("c.service_id", where.service_id), ("c.site", where.site),
                              ("c.terminal_id", where.terminal_id), ("c.status", where.status)):
            if value:
                clauses.append(f"{column} = ?")
                args.append(value)
        if where.min_age_days > 0:
            clauses.append("c.received_at <= ?")
            args.append((datetime.now(UTC) - timedelta(days=where.min_age_days)).isoformat(
                timespec="microseconds"))
        if where.receipt_number:
            clauses.append("EXISTS (SELECT 1 FROM case_submissions cs JOIN submissions s ON "
                           "s.id = cs.submission_id WHERE cs.case_id = c.case_id AND "
                           "s.receipt_number = ?)")
            args.append(where.receipt_number.strip())
        sql_where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self.db.transaction(write=False) as tx:
            total = tx.one(f"SELECT count(*) AS n FROM cases c {sql_where}", args)["n"]
            rows = tx.all(
                f"SELECT {_CASE_COLUMNS}, (SELECT count(*) FROM case_submissions cs WHERE "
                f"cs.case_id = c.case_id) AS submissions FROM cases c {sql_where} "
                "ORDER BY c.received_at, c.case_id LIMIT ? OFFSET ?", (*args, limit, offset))
        return total, rows

    def facets(self) -> dict[str, list[str]]:
        """The services, sites and terminals that have cases (the queue's filter choices)."""
        with self.db.transaction(write=False) as tx:
            return {column: [row["v"] for row in tx.all(
                f"SELECT DISTINCT {column} AS v FROM cases WHERE {column} IS NOT NULL "
                f"ORDER BY {column}")] for column in ("service_id", "site", "terminal_id")}

    def case(self, receipt_number: str) -> dict | None:
        """A case by the receipt number of any of its submissions, with ``submissions``
        (oldest first: id, receipt number, received) and ``history`` (oldest first)."""
        with self.db.transaction(write=False) as tx:
            row = self._case_by_receipt(tx, receipt_number)
            if row is None:
                return None
            row.pop("person_hash")
            row["submissions"] = tx.all(
                "SELECT s.id, s.receipt_number, s.received_at, s.terminal_id FROM "
                "case_submissions cs JOIN submissions s ON s.id = cs.submission_id WHERE "
                "cs.case_id = ? ORDER BY s.received_at, s.id", (row["case_id"],))
            row["history"] = tx.all(
                "SELECT id, at, actor, action, from_status, status, note FROM case_events "
                "WHERE case_id = ? ORDER BY id", (row["case_id"],))
        return row

    def by_token(self, receipt_number: str, token_hash: str) -> dict | None:
        """The case holding receipt number ``receipt_number`` and whose progress token
        hashes to ``token_hash``, or None (the caller hashes; both are compared in SQL on
        the hash, never on the token)."""
        with self.db.transaction(write=False) as tx:
            return tx.one(
                f"SELECT {_CASE_COLUMNS} FROM cases c JOIN case_submissions cs ON cs.case_id = "
                "c.case_id JOIN submissions s ON s.id = cs.submission_id WHERE "
                "s.receipt_number = ? AND c.token_hash = ?", (receipt_number, token_hash))

    def with_person_hash(self, receipt_number: str) -> dict | None:
        """The case of ``receipt_number`` (any of its submissions) with its ``person_hash``,
        for the lookup by receipt and document number."""
        with self.db.transaction(write=False) as tx:
            return self._case_by_receipt(tx, receipt_number)

    def of_person(self, person_hash: str, limit: int = 50) -> list[dict]:
        """The cases of the person with this keyed hash, newest first."""
        with self.db.transaction(write=False) as tx:
            return tx.all(f"SELECT {_CASE_COLUMNS} FROM cases c WHERE c.person_hash = ? "
                          "ORDER BY c.received_at DESC LIMIT ?", (person_hash, limit))

    def updates(self, terminal_id: str, since: int, limit: int) -> list[dict]:
        """Status changes after cursor ``since`` of the cases ``terminal_id`` took."""
        with self.db.transaction(write=False) as tx:
            return tx.all(
                "SELECT e.id, e.at, e.status, e.note, c.receipt_number FROM case_events e "
                "JOIN cases c ON c.case_id = e.case_id WHERE c.terminal_id = ? AND e.id > ? "
                "ORDER BY e.id LIMIT ?", (terminal_id, since, limit))

    # -- changing --------------------------------------------------------------------------------

    def act(self, case_id: str, action: str, actor: str, note: str = "",
            result: str | None = None, expected_status: str | None = None) -> Transition:
        """A case worker's action: the transition checked against the case's status as it is
        in this transaction (``TransitionRefused`` otherwise; also when ``expected_status`` is
        given and the case moved on since the worker looked), then the status and the history
        written."""
        from .cases import TransitionRefused

        with self.db.transaction() as tx:
            if self.db.postgres:
                tx.run(f"SELECT pg_advisory_xact_lock({_EVENT_LOCK})")
            row = tx.one("SELECT status FROM cases WHERE case_id = ?", (case_id,))
            if row is None:
                raise KeyError(case_id)
            if expected_status and row["status"] != expected_status:
                raise TransitionRefused("the case changed since the page was loaded: reload it")
            step = transition(row["status"], action, note, result)
            self._apply(tx, case_id, step, actor, _now())
        return step

    def _apply(self, tx: Tx, case_id: str, step: Transition, actor: str, at: str) -> None:
        citizen = step.note if step.action != RESUBMIT else ""
        tx.run("UPDATE cases SET status = ?, updated_at = ?, citizen_note = ?, "
               "result = coalesce(?, result) WHERE case_id = ?",
               (step.after, at, citizen, step.result, case_id))
        self._event(tx, case_id, actor, step.action, step.before, step.after, step.note, at)

    # -- throttling the public lookup by receipt and document number ------------------------------

    def check_lookup(self, address: str, receipt_number: str) -> None:
        """Raise ``LookupThrottled`` when this address or receipt number failed too often in
        the last ``LOOKUP_WINDOW_S`` (checked before anything is compared)."""
        since = (datetime.now(UTC) - timedelta(seconds=LOOKUP_WINDOW_S)).isoformat()
        with self.db.transaction(write=False) as tx:
            by_address = tx.one("SELECT count(*) AS n FROM progress_lookup_failures WHERE "
                                "address = ? AND failed_at > ?", (address, since))["n"]
            by_receipt = tx.one("SELECT count(*) AS n FROM progress_lookup_failures WHERE "
                                "receipt_number = ? AND failed_at > ?",
                                (receipt_number, since))["n"]
        if (by_address >= MAX_LOOKUP_FAILURES_PER_ADDRESS
                or by_receipt >= MAX_LOOKUP_FAILURES_PER_RECEIPT):
            raise LookupThrottled(f"too many failed lookups: try again in "
                                  f"{LOOKUP_WINDOW_S // 60} minutes")

    def lookup_failed(self, address: str, receipt_number: str) -> None:
        """Count one failed lookup (and forget those past the window)."""
        now = datetime.now(UTC)
        with self.db.transaction() as tx:
            tx.run("INSERT INTO progress_lookup_failures (address, receipt_number, failed_at) "
                   "VALUES (?, ?, ?)", (address, receipt_number[:128], now.isoformat()))
            tx.run("DELETE FROM progress_lookup_failures WHERE failed_at < ?",
                   ((now - timedelta(seconds=LOOKUP_WINDOW_S)).isoformat(),))


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
