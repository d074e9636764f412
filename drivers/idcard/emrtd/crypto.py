"""Symmetric primitives of ICAO 9303 part 11: 3DES/AES, ISO 9797-1 MAC 3, CMAC, KDF, padding."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ZERO8 = bytes(8)


class CryptoError(ValueError):
    """Bad key material or a padding error in decrypted card data."""


def pad(data: bytes, block: int = 8) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80 then zeros to a block boundary."""
    data = data + b"\x80"
    return data + bytes(-len(data) % block)


def unpad(data: bytes) -> bytes:
    """Remove method-2 padding; :class:`CryptoError` when it is not there."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise CryptoError("bad padding in decrypted data")
    return stripped[:-1]


def _tdes_key(key: bytes) -> bytes:
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 8:
        return key * 3
    if len(key) == 24:
        return key
    raise CryptoError("a DES key has 8, 16 or 24 bytes")


def tdes_cbc(key: bytes, data: bytes, encrypt: bool, iv: bytes = ZERO8) -> bytes:
    """3DES (two-key EDE) CBC; ``data`` must be block-aligned."""
    if len(data) % 8:
        raise CryptoError("3DES data is not block-aligned")
    cipher = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv))
    ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    return ctx.update(data) + ctx.finalize()


def aes_cbc(key: bytes, data: bytes, encrypt: bool, iv: bytes = bytes(16)) -> bytes:
    """AES CBC; ``data`` must be block-aligned."""
    if len(data) % 16:
        raise CryptoError("AES data is not block-aligned")
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    return ctx.update(data) + ctx.finalize()


def aes_ecb_block(key: bytes, block: bytes) -> bytes:
    """One AES block encryption (for the SM IV)."""
    ctx = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return ctx.update(block) + ctx.finalize()


def mac_alg3(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) over ``pad(data)`` with a 16-byte key."""
    padded = pad(data)
    k1, k2 = key[:8], key[8:16]
    chained = tdes_cbc(k1, padded, True)[-8:]  # single-DES CBC with K1
    step = Cipher(TripleDES(k2 * 3), modes.ECB()).decryptor().update(chained)
    return Cipher(TripleDES(k1 * 3), modes.ECB()).encryptor().update(step)


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC truncated to 8 bytes (the SM and PACE token MAC)."""
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()[:8]


def des_parity(key: bytes) -> bytes:
    """``key`` with each byte's low bit set for odd parity (as the 9303 worked examples print it)."""
    return bytes((b & 0xFE) | ((bin(b >> 1).count("1") + 1) & 1) for b in key)


def kdf(secret: bytes, counter: int, cipher: str, key_bits: int = 128) -> bytes:
    """ICAO 9303-11 §9.7.1 key derivation: 3DES/AES-128 via SHA-1, AES-192/256 via SHA-256."""
    data = secret + counter.to_bytes(4, "big")
    if cipher == "3des":
        return des_parity(hashlib.sha1(data).digest()[:16])
    if key_bits == 128:
        return hashlib.sha1(data).digest()[:16]
    return hashlib.sha256(data).digest()[: key_bits // 8]
