"""Signing in and out, and switching organization.

``GET /login`` shows the form with a pre-session CSRF token (``ptrcm.web.csrf``);
``POST /login`` checks it, then the name and password (throttled and locked out per
``SecurityPolicy``), ends any session the browser still had, and sets a **new** session
cookie: ``HttpOnly``, ``SameSite=Lax``, ``Path=/``, ``Secure`` when the request came over
TLS, and no longer-lived than the session itself. ``POST /logout`` ends the session and
clears the cookie; ``POST /organization`` moves the session to another organization the
user is a member of (a foreign or unknown one is a 404, the same for both).

In demo mode (``ptrcm serve`` on a database ``ptrcm demo`` seeded) the sign-in page says
which file holds the generated passwords; it never shows a password.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ptrcm.domain.access import Principal, home_path
from ptrcm.services.access import sessions
from ptrcm.services.access.policy import AccessError, new_secret
from ptrcm.web import csrf, pages
from ptrcm.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    client_address,
    gate,
    is_tls,
    requires,
)

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE_SECONDS = 3600
Text = Annotated[str, Form(max_length=200)]
Secret = Annotated[str, Form(max_length=256)]


def login_url(target: str) -> str:
    return "/login" if target in ("", "/") else f"/login?next={quote(target, safe='/')}"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never ``//other.example`` or ``https://...``; the site's
    root is no target of its own (each role has its home page: ``home_path``)."""
    if not target or target == "/" or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _login_page(
    request: Request, secret: str, status: int, *, error: str | None = None, name: str = ""
) -> HTMLResponse:
    settings = gate(request).settings
    context = {
        "title": "Sign in",
        "login_csrf": csrf.token_for(secret),
        "next": _safe_next(request.query_params.get("next")) or "",
        "error": error,
        "username": name,
        "credentials_file": settings.credentials_file,
        "idle_minutes": int(settings.policy.idle.total_seconds() // 60),
    }
    response = pages.render(request, "login.html", "", context, status_code=status)
    response.set_cookie(
        LOGIN_COOKIE, secret, max_age=LOGIN_COOKIE_SECONDS, httponly=True, samesite="strict",
        secure=is_tls(request), path="/login",
    )  # fmt: skip
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """The sign-in form (every visitor may open it)."""
    return _login_page(request, request.cookies.get(LOGIN_COOKIE) or new_secret(), 200)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    username: Text,
    password: Secret,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    secret = request.cookies.get(LOGIN_COOKIE)
    if not secret or not csrf.same_origin(request) or not csrf.matches(secret, csrf_token):
        fresh = new_secret()
        return _login_page(request, fresh, 403, error="The form expired: sign in again.")
    g = gate(request)
    now = g.settings.now()
    result = await run_in_threadpool(_sign_in, request, username, password, now)
    if result.token is None or result.principal is None:
        status = 401 if result.locked_until is None else 429
        page = _login_page(request, secret, status, error=result.refused, name=username[:64])
        if result.locked_until is not None:
            wait = max(1, int((result.locked_until - now).total_seconds()))
            page.headers["Retry-After"] = str(wait)
        return page
    target = _safe_next(next_path) or home_path(result.principal.role)
    response: Response = RedirectResponse(target, status_code=303)
    _set_session_cookie(request, response, result.token)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _sign_in(request: Request, username: str, password: str, now: datetime) -> sessions.SignIn:
    g = gate(request)
    with g.unit_of_work() as uow:
        old = request.cookies.get(SESSION_COOKIE)
        if old:  # a session the browser still holds (or was handed) ends here: no fixation
            stale = sessions.resume(uow.access, old, now)
            if stale is not None:
                sessions.sign_out(uow.access, stale, now)
        result = sessions.sign_in(
            uow.access, g.settings.passwords, g.settings.policy, username, password,
            client_address(request), now,
        )  # fmt: skip
        uow.commit()
    return result


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    lifetime = gate(request).settings.policy.lifetime
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()), httponly=True,
        samesite="lax", secure=is_tls(request), path="/",
    )  # fmt: skip


@router.post("/logout", dependencies=[requires(None, session_only=True)])
def logout(request: Request) -> Response:
    principal: Principal = request.state.principal
    g = gate(request)
    with g.unit_of_work() as uow:
        sessions.sign_out(uow.access, principal, g.settings.now())
        uow.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/organization", dependencies=[requires(None, session_only=True)])
def switch_organization(request: Request, org: Annotated[str, Form(max_length=64)]) -> Response:
    """Work in another organization the user is a member of."""
    principal: Principal = request.state.principal
    g = gate(request)
    with g.unit_of_work() as uow:
        try:
            moved = sessions.switch_organization(uow.access, principal, org, g.settings.now())
        except AccessError:
            raise HTTPException(404, "No such organization.") from None
        uow.commit()
    return RedirectResponse(home_path(moved.role), status_code=303)
