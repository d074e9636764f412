"""What the case routers share: the case desk of the app (made at first use, so the app factory
needs nothing more than the routers registered) and its store."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from .cases_intake import CaseIntakeDesk
from .cases_work import CaseWork
from .certificates import case_certificate_issuer

_lock = threading.Lock()


def desk_of(app) -> CaseIntakeDesk:
    """The case desk of ``app`` (its database and key folder), made once. Any thread."""
    with _lock:
        desk = getattr(app.state, "case_desk", None)
        if desk is None:
            desk = CaseIntakeDesk(app.state.store.db, app.state.keys.directory)
            app.state.case_desk = desk
    return desk


async def case_desk(request: Request) -> CaseIntakeDesk:
    """Dependency: the app's case desk."""
    return desk_of(request.app)


Desk = Annotated[CaseIntakeDesk, Depends(case_desk)]


async def case_work(request: Request) -> CaseWork:
    """Dependency: the case worker's operations on this app's store, keys and trail."""
    app = request.app
    office = getattr(app.state, "certificates", None)
    return CaseWork(desk_of(app), app.state.store, app.state.keys, app.state.trail,
                    app.state.published,
                    issuer=case_certificate_issuer(office) if office is not None else None)


Work = Annotated[CaseWork, Depends(case_work)]
