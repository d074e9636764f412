"""The ``multi`` backend: several ID readers behind one, so the citizen may present any document.

A terminal typically has a SAM reader for Chinese cards and a contactless PC/SC reader for
passports. :class:`MultiIdReader` polls each in turn for a short slice and returns whichever
document turns up first; errors of the reader that found a document are passed through unchanged.
All methods run on the owner thread unless marked.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..common import (
    DeviceError,
    DeviceInfo,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    NoDocumentPresent,
)
from .base import AccessKeyReader, DemoDocuments, IdReader, id_reader_backends
from .identity import Identity

if TYPE_CHECKING:
    from .emrtd.mrz import AccessKey


@id_reader_backends.register("multi")
class MultiIdReader(IdReader):
    """``readers``: a list of ``{"backend": name, "options": {...}}``; ``slice_s``: time per reader per turn."""

    def __init__(self, readers: list[dict[str, Any]], slice_s: float = 0.15) -> None:
        if not readers:
            raise ValueError("multi needs at least one reader")
        children = []
        for entry in readers:
            if not isinstance(entry, dict) or "backend" not in entry or entry["backend"] == "multi":
                raise ValueError("each reader is a table with a backend (other than multi) and options")
            children.append(id_reader_backends.create(entry["backend"], **dict(entry.get("options", {}))))
        self.readers: list[IdReader] = children
        self.slice_s = slice_s
        self._open: list[IdReader] = []
        self._errors: dict[int, DeviceError] = {}
        self._last: IdReader | None = None

    @property
    def reports_presence(self) -> bool:  # type: ignore[override]
        """True only when every reader can tell whether a document lies on it."""
        return all(reader.reports_presence for reader in self.readers)

    def open(self) -> None:
        """Open every reader; one that fails stays closed (its error shows in :meth:`status`)."""
        for index, reader in enumerate(self.readers):
            if reader in self._open:
                continue
            try:
                reader.open()
                self._open.append(reader)
                self._errors.pop(index, None)
            except DeviceError as exc:
                self._errors[index] = exc
        if not self._open:
            raise next(iter(self._errors.values()))

    def close(self) -> None:
        """Close every reader."""
        for reader in self.readers:
            reader.close()
        self._open = []

    def status(self) -> DeviceStatus:
        """ONLINE when every reader is; otherwise the first reader's problem."""
        if not self._open:
            return DeviceStatus(DeviceState.OFFLINE, detail="not open")
        for index, reader in enumerate(self.readers):
            if index in self._errors:
                error = self._errors[index]
                return DeviceStatus(DeviceState.HARDWARE_ERROR, error.action, type(error).__name__)
            status = reader.status()
            if not status.is_ready:
                return status
        return DeviceStatus(DeviceState.ONLINE)

    def info(self) -> DeviceInfo:
        """The readers' backends joined."""
        return DeviceInfo("idcard", "multi", " + ".join(r.info().backend for r in self.readers), "", "")

    def is_usable(self) -> bool:
        """True when any reader is usable (any thread)."""
        return any(reader.is_usable() for reader in self.readers)

    def read_document(self, timeout_s: float) -> Identity:
        """Poll the readers in turn until one yields a document or ``timeout_s`` passes."""
        if not self._open:
            raise DeviceNotOpen("the ID readers are not open")
        deadline = time.monotonic() + max(timeout_s, 0)
        while True:
            for reader in list(self._open):
                self._last = reader
                try:
                    return reader.read_document(max(0.0, min(self.slice_s, deadline - time.monotonic())))
                except NoDocumentPresent:
                    continue
            if time.monotonic() >= deadline:
                raise NoDocumentPresent("no document on any reader")

    def document_present(self) -> bool:
        """True while the reader that read last still holds its document; before any read, while
        any reader holds one (owner thread)."""
        if not self._open:
            raise DeviceNotOpen("the ID readers are not open")
        if self._last is not None and self._last in self._open:
            return self._last.document_present()
        return any(reader.document_present() for reader in self._open)

    def document_presence(self) -> bool | None:
        """As :meth:`document_present`; None when no reader holds a document but one cannot tell
        (owner thread)."""
        if not self._open:
            raise DeviceNotOpen("the ID readers are not open")
        if self._last is not None and self._last in self._open:
            return self._last.document_presence()
        answers = [reader.document_presence() for reader in self._open]
        return True if True in answers else None if None in answers else False

    # -- pass-through for passports and demo controls (any thread) -------------------------------
    def set_access_key(self, key: AccessKey | None) -> None:
        """Give the passport access key to every reader that takes one."""
        for reader in self.readers:
            if isinstance(reader, AccessKeyReader):
                reader.set_access_key(key)

    def needs_access_key(self) -> bool:
        """True when the reader that last found a document is waiting for an access key."""
        return isinstance(self._last, AccessKeyReader) and self._last.needs_access_key()

    def available_documents(self) -> list[tuple[str, str]]:
        """Demo documents of every simulated reader."""
        found: list[tuple[str, str]] = []
        for reader in self.readers:
            if isinstance(reader, DemoDocuments):
                found.extend(d for d in reader.available_documents() if d not in found)
        return found

    def present(self, key: str) -> None:
        """Demo: place ``key`` on the first simulated reader that offers it."""
        for reader in self.readers:
            if isinstance(reader, DemoDocuments) and key in dict(reader.available_documents()):
                reader.present(key)
                return
        raise ValueError(f"no reader offers document {key!r}")

    def remove(self) -> None:
        """Demo: take the documents off every simulated reader."""
        for reader in self.readers:
            if isinstance(reader, DemoDocuments):
                reader.remove()
