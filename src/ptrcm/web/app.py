"""The FastAPI application: pages, JSON API, static assets. Built by ``create_app`` only.

The app reads through one ``WebData`` (``ptrcm.web.ports``), built here once from the
settings the composition root gives it (store URL, configuration, clock, organization) and
handed to every route by ``ptrcm.web.deps.web_data``. Static assets (our stylesheet, htmx
vendored from npm with its licence) are served from the package: no CDN, so the app works
offline. FastAPI's own docs pages load their scripts from a CDN, so they are off; the
OpenAPI document is at ``/api/openapi.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ptrcm import __version__
from ptrcm.web import api, front_desk, pages
from ptrcm.web import formatting as f
from ptrcm.web.deps import WebSettings
from ptrcm.web.errors import CatchAll, install_handlers
from ptrcm.web.limits import MAX_BODY_BYTES, BodyLimit
from ptrcm.web.ports import WebData

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


def build_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
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
    """A new app reading from ``data`` (default: the store named by ``settings``, for
    ``settings.org``); the store is closed when the app shuts down."""
    from ptrcm.web.store_data import open_web_data

    reader = data if data is not None else open_web_data(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        reader.status.close()

    app = FastAPI(
        title="ptrcm",
        version=__version__,
        summary="Revenue-cycle platform for outpatient rehab therapy: KPIs and work queues.",
        description=(
            'Money is a decimal string (e.g. "1234.50"), rates are fractions 0-1 as decimal'
            " strings, dates are ISO 8601 between 1900-01-01 and 2199-12-31. Every table"
            " endpoint also answers `?format=csv`. Request bodies over"
            f" {MAX_BODY_BYTES} bytes are refused with 413."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.data = reader
    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.health)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(front_desk.router)
    install_handlers(app, _error_page)
    app.add_middleware(BodyLimit)
    app.add_middleware(CatchAll)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _error_page(request: Request, status: int, message: str) -> Response:
    context = {"title": f"Error {status}", "status": status, "message": message}
    return pages.render(request, "error.html", "", context, status_code=status)
