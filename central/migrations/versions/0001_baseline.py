"""Baseline: schema 3, the platform's schema before Alembic.

Creates the tables of a new database, or brings a database of any earlier release (schemas 1 to
3, which have no ``alembic_version``) up to schema 3 in place, keeping every row: the same
idempotent steps the platform ran at every start before (``central.db.create_baseline``).

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
    from central.db import Tx, create_baseline

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    raw = bind.connection.driver_connection
    if raw is None:
        raise RuntimeError("the migration needs an open database connection")
    before = raw.row_factory
    if postgres:
        from psycopg.rows import dict_row

        raw.row_factory = dict_row
    else:
        import sqlite3

        raw.row_factory = sqlite3.Row
    try:
        create_baseline(Tx(raw, postgres), postgres)
    finally:  # SQLAlchemy reads this connection's rows as tuples
        raw.row_factory = before


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("the platform's schema is upgraded only")
