"""A platform database for tests of the modules that keep their own tables."""

from __future__ import annotations

from pathlib import Path

from central.db import Database
from central.files import private_dir


def platform_db(folder: Path) -> Database:
    """A platform database in ``folder``, at the newest schema (every Alembic revision)."""
    db = Database(private_dir(folder) / "central.sqlite3")
    db.create_schema()
    return db
