"""`ptrcm serve`: the web app and JSON API on one host and port, run by uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default: PTRCM_DATABASE_URL or sqlite:///ptrcm.db)."
        ),
    ] = None,
    org: Annotated[str, typer.Option(help="Organization (tenant) slug to show.")] = "default",
    config: Annotated[str | None, typer.Option(help="ptrcm.toml (default: built-in).")] = None,
) -> None:
    """Serve the dashboard, work queues and JSON API (OpenAPI at /api/openapi.json) over the
    organization's stored data; while it has none, every page says how to load some."""
    import uvicorn

    from ptrcm.bootstrap import build_context, database_url
    from ptrcm.cli_support import err
    from ptrcm.web.app import create_app
    from ptrcm.web.deps import WebSettings, clinic_clock

    ctx = build_context(config)
    clinic = ctx.config.clinic
    settings = WebSettings(
        database_url(db), clinic.name, clinic_clock(clinic.timezone), org, ctx.config
    )
    app = create_app(settings)
    if not app.state.data.status.has_data():
        err.print(
            f"ptrcm: no data for organization {org!r} yet: run `ptrcm demo` or"
            " `ptrcm import visits FILE`",
            markup=False,
        )
    err.print(f"ptrcm: serving on http://{host}:{port}/ (Ctrl+C to stop)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
