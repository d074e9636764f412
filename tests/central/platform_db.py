"""A platform database for tests of the modules that keep their own tables."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import sqlalchemy

from central.certificate_tables import metadata


class EngineDatabase:
    """``transaction(write=...)`` over a SQLAlchemy engine on a SQLite file."""

    postgres = False

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = sqlalchemy.create_engine(f"sqlite:///{path}")
        metadata.create_all(self.engine)

    @contextmanager
    def transaction(self, *, write: bool = True):
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def platform_db(folder: Path) -> EngineDatabase:
    """An empty platform database in ``folder``."""
    return EngineDatabase(folder / "central.sqlite3")
