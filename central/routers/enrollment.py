"""Enrollment and re-keying: how a terminal gets and changes its identity on the platform.

- ``POST /v1/enroll`` (unsigned, a one-time token from ``kiosk-central issue-token``): registers
  the terminal's Ed25519 key and answers the platform's public keys.
- ``GET /v1/platform`` (unsigned): the public keys, as in the enrollment answer.
- ``POST /v1/terminal-key`` (request signed with the terminal's current key): ``{"public_key",
  "proof"}`` where ``proof`` is the new key's signature of
  ``egov_protocol.keys.rekey_proof_message``. The new key becomes the terminal's key and the old
  one is kept, retired (``central.terminal_keys``). Sent again after a lost answer, signed with
  the new key, it answers 200 with ``retired_key_id`` null. A key of another terminal is a 409.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from egov_protocol.keys import key_id_for, rekey_proof_message

from ..dependencies import Identifier, Keys, Store, Terminal, b64
from ..errors import TerminalKeyConflict, TokenRejected
from ..keyring import PlatformKeyring
from ..terminal_keys import KeyChangeRefused, replace_terminal_key

router = APIRouter()


class EnrollIn(BaseModel):
    """Body of ``POST /v1/enroll``."""

    token: str = Field(min_length=4, max_length=64)
    terminal_id: Identifier
    public_key: str = Field(description="raw Ed25519 public key, standard base64", max_length=64)
    site: str | None = Field(None, max_length=64)


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


@router.post("/v1/enroll", tags=["terminals"], status_code=201)
def enroll(body: EnrollIn, store: Store, keys: Keys) -> JSONResponse:
    """Enroll a terminal with a one-time token; returns the platform's public keys."""
    public_key = b64(body.public_key, "public_key")
    try:
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise HTTPException(422, "public_key is not a raw 32-byte Ed25519 key") from None
    key_id = key_id_for(public_key)
    try:
        created = store.enroll(body.token, body.terminal_id, public_key, key_id, body.site)
    except TokenRejected as exc:
        raise HTTPException(403, str(exc)) from None
    except TerminalKeyConflict:
        raise HTTPException(409, "this key is registered to another terminal") from None
    return JSONResponse({"terminal_id": body.terminal_id, "key_id": key_id,
                         **platform_description(keys)},
                        status_code=201 if created else 200)


@router.get("/v1/platform", tags=["platform"])
def platform(keys: Keys) -> dict:
    """The platform's public keys, base64-encoded (unsigned)."""
    return platform_description(keys)


@router.post("/v1/terminal-key", tags=["terminals"])
def rekey(body: RekeyIn, terminal: Terminal, store: Store, keys: Keys) -> dict:
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
