"""The document half of ``SyncWorker``: pull the platform's signed documents the terminal follows
(catalog, forms, settings, the platform's sealing key), keeping the last good copy when a new one
does not verify. Worker thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from egov_protocol.errors import CentralProtocolError

from .documents import held_document

if TYPE_CHECKING:
    from offline_cache.state import SyncState

    from .client import CentralClient

log = logging.getLogger(__name__)


class DocumentPulling:
    """Mixin of ``SyncWorker``; uses the worker's members declared below."""

    _documents: tuple[bytes, tuple[str, ...]] | None
    _state: SyncState
    _client: CentralClient
    _emit: Callable[[str, dict[str, Any]], None]

    def _pull_documents(self) -> None:
        if self._documents is None:
            return
        platform_key, kinds = self._documents
        for kind in kinds:
            current = held_document(self._state, kind, platform_key)
            try:
                fresh = self._client.fetch_document(kind, platform_key, current)
            except CentralProtocolError as exc:  # a bad document: keep the last good copy
                log.warning("%s not updated: %s", kind, exc)
                self._emit("document_rejected", {"kind": kind, "error": str(exc)})
                continue
            if fresh is not None:
                self._state.save_document(kind, fresh)
                self._emit("document_updated", {"kind": kind, "version": fresh["version"]})
