"""TEST AND DEMO ONLY: the eMRTD applet — BAC, PACE (GM ECDH, 3DES/AES), SM and LDS files.

:meth:`EmrtdCard.process` takes a command APDU and returns the response APDU, exactly what
vpcd relays. Security state is reset on power-off and on any SM error, as a real chip does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ...emrtd import lds
from ...emrtd.apdu import Command, decode
from ...emrtd.bac import AccessDenied, BacChip
from ...emrtd.pace import PROTOCOLS, PaceChip, PaceInfo, build_card_access
from ...emrtd.sm import SecureMessaging, SecureMessagingError
from ...emrtd.tlv import TlvError, build, find, oid_text, parse_all, parse_one

log = logging.getLogger(__name__)

OK, FILE_NOT_FOUND, SECURITY, SM_ERROR = 0x9000, 0x6A82, 0x6982, 0x6988


def make_atr(extended: bool) -> bytes:
    """A contactless T=1 ATR (``3B 8n 80 01``) whose historical bytes carry the card
    capabilities (compact-TLV 73) with "extended Lc/Le" when ``extended``; TCK computed."""
    historical = bytes([0x80, 0x73, 0xC8, 0x00, 0x40 if extended else 0x00])
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for byte in body:
        tck ^= byte
    return b"\x3b" + body + bytes([tck])


@dataclass
class EmrtdCard:
    """A chip holding ``files`` (name → bytes) for ``mrz_information`` and optional ``can``."""

    files: dict[str, bytes]
    mrz_information: bytes
    can: str = ""
    pace: list[PaceInfo] = field(default_factory=list)
    bac: bool = True
    extended: bool = False
    #: Plaintext bytes the chip returns at most per READ BINARY.
    max_read: int = 0xFF00
    #: Status words this chip sends bare (unprotected, no data) even under secure messaging, as
    #: many real chips do for 6A82 (absent file) or 6282 (end of file).
    bare_status: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.pace:
            self.files["CardAccess"] = build_card_access(self.pace)
        self.reset()

    def atr(self) -> bytes:
        """The answer to reset."""
        return make_atr(self.extended)

    def reset(self) -> None:
        """Power cycle: no application selected, no security state."""
        self.applet = False
        self.current: str | None = None
        self.sm: SecureMessaging | None = None
        self.bac_chip: BacChip | None = None
        self.pace_chip: PaceChip | None = None
        self.pace_step = 0
        self.commands = 0
        self._pending_sm: SecureMessaging | None = None

    def process(self, raw: bytes) -> bytes:
        """One APDU in, one response out."""
        self.commands += 1
        try:
            command = decode(raw)
        except TlvError:
            return b"\x67\x00"
        protected = command.cla & 0x0C == 0x0C
        if self.sm is not None and not protected:
            self.sm = None  # a plain command ends the secure session (ISO 7816-4)
            return SECURITY.to_bytes(2, "big")
        if protected:
            if self.sm is None:
                return SECURITY.to_bytes(2, "big")
            try:
                command = self.sm.unprotect_command(command)
            except (SecureMessagingError, TlvError):
                self.sm = None
                return SM_ERROR.to_bytes(2, "big")
        try:
            data, sw = self._dispatch(command)
        except AccessDenied:
            data, sw = b"", 0x6300
        except (TlvError, ValueError) as exc:
            log.debug("emulator refused a command: %s", exc)
            data, sw = b"", 0x6A80
        if protected and self.sm is not None and not (sw in self.bare_status and not data):
            return self.sm.protect_response(data, sw) + sw.to_bytes(2, "big")
        pending, self._pending_sm = self._pending_sm, None
        if pending is not None:
            self.sm = pending  # the authenticating reply is plain; SM protects what follows
        return data + sw.to_bytes(2, "big")

    # -- commands -------------------------------------------------------------------------------
    def _dispatch(self, c: Command) -> tuple[bytes, int]:
        if c.ins == 0xA4:
            return self._select(c)
        if c.ins in (0xB0, 0xB1):
            return self._read(c)
        if c.ins == 0x84 and self.bac and self.applet:
            self.bac_chip = BacChip(self.mrz_information)
            return self.bac_chip.rnd_icc[: c.le or 8], OK
        if c.ins == 0x82 and self.bac_chip is not None:
            response, sm = self.bac_chip.authenticate(c.data)
            self.bac_chip = None
            self.sm = None
            return self._install(response, sm)
        if c.ins == 0x22 and c.p1 == 0xC1 and c.p2 == 0xA4:
            return self._mse(c)
        if c.ins == 0x86 and self.pace_chip is not None:
            return self._general_authenticate(c)
        return b"", 0x6D00

    def _install(self, response: bytes, sm: SecureMessaging) -> tuple[bytes, int]:
        # The response to the authenticating command is plain; SM starts with the next command.
        self._pending_sm = sm
        return response, OK

    def _select(self, c: Command) -> tuple[bytes, int]:
        if c.p1 == 0x04:
            if c.data != bytes.fromhex("A0000002471001"):
                return b"", FILE_NOT_FOUND
            self.applet, self.current = True, None
            return b"", OK
        if c.p1 in (0x00, 0x02) and len(c.data) == 2:
            fid = int.from_bytes(c.data, "big")
            for name, (file_id, _sfi) in lds.FILES.items():
                if file_id == fid and name in self.files:
                    if name != "CardAccess" and (not self.applet or (self.sm is None and self._needs_sm())):
                        return b"", SECURITY
                    self.current = name
                    return b"", OK
            return b"", FILE_NOT_FOUND
        return b"", 0x6A86

    def _needs_sm(self) -> bool:
        return self.bac or bool(self.pace)

    def _read(self, c: Command) -> tuple[bytes, int]:
        if self.current is None:
            return b"", 0x6986
        if self.current != "CardAccess" and self.sm is None:
            return b"", SECURITY
        content = self.files[self.current]
        if c.ins == 0xB1:
            item = find(parse_all(c.data), 0x54)
            offset = int.from_bytes(item.value, "big") if item else 0
        else:
            offset = ((c.p1 & 0x7F) << 8) | c.p2
        if offset > len(content):
            return b"", 0x6B00
        length = min(c.le or 256, self.max_read)
        if not self.extended and length > 256:
            return b"", 0x6700
        part = content[offset:offset + length]
        if c.ins == 0xB1:
            part = build(0x53, part)
        return part, (OK if offset + length <= len(content) else 0x6282)

    def _mse(self, c: Command) -> tuple[bytes, int]:
        items = parse_all(c.data)
        oid_item, ref = find(items, 0x80), find(items, 0x83)
        if oid_item is None or ref is None:
            return b"", 0x6A80
        protocol = oid_text(oid_item.value)
        info = next((i for i in self.pace if i.protocol == protocol), None)
        if info is None or protocol not in PROTOCOLS:
            return b"", 0x6A80
        if ref.value == b"\x01":
            password, is_can = self.mrz_information, False
        elif ref.value == b"\x02" and self.can:
            password, is_can = self.can.encode(), True
        else:
            return b"", 0x6A88
        self.sm = None
        self.pace_chip = PaceChip(info, password, is_can)
        self.pace_step = 0
        return b"", OK

    def _general_authenticate(self, c: Command) -> tuple[bytes, int]:
        outer, _ = parse_one(c.data)
        items = parse_all(outer.value) if outer.tag == 0x7C else []
        chip = self.pace_chip
        if chip is None:
            return b"", 0x6985  # conditions of use not satisfied: no MSE:Set AT first
        step, self.pace_step = self.pace_step, self.pace_step + 1
        if step == 0:
            return build(0x7C, build(0x80, chip.encrypted_nonce())), OK
        if step == 1 and (mapping := find(items, 0x81)):
            return build(0x7C, build(0x82, chip.map(mapping.value))), OK
        if step == 2 and (public := find(items, 0x83)):
            return build(0x7C, build(0x84, chip.agree(public.value))), OK
        if step == 3 and (token_in := find(items, 0x85)):
            self.pace_chip = None
            token, sm = chip.finish(token_in.value)
            return self._install(build(0x7C, build(0x86, token)), sm)
        self.pace_chip = None
        return b"", 0x6300
