"""The ID document reader interface and its backend registry."""

from __future__ import annotations

from abc import abstractmethod

from ..common import BackendRegistry, Device, DeviceIOError, ErrorAction
from .identity import Identity


class DocumentRemoved(DeviceIOError):
    """The document was taken off the reader during a read: nothing is kept, the next read
    starts from scratch (a new SAM find/select; a new BAC/PACE session for a passport)."""

    default_action = ErrorAction.NONE


class IdReader(Device):
    """Reads one identity document placed on (or in) the reader.

    Real backends to come: SAM readers for Chinese cards (``AA AA AA 96 69`` frames over serial,
    transport and frame protocol in separate modules) and ICAO 9303 ePassports over PC/SC. A
    backend may block the owner thread for up to the given timeout; the kiosk calls
    :meth:`read_document` in a loop while the "place your card" screen is shown.
    """

    family = "idcard"
    #: True when :meth:`document_present` really knows whether a document lies on the reader. The
    #: kiosk then reads a document only when it is presented during the identify step and reminds
    #: the citizen to take it back; without it, it cannot tell (``docs/configuration.md`` says what
    #: happens instead).
    reports_presence: bool = False

    @abstractmethod
    def read_document(self, timeout_s: float) -> Identity:
        """Wait up to ``timeout_s`` seconds for a document, read and decode it (owner thread).

        Raises :class:`~drivers.common.NoDocumentPresent` when none arrived in time,
        :class:`~drivers.common.DeviceNotOpen` before :meth:`open`, and other
        :class:`~drivers.common.DeviceError` subclasses when reading failed.
        """

    def document_present(self) -> bool:
        """Is a document still on (or in) the reader? (owner thread; quick, never a full read).

        The kiosk asks this after a successful read to apply ``journey.card_removal``. A backend
        that cannot tell returns True: a wrong True only keeps a session, a wrong False would wipe
        the citizen's work. Raises :class:`~drivers.common.DeviceNotOpen` before :meth:`open`.
        """
        return True

    def document_presence(self) -> bool | None:
        """Like :meth:`document_present`, but None when the reader cannot tell right now (its
        service or the reader itself is gone) rather than a safe True (owner thread).

        The identify step uses it so that an unanswered question is neither "a document lies
        there" nor "it was taken off". Backends that cannot tell that apart keep this default.
        """
        return self.document_present()


#: Backends for ``devices.id_reader.backend``.
id_reader_backends: BackendRegistry[IdReader] = BackendRegistry("idcard")
