"""What operators read: submission metadata (never payloads), 好差评 counts, and the operators'
page with the fleet and what arrived."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from ..dependencies import Store, SubmissionId
from ..fleet import fleet_view
from ..page import render_index
from ..ratings import rating_counts

router = APIRouter()


@router.get("/v1/submissions", tags=["operators"])
def list_submissions(store: Store, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> dict:
    """Submission metadata, newest first (no payloads)."""
    total, items = store.submissions(limit, offset)
    return {"total": total, "items": items}


@router.get("/v1/submissions/{submission_id}", tags=["operators"])
def get_submission(submission_id: SubmissionId, store: Store) -> dict:
    """One submission's metadata and attachment names/sizes (no payload)."""
    row = store.submission(submission_id)
    if row is None:
        raise HTTPException(404, "no such submission")
    return row


@router.get("/v1/ratings", tags=["operators"])
def ratings(store: Store) -> dict:
    """好差评: ratings received per level, 5 (非常满意) to 1 (非常不满意); no personal data."""
    counts = rating_counts(store)
    return {"total": sum(counts.values()), "levels": {str(k): v for k, v in counts.items()}}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(store: Store) -> HTMLResponse:
    """Operators' page: the fleet and what arrived."""
    total, items = store.submissions(200, 0)
    return HTMLResponse(render_index(total, items, fleet_view(store), rating_counts(store)))
