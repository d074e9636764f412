"""One eMRTD reading session over any APDU transport: access control, SM, files, PA.

The session is transport-agnostic: it takes a ``transmit(apdu) -> (data, sw)`` callable (pyscard
in :mod:`.pcsc`, the emulator directly in tests). It never survives an error: the caller drops it
and starts over, so a stale send sequence counter is never reused. Runs on the reader's owner
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from cryptography import x509

from ...common import DeviceError, ErrorAction, ProtocolError
from ..identity import Identity
from . import lds, sod
from .apdu import Command
from .bac import AccessDenied, BacTerminal
from .mrz import AccessKey
from .pace import (
    PASSWORD_CAN,
    PASSWORD_MRZ,
    PaceInfo,
    PaceTerminal,
    mse_set_at_data,
    parse_card_access,
)
from .sm import SecureMessaging
from .tlv import TlvError, build, find, header_length, parse_all, parse_one

log = logging.getLogger(__name__)

Transmit = Callable[[bytes], tuple[bytes, int]]
LDS1_AID = bytes.fromhex("A0000002471001")
#: Plaintext bytes per READ BINARY: jmrtd's default, under the 250/242 some chips allow in SM.
SHORT_READ = 223
EXTENDED_READ = 0xFF00


class CardError(ProtocolError):
    """The chip answered a command with an error status word."""

    default_action = ErrorAction.NONE

    def __init__(self, message: str, sw: int) -> None:
        super().__init__(f"{message} (SW {sw:04X})")
        self.sw = sw


class FileAbsent(CardError):
    """The chip has no such file (SW 6A82 to SELECT): for an optional file, the read goes on."""


#: SELECT status words that mean "this file is not on the chip".
FILE_NOT_FOUND = (0x6A82,)
#: Data groups read when EF.COM lists them; a missing one is reported, not fatal.
OPTIONAL_GROUPS = ("DG2", "DG11")


@dataclass
class ReadResult:
    """Raw files read in one session, the access method used, the APDU count, and the files the
    chip should have had (listed in EF.COM, or EF.SOD) but did not."""

    files: dict[str, bytes] = field(default_factory=dict)
    access: str = ""
    apdus: int = 0
    missing: list[str] = field(default_factory=list)


class EmrtdSession:
    """Reads one chip. ``extended`` allows extended-length READ BINARY (when the caller has
    established that the reader and chip support it); ``pace`` tries PACE when EF.CardAccess
    offers it, with BAC as fallback when ``bac_fallback``."""

    def __init__(self, transmit: Transmit, extended: bool = False, pace: bool = True,
                 bac_fallback: bool = True) -> None:
        self._transmit = transmit
        self.extended = extended
        self.pace = pace
        self.bac_fallback = bac_fallback
        self.sm: SecureMessaging | None = None
        self.apdus = 0

    # -- APDU level ---------------------------------------------------------------------------
    def send(self, command: Command) -> tuple[bytes, int]:
        """Send ``command`` (protected once SM is up); returns (data, sw)."""
        self.apdus += 1
        extended = self.extended and (command.le or 0) > 256
        if self.sm is None:
            return self._transmit(command.encode(extended))
        data, sw = self._transmit(self.sm.protect(command, extended))
        return self.sm.unprotect(data, sw)

    def _expect_ok(self, command: Command, what: str) -> bytes:
        data, sw = self.send(command)
        if sw != 0x9000:
            raise CardError(f"{what} failed", sw)
        return data

    # -- access control -----------------------------------------------------------------------
    def read_card_access(self) -> list[PaceInfo]:
        """Supported PACE parameters from EF.CardAccess (at MF level); [] when absent."""
        _data, sw = self.send(Command(0x00, 0xA4, 0x02, 0x0C, (0x011C).to_bytes(2, "big")))
        if sw != 0x9000:
            return []  # 6A82: no EF.CardAccess, so no PACE
        try:
            return parse_card_access(self._read_current())
        except (CardError, TlvError) as exc:
            log.info("EF.CardAccess unusable (%s): using BAC", type(exc).__name__)
            return []

    def select_applet(self) -> None:
        """Select the LDS1 eMRTD application."""
        self._expect_ok(Command(0x00, 0xA4, 0x04, 0x0C, LDS1_AID), "selecting the passport application")

    def bac(self, key: AccessKey) -> None:
        """Basic access control with a document-number key."""
        if key.is_can:
            raise AccessDenied("this document supports only BAC, which needs the MRZ key, not a CAN",
                               ErrorAction.NONE)
        terminal = BacTerminal(key.mrz_information())
        challenge = self._expect_ok(Command(0x00, 0x84, 0x00, 0x00, le=8), "GET CHALLENGE")
        data, sw = self.send(Command(0x00, 0x82, 0x00, 0x00, terminal.mutual_authenticate_data(challenge), 40))
        if sw != 0x9000:
            raise AccessDenied(f"the chip refused the access key (SW {sw:04X})")
        self.sm = terminal.finish(data)

    def pace_authenticate(self, key: AccessKey, info: PaceInfo) -> None:
        """PACE generic mapping (ECDH) with ``key``; SM restarts with the PACE session keys."""
        password = key.can.encode() if key.is_can else key.mrz_information()
        terminal = PaceTerminal(info, password, key.is_can)
        reference = PASSWORD_CAN if key.is_can else PASSWORD_MRZ
        self._expect_ok(Command(0x00, 0x22, 0xC1, 0xA4, mse_set_at_data(info, reference)), "MSE:Set AT")
        terminal.decrypt_nonce(self._general_authenticate(b"", 0x80, chained=True))
        terminal.map_generator(self._general_authenticate(build(0x81, terminal.map_public()), 0x82, True))
        token = terminal.agree(self._general_authenticate(build(0x83, terminal.ephemeral_public()), 0x84, True))
        self.sm = terminal.finish(self._general_authenticate(build(0x85, token), 0x86, chained=False))

    def _general_authenticate(self, data: bytes, answer_tag: int, chained: bool) -> bytes:
        reply, sw = self.send(Command(0x10 if chained else 0x00, 0x86, 0x00, 0x00, build(0x7C, data), 0))
        if sw != 0x9000:
            raise AccessDenied(f"PACE step refused (SW {sw:04X}); was the access key typed correctly?")
        outer, _ = parse_one(reply)
        item = find(parse_all(outer.value), answer_tag) if outer.tag == 0x7C else None
        if item is None:
            raise TlvError("PACE response lacks its data object")
        return item.value

    def authenticate(self, key: AccessKey) -> str:
        """PACE if offered (and enabled), else BAC; returns "PACE" or "BAC"."""
        infos = self.read_card_access() if self.pace else []
        if infos:
            try:
                self.pace_authenticate(key, infos[0])
                self.select_applet()
                return "PACE"
            except AccessDenied:
                if not self.bac_fallback or key.is_can:
                    raise
                log.info("PACE refused; falling back to BAC")
                self.sm = None
        self.select_applet()
        self.bac(key)
        return "BAC"

    # -- files --------------------------------------------------------------------------------
    def read_file(self, name: str) -> bytes:
        """Select LDS file ``name`` (see :data:`lds.FILES`) and read it whole."""
        fid = lds.FILES[name][0]
        _data, sw = self.send(Command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if sw in FILE_NOT_FOUND:
            raise FileAbsent(f"EF.{name} is not on the chip", sw)
        if sw != 0x9000:
            raise CardError(f"selecting EF.{name} failed", sw)
        return self._read_current(f"EF.{name}")

    def _read_current(self, what: str = "the file") -> bytes:
        head = self._read_binary(0, 8, allow_short=True)
        try:
            total = header_length(head)
        except TlvError:
            raise TlvError(f"{what} does not start with a TLV header") from None
        data = bytearray(head[:total])
        chunk = EXTENDED_READ if self.extended else SHORT_READ
        while len(data) < total:
            try:
                part = self._read_binary(len(data), min(chunk, total - len(data)))
            except CardError as exc:
                if exc.sw != 0x6B00:  # 6B00: offset beyond the file, i.e. it ended
                    raise
                part = b""
            if not part:
                raise TlvError(f"{what} ends after {len(data)} of the {total} bytes its TLV header announces")
            data += part
        return bytes(data[:total])

    def _read_binary(self, offset: int, length: int, allow_short: bool = False) -> bytes:
        if offset > 0x7FFF:
            command = Command(0x00, 0xB1, 0x00, 0x00, build(0x54, offset.to_bytes(3, "big")), length)
        else:
            command = Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length)
        data, sw = self.send(command)
        if sw >> 8 == 0x6C:  # wrong Le: the chip says how many bytes there are
            data, sw = self.send(Command(command.cla, command.ins, command.p1, command.p2, command.data, sw & 0xFF))
        if sw == 0x6282 or (allow_short and sw == 0x9000):
            pass  # end of file before Le: what came is all there is
        elif sw != 0x9000:
            raise CardError("READ BINARY failed", sw)
        if command.ins == 0xB1:
            data = parse_one(data)[0].value
        return data

    # -- the whole document ---------------------------------------------------------------------
    def read_document(self, key: AccessKey) -> ReadResult:
        """Authenticate and read EF.COM, DG1, DG2 and DG11 (when listed) and EF.SOD.

        EF.COM and DG1 must be there; a listed optional group or EF.SOD that the chip says it
        does not have (SW 6A82, protected or bare) goes into ``missing`` and the read goes on.
        """
        result = ReadResult(access=self.authenticate(key))
        result.files["COM"] = self.read_file("COM")
        try:
            listed = lds.parse_com(result.files["COM"])
        except TlvError as exc:
            raise TlvError(f"EF.COM is malformed: {exc.message}") from None
        result.files["DG1"] = self.read_file("DG1")
        for name in [*(g for g in OPTIONAL_GROUPS if g in listed), "SOD"]:
            try:
                result.files[name] = self.read_file(name)
            except FileAbsent as exc:
                log.warning("%s absent (SW %04X); reading on", name, exc.sw)
                result.missing.append(name)
        result.apdus = self.apdus
        return result


T = TypeVar("T")

_DG_NUMBERS = {"DG1": 1, "DG2": 2, "DG11": 11}


def _parsed(name: str, parser: Callable[[bytes], T], data: bytes) -> T:
    """``parser(data)``, with a malformed file named in the error."""
    try:
        return parser(data)
    except TlvError as exc:
        raise TlvError(f"EF.{name} is malformed: {exc.message}") from None


def build_identity(result: ReadResult, cscas: list[x509.Certificate] | None, require_sod: bool = True) -> Identity:
    """Decode the files of ``result`` and passive-authenticate them; returns an Identity whose
    ``missing_files`` names what the chip did not have."""
    files = result.files
    if "SOD" not in files:
        if require_sod:
            raise sod.PassiveAuthError("the document has no readable EF.SOD")
        authenticated = None
    else:
        groups = {_DG_NUMBERS[name]: files[name] for name in _DG_NUMBERS if name in files}
        authenticated = sod.passive_authentication(files["SOD"], groups, cscas)
    dg1 = _parsed("DG1", lds.parse_dg1, files["DG1"])
    photo, reason = None, None
    if "DG2" in files:
        try:
            photo = lds.face_jpeg(files["DG2"])
        except DeviceError as exc:
            reason = f"the passport photo could not be decoded: {exc.message}"
    else:
        reason = "the passport chip has no face image"
    dg11 = _parsed("DG11", lds.parse_dg11, files["DG11"]) if "DG11" in files else None
    return lds.identity_from(dg1, photo, reason, dg11, authenticated=authenticated,
                             missing_files=tuple(result.missing))
