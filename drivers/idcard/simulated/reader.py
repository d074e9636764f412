"""The simulated ID reader: ships with the product for demo mode, staff training and tests."""

from __future__ import annotations

import logging
import threading

from ...common import (
    DeviceError,
    DeviceInfo,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    ErrorAction,
    FaultScript,
    NoDocumentPresent,
    ProtocolError,
)
from ..base import DocumentRemoved, IdReader, id_reader_backends
from ..identity import Identity
from .samples import SAMPLE_DOCUMENTS, sample_identity

log = logging.getLogger(__name__)

#: Fault kinds for :meth:`SimulatedIdReader.script_fault`.
FAULT_KINDS = ("no_document", "timeout", "io_error", "unreadable", "not_authorised")


@id_reader_backends.register("simulated")
class SimulatedIdReader(IdReader):
    """A reader whose documents are placed by software: :meth:`present` and :meth:`remove`.

    ``documents`` selects which built-in sample documents are offered (keys of
    :func:`available_documents`); ``read_delay_s`` is how long a read takes once a document is
    present (a SAM read is about 0.2 s at 115200 baud). A placed document stays on the reader
    until :meth:`remove`, so repeated reads return it again, like a real card on a reader: the
    simulated citizen forgets the card there. ``take_back_s`` (or :meth:`script_take_back`)
    makes them take it back that many seconds after each successful read instead.
    """

    reports_presence = True

    def __init__(self, documents: list[str] | None = None, read_delay_s: float = 0.2,
                 take_back_s: float | None = None) -> None:
        keys = list(documents) if documents is not None else ["resident_id", "passport"]
        unknown = [key for key in keys if key not in SAMPLE_DOCUMENTS]
        if unknown:
            raise ValueError(
                f"unknown sample documents {unknown}; known: {', '.join(SAMPLE_DOCUMENTS)}"
            )
        if read_delay_s < 0:
            raise ValueError("read_delay_s must not be negative")
        if take_back_s is not None and take_back_s < 0:
            raise ValueError("take_back_s must not be negative")
        self._take_back_s = take_back_s
        self._placements = 0  # counts present() calls: a take-back only removes the card it read
        self._documents = keys
        self._read_delay_s = float(read_delay_s)
        self._faults = FaultScript(FAULT_KINDS)
        self._cond = threading.Condition()
        self._present: str | None = None
        self._is_open = False
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="not open")

    # -- simulator controls (any thread) ------------------------------------------------------

    def available_documents(self) -> list[tuple[str, str]]:
        """(key, label) of every document this reader can simulate (any thread)."""
        return [(key, SAMPLE_DOCUMENTS[key][0]) for key in self._documents]

    def present(self, key: str) -> None:
        """Place document ``key`` on the reader, waking a waiting :meth:`read_document` (any thread)."""
        if key not in self._documents:
            known = ", ".join(self._documents)
            raise ValueError(f"document {key!r} is not offered by this reader; offered: {known}")
        with self._cond:
            self._present = key
            self._placements += 1
            self._cond.notify_all()

    def script_take_back(self, after_s: float | None) -> None:
        """After each successful read, take the card back ``after_s`` seconds later; ``None``:
        leave it lying on the reader until :meth:`remove` (any thread)."""
        if after_s is not None and after_s < 0:
            raise ValueError("after_s must not be negative")
        self._take_back_s = after_s

    def _take_back_later(self, placement: int) -> None:
        if self._take_back_s is None:
            return

        def take_back() -> None:
            with self._cond:
                if self._placements == placement:
                    self._present = None
                    self._cond.notify_all()

        timer = threading.Timer(self._take_back_s, take_back)
        timer.daemon = True
        timer.start()

    def remove(self) -> None:
        """Take the document off the reader (any thread)."""
        with self._cond:
            self._present = None
            self._cond.notify_all()

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self._faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` reads fail with ``kind`` (any thread).

        Kinds: "no_document" (:class:`NoDocumentPresent` even with a document placed),
        "timeout" (:class:`DeviceTimeout`), "io_error" (:class:`DeviceIOError`), "unreadable"
        (:class:`ProtocolError`, a garbled frame) and "not_authorised" (the SAM module rejected
        the reader: :class:`DeviceError` with action MAINTENANCE).
        """
        self._faults.add(kind, count)

    def clear_faults(self) -> None:
        """Drop every scripted fault (any thread)."""
        self._faults.clear()

    # -- device lifecycle (owner thread) ------------------------------------------------------

    def open(self) -> None:
        """Make the reader ready (owner thread)."""
        self._is_open = True
        self._status = DeviceStatus(DeviceState.ONLINE)

    def close(self) -> None:
        """Release the reader; wakes a waiting read, which then raises DeviceNotOpen (owner thread)."""
        with self._cond:
            self._is_open = False
            self._cond.notify_all()
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="not open")

    def status(self) -> DeviceStatus:
        """ONLINE when open, OFFLINE when closed, an error state after a failed read (owner thread)."""
        return self._status

    def info(self) -> DeviceInfo:
        """Describes the simulator (owner thread)."""
        return DeviceInfo("idcard", "simulated", "Simulated ID reader", "SIM-IDR-0001", "1.0")

    def is_usable(self) -> bool:
        """Always True: the simulator needs nothing (any thread)."""
        return True

    def read_document(self, timeout_s: float) -> Identity:
        """Wait up to ``timeout_s`` for a placed document and return its identity (owner thread)."""
        if not self._is_open:
            raise DeviceNotOpen("the ID reader is not open")
        self._raise_scripted_fault()
        with self._cond:
            arrived = self._cond.wait_for(
                lambda: self._present is not None or not self._is_open, timeout=max(timeout_s, 0)
            )
            if not self._is_open:
                raise DeviceNotOpen("the ID reader was closed during a read")
            if not arrived:
                raise NoDocumentPresent("no document on the reader")
            key = self._present
            placement = self._placements
            assert key is not None
            # Pulling the card mid-read is the commonest real failure; model it honestly.
            if self._read_delay_s and self._cond.wait_for(
                lambda: self._present != key, timeout=self._read_delay_s
            ):
                self._status = DeviceStatus(DeviceState.ONLINE)
                raise DocumentRemoved("the document was removed during the read", ErrorAction.NONE)
        identity = sample_identity(key)
        self._take_back_later(placement)
        self._status = DeviceStatus(DeviceState.ONLINE)
        log.info("simulated reader read a document %s", identity.redacted())
        return identity

    def document_present(self) -> bool:
        """True while a document is placed, i.e. until :meth:`remove` (owner thread)."""
        if not self._is_open:
            raise DeviceNotOpen("the ID reader is not open")
        with self._cond:
            return self._present is not None

    def _raise_scripted_fault(self) -> None:
        fault = self._faults.take()
        if fault is None:
            return
        if fault == "no_document":
            raise NoDocumentPresent("no document on the reader (scripted)")
        if fault == "timeout":
            self._status = DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, "timeout")
            raise DeviceTimeout("the ID reader did not answer (scripted)")
        if fault == "io_error":
            self._status = DeviceStatus(DeviceState.HARDWARE_ERROR, ErrorAction.RESET, "io_error")
            raise DeviceIOError("the ID reader's connection failed (scripted)")
        if fault == "unreadable":
            raise ProtocolError("the document could not be decoded (scripted)")
        self._status = DeviceStatus(
            DeviceState.HARDWARE_ERROR, ErrorAction.MAINTENANCE, "reader not authorised"
        )
        raise DeviceError("the SAM module did not authorise the reader (scripted)", ErrorAction.MAINTENANCE)
