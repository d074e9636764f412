"""Personal data the platform keeps outside the sealed envelopes, encrypted at rest; and the
keyed hash that finds a person's documents without storing their ID number.

One 32-byte secret, ``DATA_DIR/keys/at-rest.key`` (mode 0600, made at first use), yields two
keys by HKDF-SHA256: an AES-256-GCM key for what is stored (issued PDFs, the hand-off outbox's
bodies), each value bound to its row by associated data; and an HMAC-SHA256 key for
``person_key``. A copy of the database alone thus holds neither readable documents nor ID
numbers that could be found by trying every possible number.

Thread rule: any thread; an :class:`AtRestKeys` is read-only once loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .files import write_private_file

KEY_FILE = "at-rest.key"
_NONCE = 12


class NotOpenable(Exception):
    """A stored value that does not decrypt with this key and context (changed or misplaced)."""


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def normalized_id_number(number: str) -> str:
    """An ID number as it is hashed: NFKC, no spaces, upper case (a final ``x`` is ``X``)."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


class AtRestKeys:
    """The encryption and lookup keys derived from one secret."""

    def __init__(self, secret: bytes) -> None:
        """Derive both keys from ``secret`` (32 bytes)."""
        if len(secret) != 32:
            raise ValueError("the at-rest secret is 32 bytes")
        self._aead = AESGCM(_derive(secret, b"egov-central at-rest encryption v1"))
        self._lookup = _derive(secret, b"egov-central person lookup v1")

    @classmethod
    def load_or_create(cls, keys_dir: str | Path) -> AtRestKeys:
        """The keys of ``keys_dir/at-rest.key``, made (0600) when it does not exist yet."""
        path = Path(keys_dir) / KEY_FILE
        if not path.exists():
            write_private_file(path, os.urandom(32))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return cls(path.read_bytes())

    def seal(self, plaintext: bytes, context: str) -> bytes:
        """``plaintext`` encrypted, bound to ``context`` (e.g. a document id)."""
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        """The plaintext of :meth:`seal` for the same ``context``; ``NotOpenable`` otherwise."""
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())
        except (InvalidTag, ValueError):
            raise NotOpenable(f"stored value for {context} does not open") from None

    def person_key(self, id_number: str) -> str:
        """The keyed hash (hex) that stands for a person's ID number in the platform's
        tables: equal for equal numbers (after :func:`normalized_id_number`)."""
        return hmac.new(self._lookup, normalized_id_number(id_number).encode(),
                        hashlib.sha256).hexdigest()
