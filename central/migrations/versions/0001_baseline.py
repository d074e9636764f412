"""Baseline: schema 3, the platform's schema before Alembic.

Creates the tables of a new database, or brings a database of any earlier release (schemas 1 to
3, which have no ``alembic_version``) up to schema 3 in place, keeping every row: the same
idempotent steps the platform ran at every start before (``central.migrations.baseline``).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Schema 3, created or reached in place."""
    from central.migrations.baseline import create_baseline

    bind = op.get_bind()
    create_baseline(bind, bind.dialect.name == "postgresql")


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("the platform's schema is upgraded only")
