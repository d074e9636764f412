"""The tables of issued documents, the hand-off outbox and case retention (SQLAlchemy Core),
created by the Alembic revision ``0005_certificates``.

Times are ISO 8601 UTC text, like every platform table. Nothing here holds an ID number or a
readable document: PDFs and outgoing bodies are sealed with ``central.at_rest``, people are
found by their keyed hash (``AtRestKeys.person_hash``).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, Table, Text

from .tables import metadata

#: Every document the platform issued (``central.certificates``).
issued_documents = Table(
    "issued_documents", metadata,
    Column("document_id", Text, primary_key=True),
    Column("token_hash", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("service_id", Text, nullable=False),
    Column("receipt_number", Text, nullable=False),
    Column("submission_id", Text),
    Column("person_hash", Text, nullable=False),
    Column("issued_at", Text, nullable=False),
    Column("status", Text, nullable=False),  # valid | revoked | superseded
    Column("status_at", Text),
    Column("status_reason", Text),
    Column("superseded_by", Text),
    Column("pdf_sha256", Text, nullable=False),
    Column("sealed_pdf", LargeBinary, nullable=False),
    Column("sealed_summary", LargeBinary, nullable=False),
    Index("issued_documents_person", "person_hash"),
    Index("issued_documents_receipt", "receipt_number", "kind"),
)

#: Case events waiting for (or done with) delivery to a business system (``central.handoff``).
handoff_outbox = Table(
    "handoff_outbox", metadata,
    Column("event_id", Text, primary_key=True),  # the receiver's idempotency key
    Column("integration", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("receipt_number", Text, nullable=False),
    Column("sealed_body", LargeBinary, nullable=False),
    Column("state", Text, nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Text, nullable=False),
    Column("lease_until", Text),
    Column("last_error", Text),
    Column("created_at", Text, nullable=False),
    Column("finished_at", Text),
    Index("handoff_outbox_due", "state", "next_attempt_at"),
)

#: Status updates the business systems sent back, once per (integration, update id).
handoff_status_updates = Table(
    "handoff_status_updates", metadata,
    Column("integration", Text, primary_key=True),
    Column("update_id", Text, primary_key=True),
    Column("receipt_number", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("occurred_at", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Index("handoff_status_updates_receipt", "receipt_number"),
)

#: When a case was completed, and when its data was purged (``central.retention``).
case_retention = Table(
    "case_retention", metadata,
    Column("submission_id", Text, primary_key=True),
    Column("receipt_number", Text, nullable=False),
    Column("completed_at", Text, nullable=False),
    Column("purged_at", Text),
    Index("case_retention_due", "purged_at", "completed_at"),
)
