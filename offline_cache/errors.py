"""Exceptions raised by the offline cache.

The tree::

    StoreError                  anything the terminal's SQLite store refuses or cannot do
    ├── StoreNotOpen            a method was called before ``open()`` or after ``close()``
    ├── StoreCorrupted          the file is not a usable SQLite database
    ├── SchemaVersionError      the file was migrated by a newer release than this one
    ├── UnknownSubmission       no submission with that id (also a ``KeyError``)
    ├── DuplicateSubmission     the id or receipt number is taken by different sealed bytes
    └── InvalidTransition       the outbox state machine does not allow that move

Messages never contain personal data: a submission is named by its id or receipt number only.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error raised by ``offline_cache``."""


class StoreNotOpen(StoreError):
    """The store was used before ``open()`` or after ``close()``."""


class StoreCorrupted(StoreError):
    """The database file cannot be read as SQLite (wrong file, truncated, scribbled over)."""


class SchemaVersionError(StoreError):
    """The database records migrations this release does not know (a downgrade)."""


class UnknownSubmission(StoreError, KeyError):
    """No submission with the given id is in the outbox."""

    def __str__(self) -> str:
        # KeyError.__str__ would quote the message like a repr.
        return str(self.args[0]) if self.args else ""


class DuplicateSubmission(StoreError):
    """A different submission already holds this id or receipt number."""


class InvalidTransition(StoreError):
    """The requested state change is not allowed from the record's current state."""
