"""Key routes of the platform: its public keys, the signed sealing-key document terminals pull,
and a terminal's re-key (``POST /v1/terminal-key``).

- ``GET /v1/platform`` (unsigned): the public keys, as in the enrollment answer.
- ``GET /v1/documents/platform-keys`` (signed request): the current sealing key as a document
  signed with the platform's Ed25519 key, which every terminal pinned at enrollment. Terminals
  pull it with the other documents (an ETag makes that a 304 until a rotation) and seal to the
  new key from then on; envelopes they sealed before stay acceptable for the grace period.
- ``POST /v1/terminal-key`` (request signed with the terminal's current key): ``{"public_key",
  "proof"}`` where ``proof`` is the new key's signature of ``egov_protocol.keys.rekey_proof_message``.
  The new key becomes the terminal's key and the old one is kept, retired
  (``central.terminal_keys``). Sent again after a lost answer, signed with the new key, it
  answers 200 with ``retired_key_id`` null. A key of another terminal is a 409.

No ``from __future__ import annotations`` here: FastAPI reads the route signatures, whose
dependency is handed in by ``central.app``.
"""

import base64
import binascii
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Depends, Header, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from egov_protocol.documents import PLATFORM_KEYS, sign_document
from egov_protocol.keys import key_id_for, rekey_proof_message

from .keyring import PlatformKeyring
from .store import CentralStore
from .terminal_keys import KeyChangeRefused, replace_terminal_key


class RekeyIn(BaseModel):
    """Body of ``POST /v1/terminal-key``."""

    public_key: str = Field(description="the new raw Ed25519 public key, standard base64",
                            max_length=64)
    proof: str = Field(description="the new key's signature of the re-key message, base64",
                       max_length=128)


def platform_description(keys: PlatformKeyring) -> dict:
    """The platform's public keys: ``x25519_public`` to seal to (with ``sealing_key_id`` and
    ``sealing_key_since``), ``ed25519_public`` that signs its documents, ``key_id`` naming it."""
    return {**keys.sealing_key(), "key_id": keys.key_id,
            "ed25519_public": base64.b64encode(keys.ed25519_public).decode()}


def _new_key(body: RekeyIn, terminal_id: str) -> bytes:
    try:
        public_key = base64.b64decode(body.public_key, validate=True)
        proof = base64.b64decode(body.proof, validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            proof, rekey_proof_message(terminal_id, public_key))
    except (binascii.Error, ValueError):
        raise HTTPException(422, "public_key or proof is not a base64 Ed25519 value") from None
    except InvalidSignature:
        raise HTTPException(422, "proof is not signed by the new key") from None
    return public_key


def add_key_routes(app, store: CentralStore, keys: PlatformKeyring,
                   signed_terminal: Callable) -> None:
    """Register the key routes on ``app``; ``signed_terminal`` is the dependency that verifies a
    signed request and returns the terminal's row."""

    @app.get("/v1/platform", tags=["platform"])
    def platform() -> dict:
        """The platform's public keys, base64-encoded (unsigned)."""
        return platform_description(keys)

    @app.get(f"/v1/documents/{PLATFORM_KEYS}", tags=["documents"])
    def platform_keys(terminal: dict = Depends(signed_terminal),
                      if_none_match: str | None = Header(None)) -> Response:
        """The current sealing key as a platform-signed document, with an ETag (signed)."""
        signed = sign_document(PLATFORM_KEYS, keys.sealing_key(), keys.signing_key)
        etag = f'"{signed["etag"]}"'
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return JSONResponse(signed, headers={"ETag": etag})

    @app.post("/v1/terminal-key", tags=["terminals"])
    def rekey(body: RekeyIn, terminal: dict = Depends(signed_terminal)) -> dict:
        """Replace the calling terminal's signing key; the old key is kept, retired (signed)."""
        public_key = _new_key(body, terminal["terminal_id"])
        key_id = key_id_for(public_key)
        try:
            changed, retired_at = replace_terminal_key(
                store, terminal["terminal_id"], terminal["key_id"], public_key, key_id)
        except KeyChangeRefused as exc:
            raise HTTPException(409, str(exc)) from None
        return {"terminal_id": terminal["terminal_id"], "key_id": key_id,
                "retired_key_id": terminal["key_id"] if changed else None,
                "retired_at": retired_at, **platform_description(keys)}
