"""The hand-off to business systems over HTTP: the signed status callback they call
(``egov_protocol.webhooks``), and for operators (admin, fleet operator) the outbox's dead
letters with a replay, as API and as a page. Every operator view and replay lands in the
platform trail.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from egov_protocol.webhooks import (
    SIGNATURE_HEADER,
    STATUS_PATH,
    TIMESTAMP_HEADER,
    BadStatusUpdate,
    WebhookRejected,
    parse_status_update,
    verify,
)

from ..handoff import DEAD, HandoffOutbox
from ..operator_auth import CheckedForm, CsrfChecked, recorded, require
from ..operators import OperatorSession
from ..page import render

router = APIRouter(tags=["hand-off"])
operator_router = APIRouter(tags=["operators"])

IntegrationId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
#: An operator whose role may see and replay the hand-off (admin, fleet operator).
HandoffOperator = Annotated[OperatorSession, require("handoff")]
EventId = Annotated[str, PathParam(pattern=r"^evt_[A-Za-z0-9_-]{1,60}$")]


def _outbox(request: Request) -> HandoffOutbox:
    return request.app.state.handoff


@router.post(STATUS_PATH)
async def status_callback(request: Request, integration_id: IntegrationId) -> dict:
    """A business system's status update about a case: HMAC-signed over timestamp and body
    (401 when the integration, the timestamp or the signature is wrong; 422 for a body that is
    not an update). Idempotent: a re-sent ``update_id`` answers ``duplicate: true``."""
    outbox = _outbox(request)
    integration = outbox.integrations.get(integration_id)
    body = await request.body()
    try:
        if integration is None:
            raise WebhookRejected("unknown integration")
        verify(integration.secret, request.headers.get(TIMESTAMP_HEADER),
               request.headers.get(SIGNATURE_HEADER), body, time.time())
    except WebhookRejected:
        # One answer for every cause: it tells a prober nothing.
        raise HTTPException(401, "the request is not signed by this integration") from None
    try:
        update = parse_status_update(body)
    except BadStatusUpdate as exc:
        raise HTTPException(422, str(exc)) from None
    new = await run_in_threadpool(outbox.accept_status_update, integration_id, update)
    return {"accepted": True, "duplicate": not new}


@operator_router.get("/v1/handoff/events")
def handoff_events(request: Request, operator: HandoffOperator,
                   state: Annotated[str, Query(pattern="^(pending|delivered|dead)$")] = DEAD
                   ) -> dict:
    """Outbox events of one state (default: the dead letters), newest first, without
    bodies, and the count of each state."""
    outbox = _outbox(request)
    items = outbox.events(state)
    recorded(request, operator, "viewed hand-off events", f"{state}: {len(items)}")
    return {"counts": outbox.counts(), "items": items}


@operator_router.post("/v1/handoff/events/{event_id}/replay")
def replay_event(request: Request, event_id: EventId, checked: CsrfChecked,
                 operator: HandoffOperator) -> dict:
    """Send a dead letter again (404 when ``event_id`` is not a dead letter)."""
    if not _outbox(request).replay(event_id):
        raise HTTPException(404, "no such dead letter")
    recorded(request, operator, "replayed hand-off event", event_id)
    return {"replayed": event_id}


@operator_router.get("/handoff", response_class=HTMLResponse, include_in_schema=False)
def handoff_page(request: Request,
                 operator: HandoffOperator) -> HTMLResponse:
    """The hand-off page: counts per state and the dead letters, each with a replay button."""
    outbox = _outbox(request)
    dead = outbox.events(DEAD)
    recorded(request, operator, "viewed hand-off events", f"{DEAD}: {len(dead)}")
    return HTMLResponse(render("handoff.html", operator=operator, counts=outbox.counts(),
                               dead=dead, integrations=sorted(outbox.integrations.all())))


@operator_router.post("/handoff/replay", include_in_schema=False)
def replay_from_page(request: Request, form: CheckedForm,
                     operator: HandoffOperator) -> RedirectResponse:
    """The page's replay button."""
    event_id = form.get("event_id", "")
    if _outbox(request).replay(event_id):
        recorded(request, operator, "replayed hand-off event", event_id)
    return RedirectResponse("/handoff", status_code=303)
