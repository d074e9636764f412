"""Secure messaging (ICAO 9303-11 §9.8): wrapping commands and unwrapping responses.

One :class:`SecureMessaging` per authenticated session; the send sequence counter advances on
every protected command and every protected response, so a session is never resumed after an SM
error (start over with BAC or PACE). Used by the reader and by our card emulator.

What real chips send back to a protected command, and what :meth:`SecureMessaging.unprotect`
makes of it:

- a protected response (DO'87'/DO'85', DO'99', DO'8E'): MAC checked, data decrypted, the status
  word is DO'99''s;
- a **bare status word** 6987 (SM data objects missing) or 6988 (SM data objects incorrect): the
  chip has ended secure messaging, :class:`SecureMessagingError`;
- any other bare status word (6A82 "file not found" for an absent optional file, 6282 "end of
  file", 6982 ...): the command's status, returned with no data. The chip did not MAC it, so the
  send sequence counter does not advance for it (as jmrtd, whose wrapper never unwraps a
  response without data) and the session goes on; the caller decides what the status means. It
  is unauthenticated, so it can only ever make the read *fail* or skip a file, never add data;
- a protected response **without DO'99'**: refused (:class:`SecureMessagingError`). ICAO 9303-11
  (§9.8, the protected response is [DO'85'/DO'87'] DO'99' DO'8E') makes DO'99' mandatory, and
  without it the status word would not be covered by the MAC, so a 6A82 or 9000 could be swapped
  in transit. jmrtd parses such a response but reports status 0000, which its callers treat as a
  failure too; failing here says why.
"""

from __future__ import annotations

from ...common import ErrorAction, ProtocolError
from . import crypto
from .apdu import Command
from .tlv import Tlv, TlvError, build, find, parse_all

#: Bare status words with which a chip ends secure messaging (ISO 7816-4 / ICAO 9303-11).
SM_ABORTED = (0x6987, 0x6988)


class SecureMessagingError(ProtocolError):
    """A protected response failed its MAC, lacked a mandatory object or did not decrypt."""

    default_action = ErrorAction.NONE


