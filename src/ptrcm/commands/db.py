"""`ptrcm db ...`: migrate the database and manage organizations (tenants).

`upgrade` and `add-org` may create a new SQLite file (they set a database up); `current`,
`downgrade` and `refresh-facts` need one that exists.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, opened, out
from ptrcm.commands.options import Db, Fmt

app = typer.Typer(help="Database: migrations and organizations.", no_args_is_help=True)


@app.command()
def upgrade(
    db: Db = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema up to date (runs the migrations; creates a SQLite file)."""
    from ptrcm.store.db import current_revision
    from ptrcm.store.db import upgrade as run_upgrade

    with opened(db=db, create_db=True) as root:
        store = root.open_store(migrate=False)
        run_upgrade(store.engine, revision)
        out.print(f"database at revision {current_revision(store.engine)}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; `base` empties the schema.")],
    db: Db = None,
) -> None:
    """Undo migrations down to REVISION (drops tables and their data)."""
    from ptrcm.store.db import current_revision
    from ptrcm.store.db import downgrade as run_downgrade

    with opened(db=db) as root:
        store = root.open_store(migrate=False)
        run_downgrade(store.engine, revision)
        out.print(f"database at revision {current_revision(store.engine) or 'base'}")


@app.command()
def current(db: Db = None, fmt: Fmt = OutputFormat.text) -> None:
    """Show the schema revision of the database and the newest one available."""
    from ptrcm.store.db import current_revision, head_revision

    with opened(db=db) as root:
        store = root.open_store(migrate=False)
        data = {"current": current_revision(store.engine), "head": head_revision()}
    if fmt is OutputFormat.json:
        emit_json(data)
    else:
        out.print(f"current {data['current'] or 'base (empty)'}; head {data['head']}")


@app.command("add-org")
def add_org(
    slug: Annotated[str, typer.Argument(help="Short name used with --org.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    db: Db = None,
) -> None:
    """Create an organization (tenant): a practice whose records are kept apart."""
    with opened(db=db, create_db=True) as root:
        if root.store.organization_id(slug) is not None:
            raise fail(f"organization {slug!r} exists already")
        org_id = root.store.create_organization(slug, name)
    out.print(f"organization {slug} created (id {org_id})")


@app.command("refresh-facts")
def refresh_facts(
    db: Db = None,
    org: Annotated[
        str | None,
        typer.Option("--org", envvar="PTRCM_ORG", help="Only this organization (default: all)."),
    ] = None,
) -> None:
    """Rebuild the per-claim facts the dashboard reads (after migrations, bulk loads)."""
    from sqlalchemy import select

    from ptrcm.store.claim_facts import refresh_all_claim_facts
    from ptrcm.store.tables import organizations

    with opened(db=db, org=org or "default") as root:
        found: list[tuple[str, int]]
        if org is None:
            query = select(organizations.c.slug, organizations.c.id).order_by(organizations.c.id)
            with root.store.engine.connect() as conn:
                found = [(str(s), int(i)) for s, i in conn.execute(query)]
        else:
            found = [(org, root.org_id)]
        with root.store.engine.begin() as conn:
            for slug, org_id in found:
                out.print(f"{slug}: facts for {refresh_all_claim_facts(conn, org_id)} claims")
