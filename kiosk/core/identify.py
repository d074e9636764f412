"""The identify step of the journey: wait for a document, read it, ask for a passport's access key.

Runs on the core's journey thread; each read runs on the reader's owner thread and its result comes
back through the port's ``post`` (:class:`~kiosk.core.port.StepContext`). Every read carries the
epoch it was asked in, so a result that arrives after the citizen moved on (or left) is dropped,
never kept.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from drivers.common import DeviceError, NoDocumentPresent
from drivers.idcard import AccessKeyReader, AccessKeyRejected, DocumentRemoved
from egov_protocol.identity_proof import DOCUMENT_FACE, PROOF_FIELD

from .. import events as ev
from .card_watch import CardWatch
from .journey import JourneyState, TransitionRefused

if TYPE_CHECKING:
    from .port import StepContext

log = logging.getLogger(__name__)

#: Pause before reading again after a failed read, so a reader in trouble is not hammered.
RETRY_AFTER_READ_ERROR_S = 1.5


def _no_key_needed() -> dict[str, Any]:
    return {"needed": False, "error": ""}


class IdentifyStep:
    """Keeps a read waiting on the reader for as long as the identify screen is shown."""

    def __init__(self, ctx: StepContext) -> None:
        """``ctx`` gives the journey, the reader and the hand-offs (any thread)."""
        self._ctx = ctx
        self._epoch = 0
        #: What the identify screen shows about a passport's access key (``snapshot.access_key``).
        self.access_key_view: dict[str, Any] = _no_key_needed()
        #: Applies ``journey.card_removal`` once a document has been read.
        self.card_watch = CardWatch(ctx)

    def start(self) -> None:
        """The identify screen is shown: wait for a document presented now (journey thread).

        A document already lying on the reader (the previous citizen's, or this citizen's after
        "Back" from the face step) is not read: it must be taken off and presented again
        (:mod:`kiosk.core.left_document`).
        """
        self._epoch += 1
        self.card_watch.stop()  # back on identify: another document may be presented
        epoch = self._epoch
        self._ctx.when_reader_clear(lambda: self._retry_read(epoch))

    def forget_session(self) -> None:
        """The session is wiped: drop reads in flight and the access key shown (journey thread)."""
        self._epoch += 1
        self.card_watch.stop()
        self.access_key_view = _no_key_needed()

    def forget_access_key(self) -> None:
        """The session is wiped: the reader forgets the passport's access key (journey thread,
        once the devices are open)."""
        reader = self._ctx.devices["id_reader"]
        if isinstance(reader.driver, AccessKeyReader):
            reader.submit(lambda driver: driver.set_access_key(None)
                          if isinstance(driver, AccessKeyReader) else None)

    def access_key_entered(self, document_number: str, birth_date: str, expiry_date: str, can: str) -> None:
        """The citizen typed a passport's access key (dates YYMMDD), or its CAN (journey thread)."""
        from drivers.idcard.emrtd.mrz import AccessKey  # pure Python, no reader library

        journey = self._ctx.journey
        if journey.state is not JourneyState.IDENTIFY:
            raise TransitionRefused("not on the identify screen")
        journey.touched()
        try:
            key = AccessKey(can=can.strip()) if can.strip() else AccessKey(
                document_number.strip(), birth_date.strip(), expiry_date.strip())
        except ValueError:
            self.access_key_view = {"needed": True, "error": "invalid"}
            return
        self.access_key_view = _no_key_needed()
        self._ctx.devices["id_reader"].submit(
            lambda reader: reader.set_access_key(key) if isinstance(reader, AccessKeyReader) else None)
        self._request_read(self._epoch)  # read now rather than at the next retry

    def _request_read(self, epoch: int) -> None:
        ctx = self._ctx
        wait_s = ctx.config.journey.document_wait_s
        devices = ctx.devices

        def read(reader: Any) -> Any:
            try:
                return reader.read_document(wait_s)
            finally:
                devices.refresh(devices["id_reader"])  # e.g. OFFLINE while pcscd is gone, and back

        future = devices["id_reader"].submit(read)
        future.add_done_callback(lambda f: ctx.post(lambda: self._on_read(f, epoch)))

    def _on_read(self, future: Future[Any], epoch: int) -> None:
        ctx = self._ctx
        journey = ctx.journey
        if epoch != self._epoch or journey.state is not JourneyState.IDENTIFY:
            return  # the citizen moved on; whatever was read is dropped, not kept
        try:
            identity = future.result()
        except NoDocumentPresent:
            self._request_read(epoch)
            return
        except DeviceError as exc:
            self._read_failed(exc, epoch)
            return
        log.info("document read: %s", identity.redacted())
        journey.document_read(identity)
        journey.session.extras[PROOF_FIELD] = DOCUMENT_FACE
        ctx.events.publish(ev.CARD_READ, document_type=identity.document_type.value)
        ctx.document_read()
        self.card_watch.start(epoch)
        ctx.publish()

    def _read_failed(self, exc: DeviceError, epoch: int) -> None:
        ctx = self._ctx
        reader = ctx.devices["id_reader"].driver
        needs_key = isinstance(reader, AccessKeyReader) and reader.needs_access_key()
        (log.info if needs_key else log.warning)("document read failed: %s (%s)", type(exc).__name__, exc.action)
        if needs_key:
            # A passport lies on the reader: ask for its access key (again, if it was wrong).
            rejected = isinstance(exc, AccessKeyRejected)
            self.access_key_view = {"needed": True, "error": "rejected" if rejected else ""}
            reason = "access_key_rejected" if rejected else "access_key_needed"
        else:
            ctx.journey.document_failed("document_unreadable")
            reason = "document_removed" if isinstance(exc, DocumentRemoved) else type(exc).__name__
        if isinstance(exc, DocumentRemoved):
            ctx.events.publish(ev.CARD_REMOVED)
        ctx.events.publish(ev.READ_FAILED, reason=reason, action=exc.action.value)
        ctx.publish()
        ctx.post_later(RETRY_AFTER_READ_ERROR_S, lambda: self._retry_read(epoch))

    def _retry_read(self, epoch: int) -> None:
        if epoch == self._epoch and self._ctx.journey.state is JourneyState.IDENTIFY:
            self._request_read(epoch)
