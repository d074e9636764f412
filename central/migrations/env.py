"""Alembic's environment: always online, on the connection ``upgrade_to_head`` hands in;
``central.tables.metadata`` is the target ``alembic revision --autogenerate`` compares with."""

from __future__ import annotations

from alembic import context

from central.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
