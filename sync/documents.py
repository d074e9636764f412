"""The terminal's copy of the platform's documents, trusted only after its signature verifies
again: a copy edited on disk (a later version written in to block updates, a forged body) is
refused with a log line, as if the terminal held none, so the next pull replaces it and the
kiosk falls back to its packaged catalog meanwhile."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from egov_protocol.documents import DocumentError, verify_document

if TYPE_CHECKING:
    from offline_cache.state import SyncState

log = logging.getLogger(__name__)


def verified_copy(document: object, kind: str, platform_key: bytes) -> dict[str, Any] | None:
    """``document`` (a stored copy of ``kind``) if the platform's signature over it verifies,
    else ``None`` with a warning naming the kind. Expiry is not checked: the last good copy
    stays in use while the platform is out of reach. Any thread."""
    if document is None:
        return None
    try:
        return verify_document(document, kind, platform_key, legacy=True)
    except DocumentError as exc:
        log.warning("the stored %s document fails verification and is not used "
                    "(tampered with on disk?): %s", kind, exc)
        return None


def held_document(state: SyncState, kind: str, platform_key: bytes) -> dict[str, Any] | None:
    """The verified copy of ``kind`` kept in ``state``, or ``None``. Thread of ``state``."""
    try:
        stored = state.document(kind)
    except ValueError:  # not JSON any more
        log.warning("the stored %s document is not JSON and is not used", kind)
        return None
    return verified_copy(stored, kind, platform_key)
