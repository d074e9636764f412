"""The operators' pages: log in (name, password, TOTP code), change the one-time password, the
fleet with what the role may see and do (issue an enrollment token, publish a document), the
platform trail, log out, and the OpenAPI documentation. Every page needs a session
(``central.operator_auth``); every action and every view of submissions lands in the platform
trail.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..dependencies import Published, Store
from ..fleet import fleet_view
from ..operator_auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CheckedForm,
    Operator,
    recorded,
    require,
    set_cookie,
    trail_of,
)
from ..operators import (
    MAX_AGE_S,
    LoginRefused,
    LoginThrottled,
    OperatorSession,
    PasswordRefused,
    same_secret,
)
from ..page import render, render_index
from ..publishing import NotPublishable, parse_document, publish
from ..ratings import rating_counts

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, message: str = "", status: int = 200) -> Response:
    csrf = secrets.token_urlsafe(32)
    response = HTMLResponse(render("login.html", csrf=csrf, message=message), status_code=status)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, csrf, 3600)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The login form (with a fresh double-submit CSRF token)."""
    return _login_page(request)


@router.post("/login")
async def log_in(request: Request) -> Response:
    """Check name, password and code; on success a session cookie and the fleet page."""
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not same_secret(str(form.get("csrf", "")), expected):
        return _login_page(request, "The form expired: please try again.", 403)
    name = str(form.get("name", ""))[:64].strip().lower()
    address = request.client.host if request.client else "unknown"
    accounts = request.app.state.accounts
    try:
        session: OperatorSession = await run_in_threadpool(
            accounts.log_in, name, str(form.get("password", ""))[:256],
            str(form.get("code", ""))[:16], address)
    except LoginThrottled as exc:
        return _login_page(request, str(exc), 429)
    except LoginRefused as exc:
        return _login_page(request, str(exc), 401)
    await run_in_threadpool(recorded, request, session, "logged in", address)
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, session.token, MAX_AGE_S)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
def password_form(operator: Operator) -> HTMLResponse:
    """Change the password (the only page a one-time password reaches)."""
    return HTMLResponse(render("password.html", operator=operator))


@router.post("/password", response_class=HTMLResponse)
def change_password(request: Request, operator: Operator, form: CheckedForm) -> Response:
    """Check the current password, set the new one; then the fleet page."""
    try:
        request.app.state.accounts.change_password(
            operator.operator, form.get("current", ""), form.get("new", ""),
            form.get("repeated", ""))
    except (PasswordRefused, LoginRefused) as exc:
        return HTMLResponse(render("password.html", operator=operator, message=str(exc)),
                            status_code=422)
    recorded(request, operator, "changed password")
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def log_out(request: Request, operator: Operator, form: CheckedForm) -> Response:
    """End the session; back to the login form."""
    request.app.state.accounts.log_out(operator.token)
    recorded(request, operator, "logged out")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def index(request: Request, operator: Operator, store: Store) -> HTMLResponse:
    """The fleet and what arrived, as far as the operator's role reaches."""
    total, items = 0, None
    if operator.may("submissions"):
        total, items = store.submissions(200, 0, ratings=False)  # ratings are counted apart
        recorded(request, operator, "viewed submissions", f"newest {len(items)}")
    fleet = operator.may("fleet")
    return HTMLResponse(render_index(total, items, fleet_view(store) if fleet else None,
                                     rating_counts(store) if fleet else None, operator))


@router.post("/tokens", response_class=HTMLResponse)
def issue_token(request: Request, form: CheckedForm, store: Store,
                operator: OperatorSession = require("tokens")) -> HTMLResponse:
    """Issue a one-time enrollment token (bound to a terminal id when one is given)."""
    terminal_id = form.get("terminal_id", "").strip() or None
    if terminal_id is not None and not (1 <= len(terminal_id) <= 64):
        raise HTTPException(422, "terminal id: 1 to 64 characters")
    token = store.issue_token(terminal_id)
    recorded(request, operator, "issued enrollment token", terminal_id or "any terminal")
    return HTMLResponse(render("done.html", operator=operator, heading="Enrollment token issued",
                               secret=token, message=f"For {terminal_id or 'any terminal'}."))


@router.post("/documents", response_class=HTMLResponse)
def publish_document(request: Request, form: CheckedForm, published: Published,
                     operator: OperatorSession = require("documents")) -> HTMLResponse:
    """Publish a catalog, forms or settings document; terminals pull it at their next sync."""
    kind = form.get("kind", "")
    try:
        publication = publish(published, kind, parse_document(form.get("body", "")))
    except NotPublishable as exc:
        return HTMLResponse(render("done.html", operator=operator, heading="Not published",
                                   message=str(exc)), status_code=422)
    recorded(request, operator, "published document", f"{kind} version {publication.version}")
    return HTMLResponse(render(
        "done.html", operator=operator, heading=f"Published {kind} version {publication.version}",
        message="Terminals pick it up at their next sync; it expires "
                f"{publication.expires_at:%Y-%m-%d %H:%M} UTC."))


@router.post("/operators", response_class=HTMLResponse)
def set_account(request: Request, form: CheckedForm,
                operator: Annotated[OperatorSession, require("accounts")]) -> HTMLResponse:
    """Disable an operator account (no login; its sessions end) or enable it again (admins)."""
    name, disabled = form.get("name", "").strip(), form.get("action") == "disable"
    if disabled and name == operator.operator:
        message, status = "An operator cannot disable their own account.", 409
    elif not request.app.state.accounts.set_disabled(name, disabled):
        message, status = f"No operator called {name!r}.", 404
    else:
        verb = "disabled" if disabled else "enabled"
        recorded(request, operator, f"{verb} operator", name)
        return HTMLResponse(render("done.html", operator=operator, heading=f"Operator {verb}",
                                   message=f"{name} is {verb}."))
    return HTMLResponse(render("done.html", operator=operator, heading="Nothing changed",
                               message=message), status_code=status)


@router.get("/trail", response_class=HTMLResponse)
def trail_page(request: Request, operator: OperatorSession = require("trail")) -> HTMLResponse:
    """The newest entries of the platform trail and whether the chain verifies."""
    trail = trail_of(request)
    return HTMLResponse(render("trail.html", operator=operator, entries=trail.entries(),
                               check=trail.verify()))


@router.get("/openapi.json")
def openapi(request: Request, operator: Operator) -> dict:
    """The whole API's OpenAPI document (terminal and operator side)."""
    app = request.app
    return get_openapi(title=app.title, version=app.version, description=app.description,
                       routes=app.state.api_routes)


@router.get("/docs", response_class=HTMLResponse)
def docs(operator: Operator) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``."""
    return get_swagger_ui_html(openapi_url="/openapi.json", title="egov-kiosk platform API")
