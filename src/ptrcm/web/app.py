"""The FastAPI application: pages, JSON API, static assets. Built by ``create_app`` only.

The app reads through the providers of ``ptrcm.web.ports`` and never touches the store.
Static assets (our stylesheet, htmx vendored from npm with its licence) are served from the
package: no CDN, so the app works offline. FastAPI's own docs pages load their scripts
from a CDN, so they are off; the OpenAPI document is at ``/api/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from ptrcm import __version__
from ptrcm.errors import PtrcmError
from ptrcm.web import api, front_desk, pages
from ptrcm.web import formatting as f
from ptrcm.web.deps import WebSettings
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


def default_data(settings: WebSettings) -> WebData:
    """The organization's data in the configured database; clearly marked sample data when
    no database is configured or the organization has nothing stored yet."""
    from ptrcm.web.sample import sample_data
    from ptrcm.web.store_data import store_web_data

    if settings.database_url:
        found = store_web_data(settings.database_url, settings.org, settings.today)
        if found is not None:
            return found
    return sample_data(settings.today())


def create_app(settings: WebSettings, data: WebData | None = None) -> FastAPI:
    """A new app reading from ``data`` (default: the providers for ``settings``)."""
    app = FastAPI(
        title="ptrcm",
        version=__version__,
        summary="Revenue-cycle platform for outpatient rehab therapy: KPIs and work queues.",
        description=(
            'Money is a decimal string (e.g. "1234.50"), rates are fractions 0-1 as decimal'
            " strings, dates are ISO 8601. Every table endpoint also answers `?format=csv`."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.data = data if data is not None else default_data(settings)
    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.health)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(front_desk.router)
    _install_handlers(app)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    context = {"title": f"Error {status}", "status": status, "message": message}
    return pages.render(request, "error.html", "", context, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return _error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def bad_query(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return _error(request, 400, f"Bad value in {where}.")

    @app.exception_handler(PtrcmError)
    async def ptrcm_error(request: Request, exc: PtrcmError) -> Response:
        return _error(request, 400, str(exc))
