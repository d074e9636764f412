"""PACE with generic mapping over ECDH (ICAO 9303-11 §4.4, BSI TR-03110): 3DES and AES.

Pure computation for both sides: :class:`PaceTerminal` (the reader) and :class:`PaceChip` (our
emulator). The reader drives the four GENERAL AUTHENTICATE steps in :mod:`.session`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from . import crypto
from .bac import AccessDenied
from .ec import STANDARD_CURVES, Curve, CurveError, Point
from .sm import SecureMessaging
from .tlv import TlvError, build, der_int_value, der_oid, oid_text, parse_all

_PACE_ECDH_GM = "0.4.0.127.0.7.2.2.4.2"
#: PACE-ECDH-GM protocol OIDs → (cipher, key bits).
PROTOCOLS = {
    f"{_PACE_ECDH_GM}.1": ("3des", 128),
    f"{_PACE_ECDH_GM}.2": ("aes", 128),
    f"{_PACE_ECDH_GM}.3": ("aes", 192),
    f"{_PACE_ECDH_GM}.4": ("aes", 256),
}
PASSWORD_MRZ = 1
PASSWORD_CAN = 2


@dataclass(frozen=True)
class PaceInfo:
    """One PACEInfo from EF.CardAccess that we support."""

    protocol: str
    parameter_id: int

    @property
    def cipher(self) -> str:
        """"3des" or "aes"."""
        return PROTOCOLS[self.protocol][0]

    @property
    def key_bits(self) -> int:
        """Session key length in bits."""
        return PROTOCOLS[self.protocol][1]

    @property
    def curve(self) -> Curve:
        """The standardized curve named by the parameter id."""
        return STANDARD_CURVES[self.parameter_id]


def parse_card_access(data: bytes) -> list[PaceInfo]:
    """Supported PACEInfos in EF.CardAccess (a DER SET OF SecurityInfo); others are skipped."""
    found = []
    items = parse_all(data)
    if len(items) != 1 or items[0].tag != 0x31:
        raise TlvError("EF.CardAccess is not a SET OF SecurityInfo")
    for info in items[0].children():
        if info.tag != 0x30:
            continue
        fields = info.children()
        if len(fields) < 2 or fields[0].tag != 0x06:
            continue
        protocol = oid_text(fields[0].value)
        if protocol not in PROTOCOLS or len(fields) < 3 or fields[2].tag != 0x02:
            continue
        parameter = der_int_value(fields[2].value)
        if parameter in STANDARD_CURVES:
            found.append(PaceInfo(protocol, parameter))
    return found


def build_card_access(infos: list[PaceInfo]) -> bytes:
    """EF.CardAccess holding ``infos`` (emulator side)."""
    body = b"".join(build(0x30, der_oid(i.protocol) + build(0x02, b"\x02") + build(0x02, bytes([i.parameter_id])))
                    for i in infos)
    return build(0x31, body)


def password_key(password: bytes, is_can: bool, info: PaceInfo) -> bytes:
    """K_π: the KDF of the password (SHA-1 of the MRZ information, or the CAN itself)."""
    secret = password if is_can else hashlib.sha1(password).digest()
    return crypto.kdf(secret, 3, info.cipher, info.key_bits)


def _cbc(info: PaceInfo, key: bytes, data: bytes, encrypt: bool) -> bytes:
    if info.cipher == "3des":
        return crypto.tdes_cbc(key, data, encrypt)
    return crypto.aes_cbc(key, data, encrypt)


def public_key_object(info: PaceInfo, point: Point) -> bytes:
    """The authentication token input: 7F49 { 06 protocol OID, 86 point }."""
    return build(0x7F49, der_oid(info.protocol) + build(0x86, info.curve.encode(point)))


def _token(info: PaceInfo, ks_mac: bytes, point: Point) -> bytes:
    data = public_key_object(info, point)
    if info.cipher == "3des":
        return crypto.mac_alg3(ks_mac, data)
    return crypto.aes_cmac(ks_mac, data)


def _session(info: PaceInfo, shared_x: int) -> tuple[bytes, bytes]:
    secret = shared_x.to_bytes(info.curve.size, "big")
    return crypto.kdf(secret, 1, info.cipher, info.key_bits), crypto.kdf(secret, 2, info.cipher, info.key_bits)


def mse_set_at_data(info: PaceInfo, password_ref: int) -> bytes:
    """Data of MSE:Set AT for PACE."""
    return build(0x80, der_oid(info.protocol)[2:]) + build(0x83, bytes([password_ref]))


class PaceTerminal:
    """The reader's side of one PACE run."""

    def __init__(self, info: PaceInfo, password: bytes, is_can: bool) -> None:
        self.info = info
        self.curve = info.curve
        self.k_pi = password_key(password, is_can, info)

    def decrypt_nonce(self, encrypted: bytes) -> None:
        """Step 1: the chip's encrypted nonce."""
        try:
            self.s = int.from_bytes(_cbc(self.info, self.k_pi, encrypted, False), "big")
        except crypto.CryptoError as exc:
            raise AccessDenied(f"PACE nonce unusable: {exc}") from None

    def map_public(self) -> bytes:
        """Step 2, out: our mapping public key."""
        self._map_private, public = self.curve.keypair()
        return self.curve.encode(public)

    def map_generator(self, chip_public: bytes) -> None:
        """Step 2, in: the chip's mapping key gives the mapped generator ``G' = s·G + H``."""
        shared = self.curve.multiply(self._map_private, self.curve.decode(chip_public))
        self.generator = self.curve.add(self.curve.multiply(self.s, self.curve.g), shared)
        if self.generator is None:
            raise CurveError("PACE mapped generator is the point at infinity")

    def ephemeral_public(self) -> bytes:
        """Step 3, out: our ephemeral key on G'."""
        self._private, self._public = self.curve.keypair(self.generator)
        return self.curve.encode(self._public)

    def agree(self, chip_public: bytes) -> bytes:
        """Step 3, in: derive session keys; returns our token for step 4."""
        self._chip_point = self.curve.decode(chip_public)
        if self._chip_point == self._public:
            raise AccessDenied("the chip echoed our ephemeral key")
        shared = self.curve.multiply(self._private, self._chip_point)
        if shared is None:
            raise CurveError("PACE shared secret is the point at infinity")
        self.ks_enc, self.ks_mac = _session(self.info, shared[0])
        return _token(self.info, self.ks_mac, self._chip_point)

    def finish(self, chip_token: bytes) -> SecureMessaging:
        """Step 4, in: check the chip's token; returns the session's secure messaging (SSC 0)."""
        if not hmac.compare_digest(_token(self.info, self.ks_mac, self._public), chip_token):
            raise AccessDenied("PACE authentication token wrong (access key mistyped?)")
        return SecureMessaging(self.ks_enc, self.ks_mac, 0, self.info.cipher)


