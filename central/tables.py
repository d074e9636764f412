"""The platform's tables as SQLAlchemy Core ``Table`` objects on one shared ``metadata``.

These describe the schema the Alembic revisions in ``central/migrations/versions/`` create; they
never create or change it (``tests/central/test_central_tables.py`` compares the two on SQLite
and PostgreSQL). A new table is defined here (or in its own module, on this same ``metadata``)
*and* created by a new Alembic revision. Times are ISO 8601 UTC text; binary columns are
``LargeBinary`` (SQLite ``BLOB``, PostgreSQL ``BYTEA``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

#: Every platform table is defined on this one object (Alembic's ``target_metadata``).
metadata = MetaData()

terminals = Table(
    "terminals", metadata,
    Column("terminal_id", Text, primary_key=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("key_id", Text, nullable=False, unique=True),
    Column("site", Text),
    Column("status", Text, nullable=False, server_default="active"),
    Column("registered_at", Text, nullable=False),
)

#: Every key a terminal ever enrolled; ``retired_at`` NULL: a current key (central.terminal_keys).
terminal_keys = Table(
    "terminal_keys", metadata,
    Column("key_id", Text, primary_key=True),
    Column("terminal_id", Text, nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("registered_at", Text, nullable=False),
    Column("retired_at", Text),
)

enroll_tokens = Table(
    "enroll_tokens", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("terminal_id", Text),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text),
    Column("used_by", Text),
)

nonces = Table(
    "nonces", metadata,
    Column("terminal_id", Text, primary_key=True),
    Column("nonce", Text, primary_key=True),
    Column("seen_at", Text, nullable=False),
    Index("nonces_seen", "seen_at"),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Text, primary_key=True),
    Column("receipt_number", Text, nullable=False, unique=True),
    Column("terminal_id", Text, ForeignKey("terminals.terminal_id"), nullable=False),
    Column("digest", Text, nullable=False),
    Column("central_receipt", Text, nullable=False, unique=True),
    Column("service_id", Text),
    Column("form_id", Text),
    Column("form_version", Text),
    Column("envelope", LargeBinary, nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("route", Text, nullable=False, server_default="online"),
    Index("submissions_received", "received_at"),
    Index("submissions_terminal", "terminal_id"),
)

submission_attachments = Table(
    "submission_attachments", metadata,
    Column("submission_id", Text, ForeignKey("submissions.id"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("sha256", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

#: ``content`` is empty for a blob kept in a segment file (``central.blobs``).
blobs = Table(
    "blobs", metadata,
    Column("sha256", Text, primary_key=True),
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("segment", Text),
    Column("offset_bytes", Integer),
)

blob_parts = Table(
    "blob_parts", metadata,
    Column("sha256", Text, primary_key=True),
    Column("offset_bytes", Integer, primary_key=True),
    Column("total_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

heartbeats = Table(
    "heartbeats", metadata,
    Column("id", Text, primary_key=True),
    Column("terminal_id", Text, ForeignKey("terminals.terminal_id"), nullable=False),
    Column("sent_at", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("body", Text, nullable=False),
    Index("heartbeats_terminal", "terminal_id", "sent_at"),
)

# Schema 4 (revision 0002): operator accounts, sessions, failed logins, the platform trail.
operators = Table(
    "operators", metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text, nullable=False),
    Column("totp_last_step", Integer, nullable=False, server_default="0"),
    Column("must_change", Integer, nullable=False, server_default="1"),
    Column("created_at", Text, nullable=False),
    Column("disabled_at", Text),
)

operator_sessions = Table(
    "operator_sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("operator", Text, ForeignKey("operators.name"), nullable=False),
    Column("csrf", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_seen_at", Text, nullable=False),
)

login_failures = Table(
    "login_failures", metadata,
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("failed_at", Text, nullable=False),
    Index("login_failures_at", "failed_at"),
)

platform_trail = Table(
    "platform_trail", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", Text, nullable=False),
    Column("operator", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
)

# Schema 5 (revision 0003): each terminal's last accepted audit head (central.audit_anchor).
audit_anchors = Table(
    "audit_anchors", metadata,
    Column("terminal_id", Text, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", Text, nullable=False),
    Column("anchored_at", Text, nullable=False),
    Column("problem", Text),
    Column("problem_at", Text),
)

# Tables kept in modules of their own, on this same metadata (imported last, as they need
# ``metadata`` defined, so that every user of ``metadata`` sees them): cases (revision 0004),
# documents and hand-off (0005), per-submission progress tokens (0006).
from . import cases_tables, certificate_tables  # noqa: E402, F401 - they register their tables
