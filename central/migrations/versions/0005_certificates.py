"""Issued documents, the hand-off outbox and its status updates, case retention
(``central.certificate_tables``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Four new tables; nothing existing changes."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "issued_documents" not in existing:
        op.create_table(
            "issued_documents",
            sa.Column("document_id", sa.Text, primary_key=True),
            sa.Column("token_hash", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("service_id", sa.Text, nullable=False),
            sa.Column("receipt_number", sa.Text, nullable=False),
            sa.Column("submission_id", sa.Text),
            sa.Column("person_hash", sa.Text, nullable=False),
            sa.Column("issued_at", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("status_at", sa.Text),
            sa.Column("status_reason", sa.Text),
            sa.Column("superseded_by", sa.Text),
            sa.Column("pdf_sha256", sa.Text, nullable=False),
            sa.Column("sealed_pdf", sa.LargeBinary, nullable=False),
            sa.Column("sealed_summary", sa.LargeBinary, nullable=False),
        )
        op.create_index("issued_documents_person", "issued_documents", ["person_hash"])
        op.create_index("issued_documents_receipt", "issued_documents",
                        ["receipt_number", "kind"])
    if "handoff_outbox" not in existing:
        op.create_table(
            "handoff_outbox",
            sa.Column("event_id", sa.Text, primary_key=True),
            sa.Column("integration", sa.Text, nullable=False),
            sa.Column("event", sa.Text, nullable=False),
            sa.Column("receipt_number", sa.Text, nullable=False),
            sa.Column("sealed_body", sa.LargeBinary, nullable=False),
            sa.Column("state", sa.Text, nullable=False),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("next_attempt_at", sa.Text, nullable=False),
            sa.Column("lease_until", sa.Text),
            sa.Column("last_error", sa.Text),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("finished_at", sa.Text),
        )
        op.create_index("handoff_outbox_due", "handoff_outbox", ["state", "next_attempt_at"])
    if "handoff_status_updates" not in existing:
        op.create_table(
            "handoff_status_updates",
            sa.Column("integration", sa.Text, primary_key=True),
            sa.Column("update_id", sa.Text, primary_key=True),
            sa.Column("receipt_number", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("occurred_at", sa.Text, nullable=False),
            sa.Column("received_at", sa.Text, nullable=False),
        )
        op.create_index("handoff_status_updates_receipt", "handoff_status_updates",
                        ["receipt_number"])
    if "case_retention" not in existing:
        op.create_table(
            "case_retention",
            sa.Column("submission_id", sa.Text, primary_key=True),
            sa.Column("receipt_number", sa.Text, nullable=False),
            sa.Column("completed_at", sa.Text, nullable=False),
            sa.Column("purged_at", sa.Text),
        )
        op.create_index("case_retention_due", "case_retention", ["purged_at", "completed_at"])


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("the platform's schema is upgraded only")
