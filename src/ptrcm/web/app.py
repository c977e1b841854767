"""The FastAPI application: pages, JSON API, sign-in, administration, static assets. Built
by ``create_app`` only.

Every route but the sign-in page, ``/healthz`` (liveness, no data) and ``/static`` needs a
principal and a permission (``ptrcm.web.auth.requires``); the data it reads is the
principal's organization's, through ``WebData`` (``ptrcm.web.ports``), made per
organization by ``StoreWebData`` over the store the settings name (tests may hand in one
``WebData`` for every organization). Static assets (our stylesheet, htmx vendored from npm
with its licence) are served from the package: no CDN, so the app works offline. FastAPI's
docs pages load scripts from a CDN, so they are off; the OpenAPI document, with its two
security schemes (session cookie, bearer token), is at ``/api/openapi.json`` for any
signed-in principal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ptrcm import __version__
from ptrcm.domain.access import Permission, Principal
from ptrcm.web import (
    actions,
    admin,
    alerts,
    api,
    audit_page,
    chart_audits,
    claims_page,
    connections,
    front_desk,
    jobs,
    login,
    pages,
    work_items,
)
from ptrcm.web import formatting as f
from ptrcm.web.auth import SignInRequired, requires
from ptrcm.web.deps import WebSettings
from ptrcm.web.errors import CatchAll, install_handlers, wants_json
from ptrcm.web.limits import MAX_BODY_BYTES, BodyLimit
from ptrcm.web.ports import WebData
from ptrcm.web.read_cache import OneVersionPerRead
from ptrcm.web.trail import AccessLog, AuditOnDisclosure

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        " connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000"  # a year; sent only on a request that came over TLS


class SecurityHeaders:
    """ASGI middleware (the outermost): the security headers on every response; no-store
    on everything but static assets (pages and API answers carry PHI or finances: no
    browser or proxy keeps them); HSTS on a request that came over TLS. Plain ASGI rather
    than ``@app.middleware``, which costs a task and a stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        tls = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers["Cache-Control"] = "no-store"
                if tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)


def build_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship in the package: no stat() of each file per page
    )
    env.filters.update(
        money=f.money,
        percent=f.percent,
        number=f.number,
        short_date=f.short_date,
        month=f.month_label,
    )
    return Jinja2Templates(env=env)


def create_app(settings: WebSettings, data: WebData | None = None) -> FastAPI:
    """A new app over the store ``settings`` names (users, sessions, the audit trail and,
    unless ``data`` is given, the data each organization's principals read); the store is
    closed when the app shuts down. ``data`` (tests): one ``WebData`` for every
    organization."""
    from ptrcm.web.store_access import open_gate

    gate, close = open_gate(settings, data)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        close()

    app = FastAPI(
        title="ptrcm",
        version=__version__,
        summary="Revenue-cycle platform for outpatient rehab therapy: KPIs and work queues.",
        description=(
            'Money is a decimal string (e.g. "1234.50"), rates are fractions 0-1 as decimal'
            " strings, dates are ISO 8601 between 1900-01-01 and 2199-12-31. Every table"
            " endpoint also answers `?format=csv`. Request bodies over"
            f" {MAX_BODY_BYTES} bytes are refused with 413. Every endpoint needs an API"
            " token (`Authorization: Bearer`, `ptrcm tokens create`) or a signed-in"
            " session; the organization is the token's or the session's, never a"
            " parameter. 401: no or a wrong credential; 403: the role may not; 404: no such"
            " record in this organization."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        responses={401: {"description": "Sign in, or send a valid API token"}},
    )
    app.state.settings = settings
    app.state.gate = gate
    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    routers = (api.health, api.router, pages.router, claims_page.router, front_desk.router,
               login.router, admin.router, audit_page.router, actions.router,
               work_items.router, connections.router, chart_audits.router,
               jobs.router, alerts.router)  # fmt: skip
    for router in routers:
        app.include_router(router)
    _add_openapi_route(app)
    install_handlers(app, _error_page)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_middleware(OneVersionPerRead)
    app.add_middleware(AuditOnDisclosure)
    app.add_middleware(BodyLimit)
    app.add_middleware(CatchAll)
    app.add_middleware(AccessLog)
    app.add_middleware(SecurityHeaders)
    return app


def _add_openapi_route(app: FastAPI) -> None:
    @app.get(
        "/api/openapi.json",
        include_in_schema=False,
        dependencies=[requires(Permission.read_api_schema)],
    )
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"detail": "Sign in, or send a valid API token."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(login.login_url(target), status_code=303)


def _error_page(request: Request, status: int, message: str) -> Response:
    context: dict[str, Any] = {"title": f"Error {status}", "status": status, "message": message}
    principal: Principal | None = getattr(request.state, "principal", None)
    return pages.render(request, "error.html", "", context, status_code=status, who=principal)
