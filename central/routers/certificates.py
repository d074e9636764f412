"""Documents the platform issued: the public verification page its QR codes open (and the
same as JSON), and, for terminals in signed requests, a person's documents and a document's PDF
(``egov_protocol.certificates``).

The verification page shows what the document certifies with the name and ID number masked,
never more than is printed; it needs the token from the QR code, so ids cannot be walked. A
PDF goes only to a terminal that names the holder by their ``person_hash`` (the keyed hash of
the ID document the citizen has just presented there, as for their cases); each one fetched
lands in the platform trail.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from egov_protocol.certificates import (
    DOCUMENT_ID_PATTERN,
    PDF_PATH,
    PERSON_HASH_PATTERN,
    SEARCH_PATH,
    VERIFY_JSON_PATH,
    VERIFY_PAGE_PATH,
)

from ..certificates import CertificateOffice
from ..dependencies import Terminal
from ..page import render

router = APIRouter(tags=["certificates"])

DocumentId = Annotated[str, PathParam(pattern=DOCUMENT_ID_PATTERN)]
Token = Annotated[str, Query(alias="t", min_length=1, max_length=128)]
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class HolderIn(BaseModel):
    """Body of the terminal's certificate requests: the holder's ``person_hash``."""

    person_hash: str = Field(pattern=PERSON_HASH_PATTERN)


def _office(request: Request) -> CertificateOffice:
    return request.app.state.certificates


def _terminal_trail(request: Request, terminal: dict, action: str, subject: str) -> None:
    request.app.state.trail.record(f"terminal:{terminal['terminal_id']}", action, subject)


@router.get(VERIFY_PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
def verify_page(request: Request, document_id: DocumentId, t: Token) -> HTMLResponse:
    """The public page a document's QR code opens: genuine and current, superseded, revoked,
    or not found (404)."""
    doc = _office(request).verification(document_id, t)
    return HTMLResponse(render("verify.html", doc=doc), status_code=200 if doc else 404,
                        headers=_NO_STORE)


@router.get(VERIFY_JSON_PATH)
def verify_json(request: Request, document_id: DocumentId, t: Token) -> Response:
    """The verification page's content as JSON (404 when not found)."""
    doc = _office(request).verification(document_id, t)
    if doc is None:
        raise HTTPException(404, "no such document", headers=_NO_STORE)
    return JSONResponse({**asdict(doc), "genuine_and_current": doc.genuine_and_current},
                        headers=_NO_STORE)


@router.post(SEARCH_PATH)
def documents_of_person(request: Request, body: HolderIn, terminal: Terminal) -> dict:
    """The documents issued to the person ``person_hash``, newest first (signed terminal
    request)."""
    items = _office(request).documents_of(body.person_hash)
    _terminal_trail(request, terminal, "listed a person's documents", f"{len(items)} found")
    return {"items": items}


@router.post(PDF_PATH, response_class=Response,
             responses={200: {"content": {"application/pdf": {}}}})
def document_pdf(request: Request, document_id: DocumentId, body: HolderIn,
                 terminal: Terminal) -> Response:
    """The signed PDF of ``document_id`` if it was issued to the person ``person_hash``
    (signed terminal request; 404 otherwise)."""
    pdf = _office(request).pdf(document_id, body.person_hash)
    if pdf is None:
        raise HTTPException(404, "no such document for this person")
    _terminal_trail(request, terminal, "fetched a document's PDF", document_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="{document_id}.pdf"'})
