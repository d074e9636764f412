"""The case tables (revisions ``0004_cases`` and ``0006_submission_tokens``) on the platform's shared ``metadata``
(``central.tables``, which imports this module so that the metadata is complete)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text

from .tables import metadata

#: One row per case: status, what the citizen is told, the progress token's SHA-256 and the
#: keyed hash of the applicant's document number (never the number).
cases = Table(
    "cases", metadata,
    Column("case_id", Text, primary_key=True),
    Column("receipt_number", Text, nullable=False, unique=True),
    Column("service_id", Text),
    Column("site", Text),
    Column("terminal_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("person_hash", Text),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("citizen_note", Text, nullable=False, server_default=""),
    Column("result", Text),
    Index("cases_status", "status", "received_at"),
    Index("cases_received", "received_at"),
    Index("cases_person", "person_hash"),
    Index("cases_terminal", "terminal_id"),
)

#: The submissions of a case: the first, and any 补正 re-submissions, each with the SHA-256 of
#: the progress token on its own receipt (revision ``0006``; NULL for a re-submission stored
#: before it whose payload named none).
case_submissions = Table(
    "case_submissions", metadata,
    Column("submission_id", Text, ForeignKey("submissions.id"), primary_key=True),
    Column("case_id", Text, ForeignKey("cases.case_id"), nullable=False),
    Column("linked_at", Text, nullable=False),
    Column("token_hash", Text),
    Index("case_submissions_case", "case_id"),
)

#: The status history; ``id`` is the cursor of the terminals' status feed.
case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Text, ForeignKey("cases.case_id"), nullable=False),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("from_status", Text),
    Column("status", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Index("case_events_case", "case_id", "id"),
)

#: Failed lookups of the public progress page by receipt and ID number (the throttle).
progress_lookup_failures = Table(
    "progress_lookup_failures", metadata,
    Column("address", Text, nullable=False),
    Column("receipt_number", Text, nullable=False),
    Column("failed_at", Text, nullable=False),
    Index("progress_lookup_failures_at", "failed_at"),
)
