"""The SAM-reader backend ``sam``: Chinese ID cards through a GA 467 SAM module over serial.

Device state only: what to ask and when. Bytes are framed by :mod:`.frames`, exchanged by
:mod:`.protocol` over :mod:`.transport`; text is decoded by :mod:`.textblock`. Every method runs on
the reader's owner thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from ...common import (
    DeviceError,
    DeviceInfo,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    DeviceUserError,
    ErrorAction,
    NoDocumentPresent,
    ProtocolError,
)
from ..base import DocumentRemoved, IdReader, id_reader_backends
from ..identity import Identity
from ..wlt import NO_DECODER_REASON, CtypesWltDecoder, WltDecoder
from . import frames
from .protocol import SamProtocol
from .textblock import decode_text_block
from .transport import SerialTransport

log = logging.getLogger(__name__)

_REMOVED = "the card was moved away during the read; place it on the reader again"


@id_reader_backends.register("sam")
class SamIdReader(IdReader):
    """A SAM reader on ``port`` (device path or pyserial URL such as ``socket://host:4001``).

    ``find_timeout_s`` bounds find/select/status replies (vendors use ~0.1 s; we allow more for
    USB-serial latency), ``read_timeout_s`` the text+photo read (2–3 s in vendor code).
    ``retries`` repeats a command after a garbled or truncated reply. ``poll_interval_s`` is the
    pause between "find card" polls. ``wlt_decoder`` is the path of the vendor's WLT library.
    ``fingerprints`` uses ``30 10`` (text, photo and fingerprint templates, discarded after the
    read) instead of ``30 01``; ``appended_address`` asks for the latest 追加住址 with ``30 03``.
    ``presence_by_find`` lets :meth:`document_present` ask "find card": only for readers whose
    find still answers for a card left lying on them after a read (many SAM modules look only for
    cards not yet selected, so a card left there would seem gone and the session be wiped).
    """

    def __init__(
        self,
        port: str = "/dev/ttyUSB0",
        baudrate: int = 115200,
        find_timeout_s: float = 0.5,
        read_timeout_s: float = 3.0,
        retries: int = 2,
        poll_interval_s: float = 0.1,
        wlt_decoder: str | None = None,
        fingerprints: bool = False,
        appended_address: bool = True,
        presence_by_find: bool = False,
    ) -> None:
        if baudrate not in frames.SET_BAUD:
            raise ValueError(f"baudrate must be one of {sorted(frames.SET_BAUD)}")
        if min(find_timeout_s, read_timeout_s) <= 0 or poll_interval_s < 0 or retries < 0:
            raise ValueError("timeouts must be positive, retries and poll interval not negative")
        self.port = port
        self._transport = SerialTransport(port, baudrate)
        self._protocol = SamProtocol(self._transport, retries)
        self._find_timeout_s = find_timeout_s
        self._read_timeout_s = read_timeout_s
        self._poll_interval_s = poll_interval_s
        self._decoder: WltDecoder | None = CtypesWltDecoder(wlt_decoder) if wlt_decoder else None
        self._fingerprints = fingerprints
        self._appended_address = appended_address
        self._presence_by_find = presence_by_find
        self._sam_id = ""
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="not open")

    @property
    def reports_presence(self) -> bool:  # type: ignore[override]
        """Only with ``presence_by_find``: otherwise :meth:`document_present` cannot tell."""
        return self._presence_by_find

    @property
    def exchanges(self) -> int:
        """Frames exchanged so far (diagnostics, benchmark)."""
        return self._protocol.exchanges

    def open(self) -> None:
        """Open the port, check the SAM's status and read its id (owner thread)."""
        if self._transport.is_open:
            return
        self._transport.open()
        try:
            self._command(frames.SAM_STATUS, self._find_timeout_s)
            sam_id = self._command(frames.READ_SAM_ID, self._find_timeout_s).data
            self._sam_id = sam_id.hex().upper()
        except DeviceError as exc:
            self._transport.close()
            self._status = DeviceStatus(DeviceState.HARDWARE_ERROR, exc.action, type(exc).__name__)
            raise
        self._status = DeviceStatus(DeviceState.ONLINE)

    def close(self) -> None:
        """Close the port (idempotent, owner thread)."""
        self._transport.close()
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="not open")

    def status(self) -> DeviceStatus:
        """The last known status (owner thread)."""
        return self._status

    def info(self) -> DeviceInfo:
        """The SAM module's id as the serial number (owner thread)."""
        return DeviceInfo("idcard", "sam", "GA 467 SAM reader", self._sam_id or "unknown", "")

    def is_usable(self) -> bool:
        """True when the port names a URL or an existing device (any thread)."""
        import os

        return "://" in self.port or os.path.exists(self.port)

    def reset(self) -> None:
        """Reset the SAM module (owner thread); used by staff diagnostics."""
        self._command(frames.RESET_SAM, self._find_timeout_s)

    def read_document(self, timeout_s: float) -> Identity:
        """Poll for a card for up to ``timeout_s``, then select and read it (owner thread)."""
        if not self._transport.is_open:
            raise DeviceNotOpen("the SAM reader is not open")
        deadline = time.monotonic() + max(timeout_s, 0)
        while True:
            try:
                self._command(frames.FIND_CARD, self._find_timeout_s)
                self._command(frames.SELECT_CARD, self._find_timeout_s)
                break
            except NoDocumentPresent:
                self._status = DeviceStatus(DeviceState.ONLINE)
                if time.monotonic() + self._poll_interval_s >= deadline:
                    raise
                time.sleep(self._poll_interval_s)
        try:
            identity = self._read_selected()
        except (DeviceTimeout, ProtocolError) as exc:
            if isinstance(exc, DeviceUserError) or exc.action is ErrorAction.NONE:
                raise
            # A card pulled mid-read leaves the SAM silent or the frame cut; the port is fine.
            raise DocumentRemoved(_REMOVED, ErrorAction.NONE) from exc
        self._status = DeviceStatus(DeviceState.ONLINE)
        log.info("SAM reader read a document %s", identity.redacted())
        return identity

    def document_present(self) -> bool:
        """With ``presence_by_find``: False only when "find card" (``20 01``) answers "no card".
        Otherwise, or when the answer is garbled or missing, True: never a false "removed"
        (owner thread)."""
        if not self._transport.is_open:
            raise DeviceNotOpen("the SAM reader is not open")
        if not self._presence_by_find:
            return True
        try:
            response = self._protocol.exchange(frames.FIND_CARD, self._find_timeout_s)
        except DeviceError as exc:
            log.debug("presence check inconclusive: %s", type(exc).__name__)
            return True
        return response.sw3 != frames.SW_NO_CARD

    def _read_selected(self) -> Identity:
        command = frames.READ_TEXT_PHOTO_FINGERPRINT if self._fingerprints else frames.READ_TEXT_PHOTO
        try:
            response = self._command(command, self._read_timeout_s)
        except (NoDocumentPresent, DeviceIOError) as exc:
            if isinstance(exc, NoDocumentPresent | frames.ReadFailed):
                raise DocumentRemoved(_REMOVED, ErrorAction.NONE) from exc
            raise
        record = frames.split_read_payload(response.data, self._fingerprints)
        identity = decode_text_block(record.text)
        address = self._latest_appended_address() if self._appended_address else None
        if address:
            identity = replace(identity, address=address)
        return self._with_photo(identity, record.photo)

    def _latest_appended_address(self) -> str | None:
        response = self._protocol.exchange(frames.READ_APPENDED_ADDRESS, self._find_timeout_s)
        if response.sw3 == 0x91 or not response.data:
            return None  # no 追加住址 on this card
        response.raise_for_status()
        try:
            text = response.data[-70:].decode("utf-16-le")
        except UnicodeDecodeError:
            raise ProtocolError("the appended address is not valid UCS-2", ErrorAction.NONE) from None
        return text.replace("\x00", " ").strip(" \u3000") or None

    def _with_photo(self, identity: Identity, wlt: bytes) -> Identity:
        if self._decoder is None:
            return replace(identity, photo_missing_reason=NO_DECODER_REASON)
        try:
            return replace(identity, photo_jpeg=self._decoder.decode_to_jpeg(wlt))
        except DeviceError as exc:
            log.warning("WLT photo not decoded: %s", type(exc).__name__)
            return replace(identity, photo_missing_reason=f"the card photo did not decode: {exc.message}")

    def _command(self, command: tuple[int, int], timeout_s: float) -> frames.Response:
        try:
            response = self._protocol.exchange(command, timeout_s)
            response.raise_for_status()
        except DeviceError as exc:
            if exc.action not in (ErrorAction.NONE, ErrorAction.CLEAR):
                self._status = DeviceStatus(DeviceState.HARDWARE_ERROR, exc.action, type(exc).__name__)
            raise
        return response
