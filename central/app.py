"""The platform's web application (FastAPI + uvicorn; SQLite or PostgreSQL), run by
``kiosk-central serve``.

Two sides, one router per resource (``central.routers``): the terminal API (enrollment,
submissions and batches, blobs, documents, heartbeats), where every request but enrollment and
health is signed by an enrolled terminal (``egov_protocol.auth``); and the operator side (the
pages, the fleet, submission metadata, ratings, tokens, documents and the OpenAPI documentation),
where everything needs an operator's login (``central.operator_auth``). ``kiosk-central serve``
serves both on one address, or the operator side apart with ``--operator-listen`` so that a hall
network that reaches the terminal API never reaches the operator pages.

Every response carries ``X-Egov-Central: 1`` so terminals can tell the platform from a captive
portal. Protocol in ``docs/sync-protocol.md``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE

from .at_rest import AtRestKeys
from .certificates import CertificateOffice
from .files import private_dir
from .handoff import HandoffOutbox
from .handoff_worker import HandoffWorker
from .integrations import IntegrationRegistry
from .keyring import DEFAULT_GRACE_DAYS, PlatformKeyring, grace_days
from .limits import BodyLimitMiddleware
from .middleware import CentralHeaderMiddleware
from .operator_auth import LoginRequired, PasswordChangeRequired, login_required_handler
from .operators import OperatorAccounts
from .releases import KEYS_ENV, repository_dir
from .retention import Retention
from .routers import (
    blobs,
    cases,
    cases_api,
    cases_terminal,
    certificates,
    documents,
    enrollment,
    fleet,
    handoff,
    operator_pages,
    operators,
    progress,
    releases,
    submissions,
    updates,
)
from .seal import seal_dir
from .store import CentralStore
from .trail import PlatformTrail
from .worker_life import end_with_parent

# The public progress page goes with the terminal side: citizens' phones reach it, operators'
# pages stay apart.
TERMINAL_ROUTERS = (enrollment.router, fleet.router, submissions.router, blobs.router,
                    documents.router, certificates.router, handoff.router,
                    cases_terminal.router, progress.router, updates.router)
OPERATOR_ROUTERS = (fleet.operator_router, operators.router, operator_pages.router,
                    handoff.operator_router, cases.router, cases_api.router, releases.router)
SIDES = ("terminal", "operator")
OPERATOR_APART_ENV = "KIOSK_CENTRAL_OPERATOR_APART"
PUBLIC_URL_ENV = "KIOSK_CENTRAL_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8700"


def create_app(data_dir: str | Path, database_url: str | None = None,
               key_grace_days: float = DEFAULT_GRACE_DAYS, *,
               sides: tuple[str, ...] = SIDES, public_url: str | None = None,
               handoff_worker: bool = True) -> FastAPI:
    """Build the platform app for ``sides`` (``"terminal"``, ``"operator"`` or both): keys in
    ``data_dir/keys`` (made at first start; retired keys accepted for ``key_grace_days``),
    published documents in ``data_dir/published``, the database at ``database_url`` (a
    PostgreSQL URL) or ``data_dir/central.sqlite3``; ``public_url`` (else
    ``$KIOSK_CENTRAL_PUBLIC_URL``): the address citizens reach, for the QR codes of issued
    documents; the seal in ``central.seal.seal_dir(data_dir)``. With the terminal side and
    ``handoff_worker``, the app delivers the hand-off outbox in the background while it runs
    (``central.handoff_worker``)."""
    data_dir = Path(data_dir)
    private_dir(data_dir)
    store = CentralStore(database_url or data_dir / "central.sqlite3")
    store.open()

    at_rest = AtRestKeys.load_or_create(data_dir / "keys")
    outbox = HandoffOutbox(store.db, at_rest, IntegrationRegistry(data_dir))
    worker = HandoffWorker(outbox) if handoff_worker and "terminal" in sides else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    # The documentation is the operator side's, behind its login (central.routers.operator_pages).
    app = FastAPI(title="egov-kiosk central platform (reference)", version="2",
                  description=__doc__, docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.store = store
    app.state.keys = PlatformKeyring(data_dir / "keys", key_grace_days)
    app.state.published = data_dir / "published"
    app.state.updates = repository_dir(data_dir)  # terminal releases (central.releases)
    app.state.data_dir = data_dir
    # The releases page signs rollouts with the keys the command line uses, when this process
    # is given them (central.routers.releases); without them it shows the command instead.
    app.state.release_keys = os.environ.get(KEYS_ENV) or None
    app.state.accounts = OperatorAccounts(store.db, data_dir / "keys")
    app.state.trail = PlatformTrail(store.db)
    app.state.certificates = CertificateOffice(
        store.db, seal_dir(data_dir), at_rest,
        public_url or os.environ.get(PUBLIC_URL_ENV) or DEFAULT_PUBLIC_URL)
    app.state.handoff = outbox
    app.state.retention = Retention(store.db, app.state.trail)
    app.state.api_routes = [route for router in TERMINAL_ROUTERS + OPERATOR_ROUTERS
                            for route in router.routes]
    app.add_middleware(BodyLimitMiddleware, store=store)  # inside: its refusals get the header
    app.add_middleware(CentralHeaderMiddleware)
    app.add_exception_handler(LoginRequired, login_required_handler)
    app.add_exception_handler(PasswordChangeRequired, login_required_handler)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Raised past the middleware stack, so the header must be set here.
        return JSONResponse({"detail": "internal error"}, status_code=500,
                            headers={CENTRAL_HEADER: CENTRAL_HEADER_VALUE})

    @app.get("/v1/health", tags=["platform"])
    def health() -> dict:
        """Liveness probe (unsigned)."""
        return {"status": "ok"}

    routers = (TERMINAL_ROUTERS if "terminal" in sides else ()) + (
        OPERATOR_ROUTERS if "operator" in sides else ())
    for router in routers:
        app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn workers: ``KIOSK_CENTRAL_DATA_DIR``, ``KIOSK_CENTRAL_DATABASE_URL``
    and ``KIOSK_CENTRAL_KEY_GRACE_DAYS``; only the terminal side when ``--operator-listen``
    serves the operator side apart (``KIOSK_CENTRAL_OPERATOR_APART``). A worker ends with its
    supervisor (``central.worker_life``)."""
    end_with_parent()
    return create_app(os.environ["KIOSK_CENTRAL_DATA_DIR"],
                      os.environ.get("KIOSK_CENTRAL_DATABASE_URL") or None, grace_days(),
                      sides=("terminal",) if os.environ.get(OPERATOR_APART_ENV) else SIDES)


def operator_app_from_env() -> FastAPI:
    """App factory of the operator side served apart (``--operator-listen``)."""
    return create_app(os.environ["KIOSK_CENTRAL_DATA_DIR"],
                      os.environ.get("KIOSK_CENTRAL_DATABASE_URL") or None, grace_days(),
                      sides=("operator",))
