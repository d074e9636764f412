"""The terminal's SQLite store: the outbox of sealed submissions and its schema migrations.

No network, no Qt, no other project package. See ``store`` for the thread rule (one ``Store`` per
owner thread) and ``outbox`` for the submission state machine.
"""

from __future__ import annotations

from .budget import DiskBudgetExceeded, check_budget, free_bytes
from .case_statuses import CaseStatuses, ReceiptStatus
from .errors import (
    DuplicateSubmission,
    InvalidTransition,
    SchemaVersionError,
    StoreCorrupted,
    StoreError,
    StoreNotOpen,
    UnknownSubmission,
)
from .migrations import TERMINAL_MIGRATIONS, Migration
from .outbox import Outbox
from .outbox_records import OutboxRecord, SealedSubmission, SubmissionState, sha256_hex
from .state import Quarantined, SyncState
from .store import Store

__all__ = [
    "TERMINAL_MIGRATIONS",
    "CaseStatuses",
    "DiskBudgetExceeded",
    "DuplicateSubmission",
    "InvalidTransition",
    "Migration",
    "Outbox",
    "OutboxRecord",
    "Quarantined",
    "ReceiptStatus",
    "SchemaVersionError",
    "SealedSubmission",
    "Store",
    "StoreCorrupted",
    "StoreError",
    "StoreNotOpen",
    "SubmissionState",
    "SyncState",
    "UnknownSubmission",
    "check_budget",
    "free_bytes",
    "sha256_hex",
]
