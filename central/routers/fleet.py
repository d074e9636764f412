"""Heartbeats and the fleet: terminals report their state (``POST /v1/heartbeats``, signed;
``router``, the terminal side); operators read the fleet built from them (``GET /v1/terminals``,
a session with the fleet permission; ``operator_router``). No personal data."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..dependencies import Store, Terminal
from ..fleet import fleet_view, release_counts
from ..operator_auth import require
from ..operators import OperatorSession

router = APIRouter()
operator_router = APIRouter()


class HeartbeatsIn(BaseModel):
    """Body of ``POST /v1/heartbeats``: heartbeats queued by the terminal, oldest first."""

    items: list[dict] = Field(max_length=500)


@router.post("/v1/heartbeats", tags=["terminals"])
def heartbeats(body: HeartbeatsIn, terminal: Terminal, store: Store) -> dict:
    """Store queued heartbeats (idempotent by their id); returns the ids acknowledged."""
    items = [item for item in body.items
             if isinstance(item.get("id"), str) and isinstance(item.get("sent_at"), str)]
    return {"acked": store.add_heartbeats(terminal["terminal_id"], items)}


@operator_router.get("/v1/terminals", tags=["operators"])
def list_terminals(store: Store, operator: OperatorSession = require("fleet")) -> dict:
    """The fleet: terminals, counts, last heartbeat, devices, alerts, audit head, staleness,
    sequence gaps, software releases; ``releases``: per version, terminals running it, on
    trial, rolled back (``central.fleet``; no personal data)."""
    items = fleet_view(store)
    return {"items": items, "releases": release_counts(items)}
