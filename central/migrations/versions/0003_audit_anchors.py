"""Schema 5: each terminal's audit anchor, the last audit head the platform accepted from it
(``central.audit_anchor``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One new table; nothing existing changes (terminals get their anchor at their next
    heartbeat)."""
    if "audit_anchors" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "audit_anchors",
        sa.Column("terminal_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("anchored_at", sa.Text, nullable=False),
        sa.Column("problem", sa.Text),
        sa.Column("problem_at", sa.Text),
    )


def downgrade() -> None:
    """Drop the anchors (the heartbeats they were taken from stay)."""
    op.drop_table("audit_anchors")
