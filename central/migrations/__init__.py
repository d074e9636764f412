"""Schema upgrades of the platform database with Alembic, on SQLite and PostgreSQL alike.

``versions/0001_baseline.py`` is schema 3, the last one before Alembic: it creates those tables
or brings any earlier database up to them in place (idempotent), so a database made by an
earlier release, which has no ``alembic_version`` table, simply runs every revision.
``kiosk-central serve`` (and every command that opens the database) upgrades to the newest
revision at start. Queries stay plain SQL (``central.db``).
"""

from __future__ import annotations

from pathlib import Path


def engine_url(target: str, postgres: bool) -> str:
    """The SQLAlchemy URL of a ``central.db`` target (a SQLite path or a PostgreSQL URL)."""
    if not postgres:
        return f"sqlite:///{target}"
    return "postgresql+psycopg://" + target.split("://", 1)[1]


def upgrade_to_head(target: str, *, postgres: bool) -> None:
    """Run every revision the database at ``target`` lacks, in one transaction (PostgreSQL:
    under an advisory lock, so racing workers upgrade once). The caller serialises SQLite."""
    import sqlalchemy
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.pool import NullPool

    engine = sqlalchemy.create_engine(engine_url(target, postgres), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if postgres:
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7001)")
            config = Config()
            config.set_main_option("script_location", str(Path(__file__).parent))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision id of ``versions/`` (what ``upgrade_to_head`` brings a database to)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    return ScriptDirectory.from_config(config).get_current_head()
