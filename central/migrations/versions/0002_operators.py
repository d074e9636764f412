"""Schema 4: operator accounts, their sessions, failed logins and the platform trail
(``central.operators``, ``central.trail``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Four new tables; nothing existing changes."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "operators" not in existing:
        op.create_table(
            "operators",
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("role", sa.Text, nullable=False),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("totp_secret", sa.Text, nullable=False),
            sa.Column("totp_last_step", sa.Integer, nullable=False, server_default="0"),
            sa.Column("must_change", sa.Integer, nullable=False, server_default="1"),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("disabled_at", sa.Text),
        )
    if "operator_sessions" not in existing:
        op.create_table(
            "operator_sessions",
            sa.Column("token_hash", sa.Text, primary_key=True),
            sa.Column("operator", sa.Text, sa.ForeignKey("operators.name"), nullable=False),
            sa.Column("csrf", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("last_seen_at", sa.Text, nullable=False),
        )
    if "login_failures" not in existing:
        op.create_table(
            "login_failures",
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("address", sa.Text, nullable=False),
            sa.Column("failed_at", sa.Text, nullable=False),
        )
        op.create_index("login_failures_at", "login_failures", ["failed_at"])
    if "platform_trail" not in existing:
        op.create_table(
            "platform_trail",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("operator", sa.Text, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("subject", sa.Text, nullable=False),
            sa.Column("prev_hash", sa.Text, nullable=False),
            sa.Column("hash", sa.Text, nullable=False),
        )


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("the platform's schema is upgraded only")
