"""Personal data the platform keeps outside the sealed envelopes, encrypted at rest; and the
keyed hash that finds a person's documents without storing their ID number.

``DATA_DIR/keys/at-rest.key`` (32 bytes, mode 0600, made at first use) yields by HKDF-SHA256
the AES-256-GCM key for what is stored (issued PDFs, the hand-off outbox's bodies), each value
bound to its row by associated data. ``DATA_DIR/keys/person.key`` is the platform's person
key, the one the case handling uses too: a person is their ``person_hash``, HMAC-SHA256 of the
normalized document number under it, which terminals compute with the key they fetch signed
(``egov_protocol.cases``), so an ID number never travels to ask for someone's documents. A copy
of the database alone thus holds neither readable documents nor ID numbers that could be found
by trying every possible number.

Thread rule: any thread; an :class:`AtRestKeys` is read-only once loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from egov_protocol.cases import person_hash

from .files import create_private_file_once

KEY_FILE = "at-rest.key"
#: The case handling's person key (``central.cases_intake.PERSON_KEY_FILE``): the same file.
PERSON_KEY_FILE = "person.key"
#: The context of ``egov_protocol.cases.person_hash``; both must hash alike.
_NONCE = 12


class NotOpenable(Exception):
    """A stored value that does not decrypt with this key and context (changed or misplaced)."""


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def _secret(path: Path) -> bytes:
    if not path.exists():
        create_private_file_once(path, os.urandom(32))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    secret = path.read_bytes()
    if len(secret) != 32:
        raise ValueError(f"{path} is not a 32-byte key")
    return secret


class AtRestKeys:
    """The encryption and lookup keys derived from one secret."""

    def __init__(self, secret: bytes, person_key: bytes) -> None:
        """The encryption key from ``secret``; ``person_key`` for :meth:`person_hash`."""
        if len(secret) != 32 or len(person_key) != 32:
            raise ValueError("the at-rest secret and the person key are 32 bytes each")
        self._aead = AESGCM(_derive(secret, b"egov-central at-rest encryption v1"))
        self._person = person_key

    @classmethod
    def load_or_create(cls, keys_dir: str | Path) -> AtRestKeys:
        """The keys in ``keys_dir`` (``at-rest.key``, ``person.key``), each made (0600) when
        it does not exist yet."""
        keys_dir = Path(keys_dir)
        return cls(_secret(keys_dir / KEY_FILE), _secret(keys_dir / PERSON_KEY_FILE))

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

    def person_hash(self, id_number: str) -> str:
        """The keyed hash (hex) that stands for a person's ID number: equal for equal numbers
        (after :func:`normalized_id_number`), and what a terminal sends for that person
        (``egov_protocol.cases.person_hash`` under the same key)."""
        return person_hash(self._person, id_number)
