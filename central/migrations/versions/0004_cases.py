"""Cases: every received application with its status, submissions and history, and the
throttle of the public progress lookup (``central.cases_store``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Four new tables; nothing existing changes. Applications received before are filed as
    cases (status ``received``) the first time the queue is read (``central.cases_intake``):
    their keyed person hash needs the platform's key, which a migration does not hold."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "cases" not in existing:
        op.create_table(
            "cases",
            sa.Column("case_id", sa.Text, primary_key=True),
            sa.Column("receipt_number", sa.Text, nullable=False, unique=True),
            sa.Column("service_id", sa.Text),
            sa.Column("site", sa.Text),
            sa.Column("terminal_id", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("received_at", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
            sa.Column("person_hash", sa.Text),
            sa.Column("token_hash", sa.Text, nullable=False, unique=True),
            sa.Column("citizen_note", sa.Text, nullable=False, server_default=""),
            sa.Column("result", sa.Text),
        )
        op.create_index("cases_status", "cases", ["status", "received_at"])
        op.create_index("cases_received", "cases", ["received_at"])
        op.create_index("cases_person", "cases", ["person_hash"])
        op.create_index("cases_terminal", "cases", ["terminal_id"])
    if "case_submissions" not in existing:
        op.create_table(
            "case_submissions",
            sa.Column("submission_id", sa.Text, sa.ForeignKey("submissions.id"),
                      primary_key=True),
            sa.Column("case_id", sa.Text, sa.ForeignKey("cases.case_id"), nullable=False),
            sa.Column("linked_at", sa.Text, nullable=False),
        )
        op.create_index("case_submissions_case", "case_submissions", ["case_id"])
    if "case_events" not in existing:
        op.create_table(
            "case_events",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("case_id", sa.Text, sa.ForeignKey("cases.case_id"), nullable=False),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("actor", sa.Text, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("from_status", sa.Text),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("note", sa.Text, nullable=False, server_default=""),
        )
        op.create_index("case_events_case", "case_events", ["case_id", "id"])
    if "progress_lookup_failures" not in existing:
        op.create_table(
            "progress_lookup_failures",
            sa.Column("address", sa.Text, nullable=False),
            sa.Column("receipt_number", sa.Text, nullable=False),
            sa.Column("failed_at", sa.Text, nullable=False),
        )
        op.create_index("progress_lookup_failures_at", "progress_lookup_failures",
                        ["failed_at"])


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("the platform's schema is upgraded only")
