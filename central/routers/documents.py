"""Documents: the platform-signed catalog, forms and settings that operators publish
(``kiosk-central publish``), and the current sealing key as a signed document (signed requests).

``GET /v1/documents/platform-keys`` is the sealing key signed with the platform's Ed25519 key,
which every terminal pinned at enrollment. Terminals pull it with the other documents (an ETag
makes that a 304 until a rotation) and seal to the new key from then on; envelopes they sealed
before stay acceptable for the grace period.

Each document is signed with its version and expiry (``central.publishing``); the HTTP ETag
names version and body, so an unchanged document costs a 304.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from egov_protocol.documents import KINDS, PLATFORM_KEYS, http_etag, sign_document

from ..dependencies import Keys, Published, Terminal
from ..publishing import current

router = APIRouter(tags=["documents"])


def _with_etag(signed: dict, if_none_match: str | None) -> Response:
    etag = http_etag(signed)
    if if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(signed, headers={"ETag": etag})


# Declared before /v1/documents/{kind}, which it refines.
@router.get(f"/v1/documents/{PLATFORM_KEYS}")
def platform_keys(terminal: Terminal, keys: Keys,
                  if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The current sealing key as a platform-signed document, with an ETag (signed). Its
    version counts the rotations, so a terminal refuses an answer from before one."""
    return _with_etag(sign_document(PLATFORM_KEYS, keys.sealing_key(), keys.signing_key,
                                    version=keys.rotations), if_none_match)


@router.get("/v1/documents/{kind}")
def document(kind: Annotated[str, PathParam(pattern="^(" + "|".join(KINDS) + ")$")],
             terminal: Terminal, keys: Keys, published: Published,
             if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The platform-signed catalog, forms or settings with its version and expiry, and an ETag
    (signed). Nothing published yet is an empty body at version 0."""
    publication = current(published, kind)
    if publication is None:
        signed = sign_document(kind, {}, keys.signing_key)
    else:
        signed = sign_document(kind, publication.body, keys.signing_key,
                               version=publication.version, expires_at=publication.expires_at)
    return _with_etag(signed, if_none_match)
