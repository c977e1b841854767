"""Who is asking and what they may do: the one place the web app enforces the permission
matrix of ``ptrcm.domain.access``.

Every route declares the permission it needs, ``dependencies=[requires(P.read_claims)]``,
and nothing else decides access: ``requires`` resolves the principal (an API token from
``Authorization: Bearer``, else the session cookie), answers 401 (API) or a redirect to the
sign-in page (pages) when there is none, checks the CSRF token and origin of every unsafe
request made with a cookie, answers 403 when the role lacks the permission, and hands the
route the data of the principal's organization (``deps.web_data``). A route that reads PHI
names what it reads (``phi=``); ``ptrcm.web.trail`` writes the one audit row for it before
the response leaves. ``tests/e2e/test_web_access_matrix.py`` walks every route of the app
through every role, so a route without ``requires`` cannot slip in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, cast

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ptrcm.domain.access import Permission, Principal
from ptrcm.services.access import sessions, tokens
from ptrcm.services.access.ports import AccessUnitOfWork
from ptrcm.services.alerts.ports import AlertsWork
from ptrcm.services.chart_audit.ports import ChartAuditWork
from ptrcm.services.clearinghouse.ports import ClearinghouseWork
from ptrcm.services.work.ports import WorkFlow
from ptrcm.web import csrf
from ptrcm.web.deps import WebSettings
from ptrcm.web.ports import WebData

SESSION_COOKIE = "ptrcm_session"
LOGIN_COOKIE = "ptrcm_login"  # the pre-session CSRF secret of the sign-in form

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API token (`ptrcm tokens create`): one organization, one role, an expiry.",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The session cookie set by signing in at /login; unsafe methods also need"
    " the X-CSRF-Token header (the page's csrf-token meta tag).",
)


class SignInRequired(Exception):
    """No principal: 401 for the API, a redirect to the sign-in page for pages."""


@dataclass(frozen=True, slots=True)
class Gate:
    """What ``requires`` needs from the app: units of work over the identity tables, the
    data of a principal's scope, the settings (clock, policy)."""

    unit_of_work: Callable[[], AccessUnitOfWork]
    data_for: Callable[[Principal], WebData]
    settings: WebSettings
    # Units of work that change claims and queue items, for the principal's organization
    # and under its actor (``ptrcm.web.actions``).
    work_for: Callable[[Principal], WorkFlow] | None = None
    # The clearinghouse records of the principal's organization (``ptrcm.web.connections``).
    connections_for: Callable[[Principal], ClearinghouseWork] | None = None
    # Chart audits and records requests of the principal's organization, under its actor
    # (``ptrcm.web.chart_audits``).
    chart_audits_for: Callable[[Principal], ChartAuditWork] | None = None
    # The systemic-denial events of the principal's organization (``ptrcm.web.alerts``).
    alerts_for: Callable[[Principal], AlertsWork] | None = None


@dataclass(frozen=True, slots=True)
class PendingRead:
    """The audit row a PHI route owes once it answers 2xx (``ptrcm.web.trail``)."""

    principal: Principal
    action: str  # "read", or "export" for a CSV download
    table_name: str
    record_id: str | None
    client_address: str | None


def gate(request: Request) -> Gate:
    return cast(Gate, request.app.state.gate)


def client_address(request: Request) -> str | None:
    """The client's address (the proxy's forwarded one when ``serve`` trusts the proxy)."""
    return request.client.host if request.client else None


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def _resolve(request: Request, bearer: str | None, cookie: str | None) -> Principal | None:
    now = gate(request).settings.now()
    with gate(request).unit_of_work() as uow:
        if bearer is not None:
            found = tokens.authenticate_token(uow.access, bearer, now)
        elif cookie:
            found = sessions.resume(uow.access, cookie, now)
        else:
            return None
        uow.commit()
    return found


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Principal | None:
    """The request's principal (resolved once per request), or None. A bearer header that
    is present but wrong is no principal at all: it never falls back to the cookie."""
    if hasattr(request.state, "principal"):
        return cast(Principal | None, request.state.principal)
    bearer = credentials.credentials if credentials is not None else None
    found = await run_in_threadpool(_resolve, request, bearer, cookie)
    request.state.principal = found
    return found


MaybePrincipal = Annotated[Principal | None, Depends(current_principal)]


def session_secret(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def csrf_token(request: Request) -> str | None:
    """The CSRF token to put in this page's forms (None without a session)."""
    secret = session_secret(request)
    return csrf.token_for(secret) if secret else None


async def check_csrf(request: Request, principal: Principal) -> None:
    """403 unless an unsafe request made with the session cookie carries its CSRF token
    and comes from this site."""
    if request.method in csrf.SAFE_METHODS or principal.kind != "session":
        return
    secret = session_secret(request) or ""
    if not csrf.same_origin(request) or not csrf.matches(secret, await csrf.offered_token(request)):
        raise HTTPException(403, "Missing or wrong CSRF token: reload the page and try again.")


def requires(
    permission: Permission | None,
    *,
    phi: str | None = None,
    record: str | None = None,
    session_only: bool = False,
) -> Any:
    """The dependency a route declares. ``permission`` None: any signed-in principal.
    ``phi``: the route discloses PHI of that kind (an audit row per 2xx answer), naming the
    record by the path parameter ``record`` (else the route's path). ``session_only``: an
    API token may not call it (sign-out, switching organization)."""

    async def check(request: Request, principal: MaybePrincipal) -> Principal:
        if principal is None or (session_only and principal.kind != "session"):
            raise SignInRequired
        await check_csrf(request, principal)
        if permission is not None and not principal.can(permission):
            raise HTTPException(403, "Your role may not open this.")
        request.state.data = gate(request).data_for(principal)
        if phi is not None:
            name = request.path_params.get(record) if record else None
            fmt = request.query_params.get("format")
            request.state.phi_read = PendingRead(
                principal, "export" if fmt == "csv" else "read", phi,
                str(name) if name is not None else request.url.path, client_address(request),
            )  # fmt: skip
        return principal

    check.permission = permission  # type: ignore[attr-defined]  # read by the matrix test
    check.phi = phi  # type: ignore[attr-defined]
    return Depends(check)


def audit_record(request: Request, record_id: str) -> None:
    """Name the record a PHI route read when it is not a path parameter (a body field)."""
    pending = getattr(request.state, "phi_read", None)
    if pending is not None:
        request.state.phi_read = replace(pending, record_id=record_id)