class PaceChip:
    """The chip's side (emulator)."""

    def __init__(self, info: PaceInfo, password: bytes, is_can: bool) -> None:
        self.info = info
        self.curve = info.curve
        self.k_pi = password_key(password, is_can, info)
        self.nonce = os.urandom(16)

    def encrypted_nonce(self) -> bytes:
        """Step 1."""
        return _cbc(self.info, self.k_pi, self.nonce, True)

    def map(self, terminal_public: bytes) -> bytes:
        """Step 2."""
        private, public = self.curve.keypair()
        shared = self.curve.multiply(private, self.curve.decode(terminal_public))
        self.generator = self.curve.add(self.curve.multiply(int.from_bytes(self.nonce, "big"), self.curve.g), shared)
        return self.curve.encode(public)

    def agree(self, terminal_public: bytes) -> bytes:
        """Step 3."""
        self._terminal = self.curve.decode(terminal_public)
        self._private, self._public = self.curve.keypair(self.generator)
        shared = self.curve.multiply(self._private, self._terminal)
        if shared is None:
            raise CurveError("PACE shared secret is the point at infinity")
        self.ks_enc, self.ks_mac = _session(self.info, shared[0])
        return self.curve.encode(self._public)

    def finish(self, terminal_token: bytes) -> tuple[bytes, SecureMessaging]:
        """Step 4: check the terminal's token, return ours and the SM."""
        if not hmac.compare_digest(_token(self.info, self.ks_mac, self._public), terminal_token):
            raise AccessDenied("terminal token wrong")
        return _token(self.info, self.ks_mac, self._terminal), SecureMessaging(
            self.ks_enc, self.ks_mac, 0, self.info.cipher)
