"""The operator API (JSON; a session cookie from ``/login``): submission metadata (never
payloads; each view lands in the platform trail, since receipt numbers lead to people), 好差评
counts, who is logged in with the CSRF token that state-changing calls send back
(``X-CSRF-Token``), enrollment tokens, published documents, and (admins) disabling and enabling
operator accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from egov_protocol.documents import KINDS

from ..dependencies import Identifier, Published, Store, SubmissionId
from ..operator_auth import CsrfChecked, Operator, recorded, require
from ..operators import NAME_PATTERN, OperatorSession
from ..publishing import publish
from ..ratings import rating_counts

router = APIRouter(tags=["operators"])


@router.get("/v1/session")
def session(operator: Operator) -> dict:
    """The logged-in operator, role and the CSRF token for ``X-CSRF-Token``."""
    return {"operator": operator.operator, "role": operator.role, "csrf": operator.csrf}


@router.get("/v1/submissions")
def list_submissions(request: Request, store: Store,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
                     operator: OperatorSession = require("submissions")) -> dict:
    """Submission metadata, newest first (no payloads)."""
    total, items = store.submissions(limit, offset)
    recorded(request, operator, "viewed submissions", f"offset {offset} limit {limit}")
    return {"total": total, "items": items}


@router.get("/v1/submissions/{submission_id}")
def get_submission(request: Request, submission_id: SubmissionId, store: Store,
                   operator: OperatorSession = require("submissions")) -> dict:
    """One submission's metadata and attachment names/sizes (no payload)."""
    row = store.submission(submission_id)
    if row is None:
        raise HTTPException(404, "no such submission")
    recorded(request, operator, "viewed submission", submission_id)
    return row


@router.get("/v1/ratings")
def ratings(store: Store, operator: OperatorSession = require("fleet")) -> dict:
    """好差评: ratings received per level, 5 (非常满意) to 1 (非常不满意); no personal data."""
    counts = rating_counts(store)
    return {"total": sum(counts.values()), "levels": {str(k): v for k, v in counts.items()}}


class TokenIn(BaseModel):
    """Body of ``POST /v1/tokens``."""

    terminal_id: Identifier | None = Field(None, description="bind the token to this terminal")
    ttl_hours: float = Field(168.0, gt=0, le=24 * 90)


@router.post("/v1/tokens", status_code=201)
def issue_token(request: Request, body: TokenIn, store: Store, checked: CsrfChecked,
                operator: OperatorSession = require("tokens")) -> dict:
    """A one-time enrollment token, as ``kiosk-central issue-token`` prints it."""
    token = store.issue_token(body.terminal_id, body.ttl_hours * 3600)
    recorded(request, operator, "issued enrollment token", body.terminal_id or "any terminal")
    return {"token": token, "terminal_id": body.terminal_id}


@router.put("/v1/published/{kind}")
def publish_document(request: Request,
                     kind: Annotated[str, PathParam(pattern="^(" + "|".join(KINDS) + ")$")],
                     body: dict, published: Published, checked: CsrfChecked,
                     operator: OperatorSession = require("documents")) -> dict:
    """Publish a catalog, forms or settings document (a JSON object) for every terminal."""
    publication = publish(published, kind, body)
    recorded(request, operator, "published document", f"{kind} version {publication.version}")
    return {"published": kind, "version": publication.version,
            "expires_at": publication.expiry}


class AccountIn(BaseModel):
    """Body of ``PUT /v1/operators/{name}``."""

    disabled: bool = Field(description="true: no login, live sessions end; false: enabled again")


@router.put("/v1/operators/{name}")
def set_account(request: Request, name: Annotated[str, PathParam(pattern=NAME_PATTERN.pattern)],
                body: AccountIn, checked: CsrfChecked,
                operator: Annotated[OperatorSession, require("accounts")]) -> dict:
    """Disable an operator account (it cannot log in; its sessions end) or enable it again."""
    if body.disabled and name == operator.operator:
        raise HTTPException(409, "an operator cannot disable their own account")
    if not request.app.state.accounts.set_disabled(name, body.disabled):
        raise HTTPException(404, "no such operator")
    recorded(request, operator, "disabled operator" if body.disabled else "enabled operator", name)
    return {"operator": name, "disabled": body.disabled}
