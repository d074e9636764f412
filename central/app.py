"""The platform's web application (FastAPI + uvicorn; SQLite or PostgreSQL), run by
``kiosk-central serve``.

Every response carries ``X-Egov-Central: 1`` so terminals can tell the platform from a captive
portal. Terminal endpoints need a signed request (``egov_protocol.auth``); a terminal gets its
identity by enrolling with a one-time token that an operator issued (``kiosk-central
issue-token``). The operator endpoints (fleet, submission metadata, ``/``) return no personal
data; on a real deployment they sit behind the operators' network. OpenAPI at
``/openapi.json``; protocol in ``docs/sync-protocol.md``. One router per resource:
``central.routers``.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE

from .keyring import DEFAULT_GRACE_DAYS, PlatformKeyring, grace_days
from .middleware import CentralHeaderMiddleware
from .routers import blobs, documents, enrollment, fleet, operators, submissions
from .store import CentralStore


def create_app(data_dir: str | Path, database_url: str | None = None,
               key_grace_days: float = DEFAULT_GRACE_DAYS) -> FastAPI:
    """Build the platform app: keys in ``data_dir/keys`` (made at first start; retired keys
    accepted for ``key_grace_days``), published documents in ``data_dir/published``, the
    database at ``database_url`` (a PostgreSQL URL) or ``data_dir/central.sqlite3``."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    store = CentralStore(database_url or data_dir / "central.sqlite3")
    store.open()

    app = FastAPI(title="egov-kiosk central platform (reference)", version="2",
                  description=__doc__)
    app.state.store = store
    app.state.keys = PlatformKeyring(data_dir / "keys", key_grace_days)
    app.state.published = data_dir / "published"
    app.add_middleware(CentralHeaderMiddleware)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Raised past the middleware stack, so the header must be set here.
        return JSONResponse({"detail": "internal error"}, status_code=500,
                            headers={CENTRAL_HEADER: CENTRAL_HEADER_VALUE})

    @app.get("/v1/health", tags=["platform"])
    def health() -> dict:
        """Liveness probe (unsigned)."""
        return {"status": "ok"}

    for router in (enrollment, fleet, submissions, blobs, documents, operators):
        app.include_router(router.router)
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn workers: ``KIOSK_CENTRAL_DATA_DIR``, ``KIOSK_CENTRAL_DATABASE_URL``
    and ``KIOSK_CENTRAL_KEY_GRACE_DAYS``."""
    return create_app(os.environ["KIOSK_CENTRAL_DATA_DIR"],
                      os.environ.get("KIOSK_CENTRAL_DATABASE_URL") or None, grace_days())
