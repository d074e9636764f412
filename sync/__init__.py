"""The sync protocol: sealed envelopes, key files, the terminal-side client and worker, and the
reference central platform (``sync.central``, console script ``kiosk-central``).

Imports ``offline_cache`` only (the worker drains the outbox). No Qt. ``httpx`` lives here only.
Importing ``sync`` does not import FastAPI: the server is ``sync.central``.
"""

from __future__ import annotations

from .errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    EnvelopeError,
    KeyFileError,
    NotCentralServer,
    SyncError,
)

__all__ = [
    "CentralProtocolError",
    "CentralRejected",
    "CentralUnavailable",
    "EnvelopeError",
    "KeyFileError",
    "NotCentralServer",
    "SyncError",
]
