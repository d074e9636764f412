"""``central.tables`` describes exactly the schema the Alembic revisions make, on SQLite and on
PostgreSQL: a table defined without its revision (or a revision without its table) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from central.db import Database
from central.tables import metadata


def _differences(db: Database) -> list:
    db.create_schema()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": False})
        return [diff for diff in compare_metadata(context, metadata) if not _expected(diff)]


def _expected(diff) -> bool:
    if isinstance(diff, tuple):
        return diff[0] == "remove_table" and diff[1].name == "alembic_version"  # Alembic's own
    # A list of column changes. SQLite lets a single-column TEXT PRIMARY KEY hold NULL unless
    # it says NOT NULL, which the pre-Alembic DDL did not; the platform never writes one.
    return all(change[0] == "modify_nullable" and change[5] is True
               and [c.name for c in metadata.tables[change[2]].primary_key] == [change[3]]
               for change in diff)


def test_the_tables_match_the_revisions_on_sqlite(tmp_path):
    db = Database(tmp_path / "central.sqlite3")
    try:
        assert _differences(db) == []
    finally:
        db.close()


def test_the_tables_match_the_revisions_on_postgres(fresh_postgres):
    db = Database(fresh_postgres)
    try:
        assert _differences(db) == []
    finally:
        db.close()
