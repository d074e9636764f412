"""The terminal's side of the sync protocol: the client, the worker that drains the outbox, and a
platform process on loopback for the demo and the tests (``sync.local_central``).

Imports ``offline_cache`` and the shared ``egov_protocol`` only; never the platform (``central``),
which it reaches over HTTP. No Qt. ``httpx`` lives here only.
"""

from __future__ import annotations

from egov_protocol.errors import (
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
