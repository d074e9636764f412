"""Schema upgrades of the platform database with Alembic, on SQLite and PostgreSQL alike.

``versions/0001_baseline.py`` is schema 3, the last one before Alembic: it creates those tables
or brings any earlier database up to them in place (idempotent), so a database made by an
earlier release, which has no ``alembic_version`` table, simply runs every revision.
``kiosk-central serve`` (and every command that opens the database) upgrades to the newest
revision at start (``central.db.Database.create_schema``). ``central.tables`` describes the
schema the revisions make; queries are SQLAlchemy Core expressions on those tables.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection


def upgrade_to_head(connection: Connection) -> None:
    """Run every revision the database lacks on ``connection``, inside the caller's
    transaction (the caller serialises racing workers)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def head_revision() -> str:
    """The newest revision id of ``versions/`` (what ``upgrade_to_head`` brings a database to)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError("no Alembic revisions found")
    return head
