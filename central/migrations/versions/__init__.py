"""Alembic revisions of the platform database, oldest first."""
