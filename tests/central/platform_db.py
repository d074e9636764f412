"""A platform database for tests of the modules that keep their own tables."""

from __future__ import annotations

from pathlib import Path

from central.db import Database
from central.files import private_dir


def platform_db(folder: Path, url: str | None = None) -> Database:
    """A platform database at the newest schema (every Alembic revision): ``url`` (a
    PostgreSQL database) or SQLite in ``folder``."""
    private_dir(folder)
    db = Database(url or folder / "central.sqlite3")
    db.create_schema()
    return db
