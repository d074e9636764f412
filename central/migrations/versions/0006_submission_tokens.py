"""A progress-token hash per submission of a case (``case_submissions.token_hash``), so that a
补正 re-submission's own receipt, whose QR code carries the token its terminal printed, opens
the case it joined, as the first receipt does.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_HEX = frozenset("0123456789abcdef")


def _printed_hash(payload: str | None) -> str | None:
    """The terminal's progress-token hash in a stored payload (``progress_token_sha256``, 64
    hex characters), or None (an older terminal's, a purged or a malformed payload)."""
    try:
        value = json.loads(payload or "").get("progress_token_sha256")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and len(value) == 64 and set(value) <= _HEX else None


def upgrade() -> None:
    """Add the column, then fill it for the rows there are: a case's first submission gets the
    case's hash (the token on its receipt); a re-submission the hash its payload carries, which
    the platform did not keep before (kept payloads only; one without stays NULL and its case is
    still reached with the first receipt's token or the platform's own)."""
    bind = op.get_bind()
    if "token_hash" not in {c["name"] for c in sa.inspect(bind).get_columns("case_submissions")}:
        op.add_column("case_submissions", sa.Column("token_hash", sa.Text))
    links = sa.table("case_submissions", sa.column("submission_id"), sa.column("case_id"),
                     sa.column("token_hash"))
    cases = sa.table("cases", sa.column("case_id"), sa.column("token_hash"))
    submissions = sa.table("submissions", sa.column("id"), sa.column("payload"))
    bind.execute(sa.update(links).where(links.c.token_hash.is_(None),
                                        links.c.submission_id == links.c.case_id)
                 .values(token_hash=sa.select(cases.c.token_hash)
                         .where(cases.c.case_id == links.c.case_id).scalar_subquery()))
    resubmitted = bind.execute(sa.select(links.c.submission_id, submissions.c.payload)
                               .select_from(links.join(submissions,
                                                       submissions.c.id == links.c.submission_id))
                               .where(links.c.token_hash.is_(None))).all()
    for submission_id, payload in resubmitted:
        printed = _printed_hash(payload)
        if printed is not None:
            bind.execute(sa.update(links).where(links.c.submission_id == submission_id)
                         .values(token_hash=printed))


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("the platform's schema is upgraded only")
