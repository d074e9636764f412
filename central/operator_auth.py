"""The operator side's login guard: session cookies, CSRF and role checks, as FastAPI
dependencies. Pages asked for without a session redirect to ``/login``; the API answers 401.

The cookie is HttpOnly, SameSite=Strict and Secure when the request came over https (behind a
TLS-terminating proxy, run uvicorn with ``--proxy-headers`` so the scheme is seen). Every
state-changing form carries the session's CSRF token (a hidden field), checked with a
constant-time comparison; the login form itself uses a double-submit cookie.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from .operators import OperatorAccounts, OperatorSession, same_secret
from .trail import PlatformTrail

SESSION_COOKIE = "egov_operator"
LOGIN_CSRF_COOKIE = "egov_login_csrf"


class LoginRequired(Exception):
    """No live session: a page redirects to the login, the API answers 401."""


class PasswordChangeRequired(Exception):
    """A session on a one-time password: a page redirects to ``/password``, the API answers 403."""

#: What a session on a one-time password may reach.
_ONE_TIME_PASSWORD_PATHS = ("/password", "/logout")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """Set an HttpOnly, SameSite=Strict cookie (Secure over https)."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def login_required_handler(request: Request, exc: Exception) -> Response:
    """Exception handler: a browser's page goes to the login (or the password change); anything
    else gets 401 (403 while the password is still the one-time one)."""
    change = isinstance(exc, PasswordChangeRequired)
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
        return RedirectResponse("/password" if change else "/login", status_code=303)
    if change:
        return JSONResponse({"detail": "change the one-time password first"}, status_code=403)
    return JSONResponse({"detail": "log in first"}, status_code=401)


async def current_operator(request: Request) -> OperatorSession:
    """Dependency: the logged-in operator (``LoginRequired`` otherwise; idle sessions end)."""
    accounts: OperatorAccounts = request.app.state.accounts
    session = await run_in_threadpool(accounts.session, request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        raise LoginRequired()
    if session.must_change and request.url.path not in _ONE_TIME_PASSWORD_PATHS:
        raise PasswordChangeRequired()
    return session


Operator = Annotated[OperatorSession, Depends(current_operator)]


def require(permission: str):
    """Dependency factory: the logged-in operator, if the role grants ``permission`` (403)."""

    async def allowed(operator: Operator) -> OperatorSession:
        if not operator.may(permission):
            raise HTTPException(403, f"the {operator.role} role may not do this")
        return operator

    return Depends(allowed)


async def checked_form(request: Request, operator: Operator) -> dict:
    """Dependency of state-changing forms: the form's fields, if its CSRF token is the
    session's (403 otherwise)."""
    form = await request.form()
    if not same_secret(str(form.get("csrf", "")), operator.csrf):
        raise HTTPException(403, "the form is stale or forged: reload the page")
    return {key: str(value) for key, value in form.items()}


CheckedForm = Annotated[dict, Depends(checked_form)]


def trail_of(request: Request) -> PlatformTrail:
    """The platform trail of this app."""
    return request.app.state.trail


def recorded(request: Request, operator: OperatorSession, action: str, subject: str = "") -> None:
    """Append an operator action (or a view of personal data) to the trail. Runs on a pool
    thread (the routes that call it are plain functions)."""
    trail_of(request).record(operator.operator, action, subject)



async def checked_header(request: Request, operator: Operator) -> OperatorSession:
    """Dependency of state-changing API calls: the operator, if ``X-CSRF-Token`` is the
    session's token (``GET /v1/session`` tells it; 403 otherwise)."""
    if not same_secret(request.headers.get("x-csrf-token", ""), operator.csrf):
        raise HTTPException(403, "send the session's X-CSRF-Token")
    return operator


CsrfChecked = Annotated[OperatorSession, Depends(checked_header)]
