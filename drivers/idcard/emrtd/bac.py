"""Basic Access Control (ICAO 9303-11 §4.3): key derivation and the reader's side of the
mutual authentication, plus the chip's side for our emulator — pure computation."""

from __future__ import annotations

import hashlib
import hmac
import os

from ...common import ErrorAction, ProtocolError
from . import crypto
from .sm import SecureMessaging


class AccessDenied(ProtocolError):
    """The chip refused the access key (BAC or PACE failed): the key was probably mistyped."""

    default_action = ErrorAction.NONE


def keys_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) from a 16-byte key seed."""
    return crypto.kdf(seed, 1, "3des"), crypto.kdf(seed, 2, "3des")


def document_keys(mrz_information: bytes) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) from the MRZ information (number+cd, birth+cd, expiry+cd)."""
    return keys_from_seed(hashlib.sha1(mrz_information).digest()[:16])


def _ssc(rnd_icc: bytes, rnd_ifd: bytes) -> int:
    return int.from_bytes(rnd_icc[4:8] + rnd_ifd[4:8], "big")


class BacTerminal:
    """The reader's side: :meth:`mutual_authenticate_data` after GET CHALLENGE, then :meth:`finish`."""

    def __init__(self, mrz_information: bytes, rnd_ifd: bytes | None = None, k_ifd: bytes | None = None) -> None:
        self.k_enc, self.k_mac = document_keys(mrz_information)
        self.rnd_ifd = rnd_ifd or os.urandom(8)
        self.k_ifd = k_ifd or os.urandom(16)
        self.rnd_icc = b""

    def mutual_authenticate_data(self, rnd_icc: bytes) -> bytes:
        """E.IFD || M.IFD for EXTERNAL/MUTUAL AUTHENTICATE, given the chip's challenge."""
        if len(rnd_icc) != 8:
            raise ProtocolError("the chip's challenge is not 8 bytes", ErrorAction.NONE)
        self.rnd_icc = rnd_icc
        e_ifd = crypto.tdes_cbc(self.k_enc, self.rnd_ifd + rnd_icc + self.k_ifd, True)
        return e_ifd + crypto.mac_alg3(self.k_mac, e_ifd)

    def finish(self, response: bytes) -> SecureMessaging:
        """Check the chip's E.ICC || M.ICC and return the session's secure messaging."""
        if len(response) != 40:
            raise AccessDenied("BAC response has the wrong length")
        e_icc, m_icc = response[:32], response[32:]
        if not hmac.compare_digest(crypto.mac_alg3(self.k_mac, e_icc), m_icc):
            raise AccessDenied("BAC response failed its MAC")
        plain = crypto.tdes_cbc(self.k_enc, e_icc, False)
        if plain[:8] != self.rnd_icc or plain[8:16] != self.rnd_ifd:
            raise AccessDenied("BAC response does not answer our challenge")
        seed = bytes(a ^ b for a, b in zip(self.k_ifd, plain[16:32], strict=False))
        ks_enc, ks_mac = keys_from_seed(seed)
        return SecureMessaging(ks_enc, ks_mac, _ssc(self.rnd_icc, self.rnd_ifd))


class BacChip:
    """The chip's side (emulator): answers GET CHALLENGE and MUTUAL AUTHENTICATE."""

    def __init__(self, mrz_information: bytes, rnd_icc: bytes | None = None, k_icc: bytes | None = None) -> None:
        self.k_enc, self.k_mac = document_keys(mrz_information)
        self.rnd_icc = rnd_icc or os.urandom(8)
        self.k_icc = k_icc or os.urandom(16)

    def authenticate(self, data: bytes) -> tuple[bytes, SecureMessaging]:
        """Response to the terminal's E.IFD||M.IFD; :class:`AccessDenied` when wrong."""
        if len(data) != 40:
            raise AccessDenied("wrong BAC data length")
        e_ifd, m_ifd = data[:32], data[32:]
        if not hmac.compare_digest(crypto.mac_alg3(self.k_mac, e_ifd), m_ifd):
            raise AccessDenied("terminal MAC wrong")
        plain = crypto.tdes_cbc(self.k_enc, e_ifd, False)
        rnd_ifd, rnd_icc, k_ifd = plain[:8], plain[8:16], plain[16:32]
        if rnd_icc != self.rnd_icc:
            raise AccessDenied("terminal answered another challenge")
        e_icc = crypto.tdes_cbc(self.k_enc, self.rnd_icc + rnd_ifd + self.k_icc, True)
        seed = bytes(a ^ b for a, b in zip(k_ifd, self.k_icc, strict=False))
        ks_enc, ks_mac = keys_from_seed(seed)
        return e_icc + crypto.mac_alg3(self.k_mac, e_icc), SecureMessaging(ks_enc, ks_mac, _ssc(self.rnd_icc, rnd_ifd))
