"""The releases page of the operator side: the published terminal release (version, date,
files, size), its rollout rings, and per version how many terminals run it, are on trial and
rolled it back, with the reasons the terminals gave. Fleet operators and admins change the rings
(percentage, sites, pilot terminals) and halt or resume the rollout; auditors see the page
without its forms (their role reads the fleet, changes nothing); case workers do not see it
(no fleet). Each change is signed with the release keys this process was given
(``KIOSK_CENTRAL_RELEASE_KEYS``, as for ``kiosk-central release``) and lands in the platform
trail; without the keys the page says so and shows the command line that does it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..dependencies import Store
from ..fleet import fleet_view, release_counts
from ..operator_auth import CheckedForm, recorded, require
from ..operators import OperatorSession
from ..page import render
from ..release_status import (
    CLI,
    PublishedRelease,
    RingsRefused,
    describe_rings,
    published_release,
    rings_from_form,
    rollbacks,
    rollout_command,
    unreachable_keys,
    version_order,
)
from ..releases import KEYS_ENV, ReleaseError, Rings, set_rollout

router = APIRouter(include_in_schema=False)

#: Who may see the page (the fleet's readers) and who may change the rollout.
Viewer = Annotated[OperatorSession, require("fleet")]
ReleaseOperator = Annotated[OperatorSession, require("releases")]


def _published(request: Request) -> tuple[PublishedRelease | None, str]:
    """The published release, or why the repository cannot be read."""
    try:
        return published_release(request.app.state.data_dir), ""
    except ReleaseError as exc:
        return None, str(exc)


def _page(request: Request, store: Store, operator: OperatorSession, *, message: str = "",
          error: str = "", command: str = "", status: int = 200) -> HTMLResponse:
    release, unreadable = _published(request)
    terminals = fleet_view(store)
    counts = release_counts(terminals)
    rings = release.rings if release and release.rings else Rings()
    return HTMLResponse(render(
        "releases.html", operator=operator, release=release, everyone=release is not None
        and release.rings is None, rings=rings, counts=[
            (version, counts[version]) for version in sorted(counts, key=version_order,
                                                             reverse=True)],
        rollbacks=rollbacks(terminals), keys_problem=unreachable_keys(
            request.app.state.release_keys), keys_env=KEYS_ENV, cli=CLI,
        rollout_command=rollout_command(rings), halt_command=rollout_command(replace(rings, halted=True)),
        message=message, error=error, command=command, unreadable=unreadable),
        status_code=status)


@router.get("/releases", response_class=HTMLResponse)
def releases_page(request: Request, store: Store, operator: Viewer) -> HTMLResponse:
    """The published release, its rings and the fleet's versions."""
    return _page(request, store, operator)


def _roll_out(request: Request, store: Store, operator: OperatorSession,
              rings: Rings, action: str) -> HTMLResponse:
    """Sign ``rings`` as the current release's rollout and record ``action``; the page with
    what was done, or why not (with the command line that does it)."""
    data_dir, keys = request.app.state.data_dir, request.app.state.release_keys
    command = rollout_command(rings)
    published, unreadable = _published(request)
    if published is None:
        return _page(request, store, operator, error=f"Not signed: {unreadable}." if unreadable
                     else "Nothing is published yet: there is no release to roll out.",
                     status=409)
    problem = unreachable_keys(keys)
    if problem is not None:
        return _page(request, store, operator, error=f"Not signed: {problem}. Run this where "
                     "the release keys are:", command=command, status=409)
    try:
        version = set_rollout(data_dir, keys, rings)
    except (ValueError, OSError) as exc:  # ReleaseError: a key unreadable or not Ed25519...
        return _page(request, store, operator, error=f"Not signed: {exc}. Run this where the "
                     "release keys are:", command=command, status=409)
    recorded(request, operator, action, f"{version}: {describe_rings(rings)}")
    return _page(request, store, operator,
                 message=f"Release {version} is now offered to {describe_rings(rings)}.")


def _current(request: Request) -> Rings:
    release = _published(request)[0]
    return release.rings if release and release.rings else Rings()


@router.post("/releases/rings", response_class=HTMLResponse)
def change_rings(request: Request, form: CheckedForm, store: Store,
                 operator: ReleaseOperator) -> HTMLResponse:
    """Offer the release to the rings of the form (a halted rollout stays halted)."""
    try:
        rings = rings_from_form(form.get("percent", ""), form.get("sites", ""),
                                form.get("pilots", ""), halted=_current(request).halted)
    except RingsRefused as exc:
        return _page(request, store, operator, error=f"Not changed: {exc}.", status=422)
    return _roll_out(request, store, operator, rings, "set release rollout")


@router.post("/releases/halt", response_class=HTMLResponse)
def halt(request: Request, form: CheckedForm, store: Store,
         operator: ReleaseOperator) -> HTMLResponse:
    """Stop the release reaching any terminal that does not run it yet (rings kept)."""
    return _set_halted(request, store, operator, True, "halted release rollout")


@router.post("/releases/resume", response_class=HTMLResponse)
def resume(request: Request, form: CheckedForm, store: Store,
           operator: ReleaseOperator) -> HTMLResponse:
    """Offer the release to its rings again after a halt."""
    return _set_halted(request, store, operator, False, "resumed release rollout")


def _set_halted(request: Request, store: Store, operator: OperatorSession, halted: bool,
                action: str) -> HTMLResponse:
    return _roll_out(request, store, operator, replace(_current(request), halted=halted), action)
