"""The ``pcsc`` backend: ICAO 9303 eMRTDs (passports, travel permits) through pyscard.

The reader is the first PC/SC reader whose name contains ``reader_name`` (names carry changing
index numbers, so never match whole names); virtual readers (vpcd's "Virtual PCD") are refused
unless ``allow_virtual_readers`` (tests and the demo) and ``reader_name`` names one. The chip is
opened with an exclusive T=1 connection for the whole BAC/PACE + SM session and unpowered
afterwards, which destroys the session keys.
The access key (document number, birth date, expiry — or a CAN) comes from the touchscreen via
:meth:`PcscPassportReader.set_access_key`; without one a present document raises
:class:`AccessKeyRequired`. All methods run on the reader's owner thread unless marked.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from cryptography import x509
from smartcard import scard
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.scard import SCARD_SHARE_EXCLUSIVE, SCARD_UNPOWER_CARD
from smartcard.System import readers as list_readers

from ...common import (
    DeviceError,
    DeviceInfo,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    ErrorAction,
    NoDocumentPresent,
)
from ..base import (
    AccessKeyRejected,
    AccessKeyRequired,
    DocumentRemoved,
    IdReader,
    id_reader_backends,
)
from ..identity import Identity
from ..pcsc_probe import is_virtual_reader, pick_reader
from .bac import AccessDenied
from .monitor import PcscSupervisor
from .mrz import AccessKey
from .session import EmrtdSession, build_identity
from .sod import load_csca_certificates

log = logging.getLogger(__name__)
#: The status detail while pcscd does not answer.
SERVICE_UNAVAILABLE = "PC/SC service unavailable"


def atr_allows_extended(atr: bytes) -> bool:
    """True when the ATR's historical bytes announce extended Lc/Le (ISO 7816-4 card
    capabilities, compact-TLV tag 7, third byte bit 0x40). Contactless ATRs are ``3B 8n 80 01``."""
    if len(atr) < 5 or atr[0] != 0x3B or atr[1] & 0xF0 != 0x80 or atr[2:4] != b"\x80\x01":
        return False
    historical = atr[4:4 + (atr[1] & 0x0F)]
    if not historical or historical[0] not in (0x00, 0x80):
        return False
    body = historical[1:-3] if historical[0] == 0x00 else historical[1:]
    index = 0
    while index < len(body):
        tag, length = body[index] >> 4, body[index] & 0x0F
        value = body[index + 1:index + 1 + length]
        if tag == 0x7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        index += 1 + length
    return False


def _release(connection: CardConnection) -> None:
    """Release pyscard's connection and its PC/SC context now, whatever state pcscd is in.

    Left to pyscard's ``__del__``, a context of a daemon that has since restarted raises
    "invalid handle" from the garbage collector; that context is gone with its daemon anyway.
    """
    try:
        connection.release()
    except Exception:
        log.debug("PC/SC connection release failed", exc_info=True)
        # pyscard's own field, on the PCSCCardConnection inside the decorator createConnection()
        # returns: its __del__ then has nothing left to release.
        getattr(connection, "component", connection).hcontext = None


def _create_connection(reader: Any) -> CardConnection:
    """``reader.createConnection()``, without the noise of a failed one.

    pyscard's connection stores the result of ``SCardEstablishContext`` before checking it; when
    pcscd is gone the constructor raises and the half-built object's ``__del__`` later releases a
    context that never existed, raising from the garbage collector. Its ``hcontext`` is cleared
    through the traceback, the only place that still holds it.
    """
    try:
        return reader.createConnection()
    except Exception as exc:
        link = exc.__traceback__
        while link is not None:
            half_built = link.tb_frame.f_locals.get("self")
            if half_built is not None and hasattr(half_built, "hcontext"):
                half_built.hcontext = None
            link = link.tb_next
        raise


@id_reader_backends.register("pcsc")
class PcscPassportReader(IdReader):
    """A contactless PC/SC reader for ePassports.

    ``reader_name``: substring of the PC/SC reader name ("" = the first reader). ``csca_path``:
    a CSCA certificate file or directory; with it the SOD signature chain is verified, without
    it only the DG hashes and the SOD signature. ``extended_length``: allow extended APDUs when
    the chip's ATR announces them (off by default: many readers cannot). ``pace``/``bac_fallback``:
    the access protocol policy. ``require_sod``: refuse documents without EF.SOD.
    ``allow_virtual_readers``: accept a virtual reader named by ``reader_name`` (tests, demo).
    """

    reports_presence = True  # pcscd knows whether a chip is in the field

    def __init__(self, reader_name: str = "", csca_path: str | None = None, extended_length: bool = False,
                 pace: bool = True, bac_fallback: bool = True, require_sod: bool = True,
                 poll_interval_s: float = 0.25, supervise_interval_s: float = 2.0,
                 allow_virtual_readers: bool = False) -> None:
        self.reader_name = reader_name
        self.allow_virtual_readers = allow_virtual_readers
        self._refusal_logged = False
        self.csca_path = csca_path
        self.extended_length = extended_length
        self.pace = pace
        self.bac_fallback = bac_fallback
        self.require_sod = require_sod
        self._poll_interval_s = poll_interval_s
        self._supervisor = PcscSupervisor(supervise_interval_s)
        self._cscas: list[x509.Certificate] | None = None
        self._key: AccessKey | None = None
        self._key_lock = threading.Lock()
        self._open = False
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="not open")
        #: APDUs of the last read (diagnostics, benchmark).
        self.last_apdus = 0

    # -- any thread --------------------------------------------------------------------------
    def set_access_key(self, key: AccessKey | None) -> None:
        """Store the key typed on the touchscreen for the next read; None forgets it (any thread)."""
        with self._key_lock:
            self._key = key
        self._supervisor.changed()

    def needs_access_key(self) -> bool:
        """True when no access key is stored (any thread)."""
        with self._key_lock:
            return self._key is None

    def is_usable(self) -> bool:
        """True when the PC/SC service answers and a matching reader exists (any thread)."""
        try:
            return self._match([str(r) for r in list_readers()]) is not None
        except Exception:
            return False

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self) -> None:
        """Load the CSCA list and start the monitor supervisor (owner thread)."""
        if self._open:
            return
        if self.csca_path:
            try:
                self._cscas = load_csca_certificates(self.csca_path)
            except (OSError, ValueError) as exc:
                raise DeviceError(f"CSCA certificates unusable: {self.csca_path}",
                                  ErrorAction.CONFIGURATION) from exc
        self._supervisor.start()
        self._open = True
        self._status = DeviceStatus(DeviceState.ONLINE)

    def close(self) -> None:
        """Stop the watcher thread (joined: nothing of ours watches pcscd after this) and forget
        the access key (owner thread)."""
        self._supervisor.stop()
        self.set_access_key(None)
        self._open = False
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="not open")

    def status(self) -> DeviceStatus:
        """OFFLINE while pcscd is gone, NO_DEVICE without a matching reader, else ONLINE (any thread).

        From the watcher's last observation once it made one; before that, the last read's.
        """
        watcher = self._supervisor
        if not self._open or not watcher.observed:
            return self._status
        if not watcher.service_up:
            return DeviceStatus(DeviceState.OFFLINE, ErrorAction.RESET, SERVICE_UNAVAILABLE)
        if self._match(watcher.reader_names) is None:
            virtual = any(is_virtual_reader(n) for n in watcher.reader_names)
            return DeviceStatus(DeviceState.NO_DEVICE, ErrorAction.CLEAR,
                                "only a virtual reader (refused)" if virtual else "reader not connected")
        return DeviceStatus(DeviceState.ONLINE)

    def info(self) -> DeviceInfo:
        """The matched reader's name as the model (owner thread)."""
        name = self._match(self._supervisor.reader_names) or "no reader"
        return DeviceInfo("idcard", "pcsc", name, "", "")

    # -- reading -----------------------------------------------------------------------------
    def _match(self, names: list[str]) -> str | None:
        chosen = pick_reader(names, self.reader_name, self.allow_virtual_readers)
        if chosen is None and not self._refusal_logged and any(
                is_virtual_reader(n) and self.reader_name in n for n in names):
            self._refusal_logged = True
            log.warning("virtual PC/SC reader refused (allow_virtual_readers is off, or no reader_name)")
        return chosen

    def read_document(self, timeout_s: float) -> Identity:
        """Wait up to ``timeout_s`` for a chip, then read it with the entered access key."""
        if not self._open:
            raise DeviceNotOpen("the passport reader is not open")
        deadline = time.monotonic() + max(timeout_s, 0)
        while True:
            connection = self._try_connect()
            if connection is not None:
                break
            if time.monotonic() >= deadline:
                raise NoDocumentPresent("no passport on the reader")
            self._supervisor.wait_for_change(min(self._poll_interval_s, deadline - time.monotonic()))
        try:
            return self._read(connection)
        finally:
            _release(connection)

    def document_present(self) -> bool:
        """Does PC/SC report a card in the matched reader? True when it cannot tell (owner thread)."""
        return self.document_presence() is not False

    def document_presence(self) -> bool | None:
        """Does PC/SC report a card in the matched reader? None when pcscd or the reader is gone
        (that says nothing about the passport) (owner thread).

        Asks pcscd for the reader's state (``SCardGetStatusChange`` with no wait) rather than
        connecting: a connect would power the chip and compete with a read.
        """
        if not self._open:
            raise DeviceNotOpen("the passport reader is not open")
        try:
            result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if result != scard.SCARD_S_SUCCESS:
                return None
            try:
                result, names = scard.SCardListReaders(context, [])
                name = self._match(list(names)) if result == scard.SCARD_S_SUCCESS else None
                if name is None:
                    return None
                result, states = scard.SCardGetStatusChange(context, 0, [(name, scard.SCARD_STATE_UNAWARE)])
                if result != scard.SCARD_S_SUCCESS or not states:
                    return None
                return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
            finally:
                scard.SCardReleaseContext(context)
        except Exception:
            log.debug("presence check inconclusive", exc_info=True)
            return None

    def _try_connect(self) -> CardConnection | None:
        try:
            names = [r for r in list_readers()]
        except Exception as exc:
            self._status = DeviceStatus(DeviceState.OFFLINE, ErrorAction.RESET, SERVICE_UNAVAILABLE)
            log.debug("PC/SC unavailable: %s", type(exc).__name__)
            return None
        chosen = self._match([str(r) for r in names])
        reader = next((r for r in names if str(r) == chosen), None)
        if reader is None:
            self._status = DeviceStatus(DeviceState.NO_DEVICE, ErrorAction.CLEAR, "reader not connected")
            return None
        try:
            connection = _create_connection(reader)  # a PC/SC context of its own: pcscd may just have gone
        except Exception as exc:
            self._status = DeviceStatus(DeviceState.OFFLINE, ErrorAction.RESET, SERVICE_UNAVAILABLE)
            log.debug("PC/SC unavailable: %s", type(exc).__name__)
            return None
        self._status = DeviceStatus(DeviceState.ONLINE)
        try:
            connection.connect(protocol=CardConnection.T1_protocol, mode=SCARD_SHARE_EXCLUSIVE,
                               disposition=SCARD_UNPOWER_CARD)
        except NoCardException:
            _release(connection)
            return None
        except (CardConnectionException, SmartcardException) as exc:
            log.debug("connect failed: %s %s", type(exc).__name__, exc)
            _release(connection)
            return None
        return connection

    def _read(self, connection: CardConnection) -> Identity:
        with self._key_lock:
            key = self._key
        if key is None:
            raise AccessKeyRequired("enter the passport's access key", ErrorAction.NONE)

        def transmit(apdu: bytes) -> tuple[bytes, int]:
            try:
                data, sw1, sw2 = connection.transmit(list(apdu))
            except CardConnectionException as exc:
                raise DocumentRemoved("the passport was removed during the read; start again",
                                      ErrorAction.NONE) from exc
            return bytes(data), (sw1 << 8) | sw2

        try:
            atr = bytes(connection.getATR())
        except SmartcardException as exc:
            raise DocumentRemoved("the passport was removed before the read; start again",
                                  ErrorAction.NONE) from exc
        extended = self.extended_length and atr_allows_extended(atr)
        session = EmrtdSession(transmit, extended=extended, pace=self.pace, bac_fallback=self.bac_fallback)
        try:
            result = session.read_document(key)
        except AccessDenied as exc:
            self.set_access_key(None)  # a wrong key is asked for again, never retried blindly
            raise AccessKeyRejected(f"the access key was not accepted: {exc.message}", ErrorAction.NONE) from exc
        finally:
            self.last_apdus = session.apdus
        identity = build_identity(result, self._cscas, self.require_sod)
        self.set_access_key(None)  # one key, one citizen
        log.info("passport read via %s in %d APDUs %s", result.access, result.apdus, identity.redacted())
        return identity