class SecureMessaging:
    """Session keys and the SSC for ``cipher`` "3des" (BAC, PACE-3DES) or "aes" (PACE-AES)."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: int, cipher: str = "3des") -> None:
        if cipher not in ("3des", "aes"):
            raise ValueError("cipher is 3des or aes")
        self.ks_enc, self.ks_mac, self.ssc, self.cipher = ks_enc, ks_mac, ssc, cipher
        self.block = 8 if cipher == "3des" else 16

    # -- primitives -----------------------------------------------------------------------
    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def _iv(self) -> bytes:
        if self.cipher == "3des":
            return bytes(8)
        return crypto.aes_ecb_block(self.ks_enc, self._ssc_bytes())

    def encrypt(self, data: bytes) -> bytes:
        """Encrypt padded ``data`` under the current SSC."""
        padded = crypto.pad(data, self.block)
        if self.cipher == "3des":
            return crypto.tdes_cbc(self.ks_enc, padded, True)
        return crypto.aes_cbc(self.ks_enc, padded, True, self._iv())

    def decrypt(self, data: bytes) -> bytes:
        """Decrypt and unpad ``data`` under the current SSC."""
        try:
            if self.cipher == "3des":
                plain = crypto.tdes_cbc(self.ks_enc, data, False)
            else:
                plain = crypto.aes_cbc(self.ks_enc, data, False, self._iv())
            return crypto.unpad(plain)
        except crypto.CryptoError as exc:
            raise SecureMessagingError(f"protected data did not decrypt: {exc}") from None

    def mac(self, data: bytes) -> bytes:
        """The 8-byte MAC of ``SSC || data`` (padding included)."""
        if self.cipher == "3des":
            return crypto.mac_alg3(self.ks_mac, self._ssc_bytes() + data)  # pads itself
        return crypto.aes_cmac(self.ks_mac, crypto.pad(self._ssc_bytes() + data, 16))

    # -- reader side ------------------------------------------------------------------------
    def protect(self, command: Command, extended: bool = False) -> bytes:
        """The protected form of ``command`` (CLA|0x0C, DO87/DO85, DO97, DO8E), ready to send."""
        self.ssc += 1
        cla = command.cla | 0x0C
        header = bytes([cla, command.ins, command.p1, command.p2])
        body = b""
        if command.data:
            tag = 0x85 if command.ins & 1 else 0x87
            encrypted = self.encrypt(command.data)
            body += build(tag, (b"\x01" if tag == 0x87 else b"") + encrypted)
        if command.le is not None:
            le = command.le
            body += build(0x97, bytes([le & 0xFF]) if le <= 256 and not extended else le.to_bytes(2, "big"))
        mac = self.mac(crypto.pad(header, self.block) + body)
        body += build(0x8E, mac)
        wrapped = Command(cla, command.ins, command.p1, command.p2, body, 0)
        return wrapped.encode(extended or len(body) > 255)

    def unprotect(self, data: bytes, sw: int) -> tuple[bytes, int]:
        """Verify and decrypt a protected response; returns (plain data, SW from DO99), or
        (b"", sw) for a bare status word other than 6987/6988 (see the module docstring)."""
        if sw in SM_ABORTED:
            self.ssc += 1
            raise SecureMessagingError(f"the chip rejected the secure message (SW {sw:04X})")
        if not data and sw != 0x9000:
            return b"", sw  # the command's own status, sent unprotected: no MAC, no SSC step
        self.ssc += 1
        try:
            items = parse_all(data)
        except TlvError as exc:
            raise SecureMessagingError(f"protected response is malformed: {exc}") from None
        mac = find(items, 0x8E)
        status = find(items, 0x99)
        if mac is None or status is None or len(status.value) != 2:
            raise SecureMessagingError("protected response lacks DO99 or DO8E")
        covered = b"".join(build(i.tag, i.value) for i in items if i.tag in (0x85, 0x87, 0x99))
        if self.mac(covered) != mac.value:
            raise SecureMessagingError("protected response failed its MAC")
        plain = b""
        encrypted = find(items, 0x87) or find(items, 0x85)
        if encrypted is not None:
            value = encrypted.value
            if encrypted.tag == 0x87:
                if not value or value[0] != 0x01:
                    raise SecureMessagingError("DO87 lacks its padding indicator")
                value = value[1:]
            plain = self.decrypt(value)
        return plain, int.from_bytes(status.value, "big")

    # -- card side (emulator) ---------------------------------------------------------------
    def unprotect_command(self, command: Command) -> Command:
        """Card side: verify and decrypt a protected command."""
        self.ssc += 1
        items = parse_all(command.data)
        mac = find(items, 0x8E)
        if mac is None:
            raise SecureMessagingError("protected command lacks DO8E")
        header = bytes([command.cla, command.ins, command.p1, command.p2])
        covered = b"".join(build(i.tag, i.value) for i in items if i.tag in (0x85, 0x87, 0x97))
        if self.mac(crypto.pad(header, self.block) + covered) != mac.value:
            raise SecureMessagingError("protected command failed its MAC")
        data = b""
        encrypted = find(items, 0x87) or find(items, 0x85)
        if encrypted is not None:
            data = self.decrypt(encrypted.value[1:] if encrypted.tag == 0x87 else encrypted.value)
        le_item: Tlv | None = find(items, 0x97)
        le = None
        if le_item is not None:
            le = int.from_bytes(le_item.value, "big") or (256 if len(le_item.value) == 1 else 65536)
        return Command(command.cla & ~0x0C & 0xFF, command.ins, command.p1, command.p2, data, le)

    def protect_response(self, data: bytes, sw: int) -> bytes:
        """Card side: the protected response body (without SW) for ``data`` and ``sw``."""
        self.ssc += 1
        body = b""
        if data:
            body += build(0x87, b"\x01" + self.encrypt(data))
        body += build(0x99, sw.to_bytes(2, "big"))
        return body + build(0x8E, self.mac(body))
