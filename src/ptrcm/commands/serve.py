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
    organization's stored data; sample data (marked as such) while the database is empty."""
    import uvicorn

    from ptrcm.bootstrap import build_context, database_url
    from ptrcm.cli_support import err
    from ptrcm.web.app import create_app
    from ptrcm.web.deps import WebSettings, clinic_clock

    ctx = build_context(config)
    clinic = ctx.config.clinic
    settings = WebSettings(database_url(db), clinic.name, clinic_clock(clinic.timezone), org)
    app = create_app(settings)
    if app.state.data.sample:
        err.print(f"ptrcm: no data for organization {org!r} yet: showing sample data", markup=False)
    err.print(f"ptrcm: serving on http://{host}:{port}/ (Ctrl+C to stop)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
