"""The ID document reader interface and its backend registry."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..common import BackendRegistry, Device, DeviceIOError, DeviceUserError, ErrorAction
from .identity import Identity

if TYPE_CHECKING:  # the key type lives with the passport protocol; nothing here needs it at run time
    from .emrtd.mrz import AccessKey


class DocumentRemoved(DeviceIOError):
    """The document was taken off the reader during a read: nothing is kept, the next read
    starts from scratch (a new SAM find/select; a new BAC/PACE session for a passport)."""

    default_action = ErrorAction.NONE


class AccessKeyRequired(DeviceUserError):
    """A passport lies on the reader but its access key has not been entered (or was wrong)."""

    default_action = ErrorAction.NONE
    #: True when a key was entered and the chip refused it (the citizen should check it).
    key_rejected = False


class AccessKeyRejected(AccessKeyRequired):
    """The chip refused the entered access key; it has been forgotten, ask again."""

    key_rejected = True


class IdReader(Device):
    """Reads one identity document placed on (or in) the reader.

    Backends: GA 467 SAM readers for Chinese cards (:mod:`.sam`), ICAO 9303 ePassports over
    PC/SC (:mod:`.emrtd.pcsc`), several readers behind one (:mod:`.multi`) and the simulated
    reader. A backend may block the owner thread for up to the given timeout; the kiosk calls
    :meth:`read_document` in a loop while the "place your card" screen is shown. Optional
    abilities are the protocols below (:class:`AccessKeyReader`, :class:`DemoDocuments`).
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


@runtime_checkable
class AccessKeyReader(Protocol):
    """Capability: the reader needs an access key typed by the citizen before it can read some
    documents (ePassports: BAC/PACE from the MRZ or the CAN). A read without one raises
    :class:`AccessKeyRequired`; a refused key :class:`AccessKeyRejected`."""

    def set_access_key(self, key: AccessKey | None) -> None:
        """Keep ``key`` for the next reads; None forgets it (any thread)."""

    def needs_access_key(self) -> bool:
        """True when the document found last waits for an access key (any thread)."""


@runtime_checkable
class DemoDocuments(Protocol):
    """Capability of the simulated readers: sample documents are placed and taken off by the
    demo controls (demo mode, staff training, tests)."""

    def available_documents(self) -> list[tuple[str, str]]:
        """(key, label) of the sample documents this reader offers (any thread)."""

    def present(self, key: str) -> None:
        """Place sample document ``key`` on the reader; unknown keys raise ValueError (any thread)."""

    def remove(self) -> None:
        """Take the document off the reader (any thread)."""


#: Backends for ``devices.id_reader.backend``.
id_reader_backends: BackendRegistry[IdReader] = BackendRegistry("idcard")
