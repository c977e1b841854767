"""`ptrcm db ...`: migrate the database and manage organizations (tenants)."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, out

if TYPE_CHECKING:
    from ptrcm.store.repository import Store

app = typer.Typer(help="Database: migrations and organizations.", no_args_is_help=True)

DB_HELP = "Database URL (default: $PTRCM_DATABASE_URL, else sqlite:///ptrcm.db)."
DEFAULT_ORG = "default"


def actor() -> str:
    """Who the audit log names for work done from this command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def open_store(db: str | None, *, migrate: bool = True) -> Store:
    """The store at ``--db`` (or the default), migrated to head unless told otherwise."""
    from sqlalchemy.exc import OperationalError

    from ptrcm.bootstrap import database_url
    from ptrcm.store.db import parse_url
    from ptrcm.store.repository import Store

    url = database_url(db)
    where = parse_url(url).render_as_string(hide_password=True)
    try:
        store = Store.open(url, migrate=migrate)
        with store.engine.connect():  # fail here, with one line, if it cannot be reached
            return store
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise fail(f"database {where}: {reason}") from None


def organization(store: Store, slug: str, *, create: bool = False, name: str | None = None) -> int:
    """The organization's id; the default organization is created on first use."""
    found = store.organization_id(slug)
    if found is not None:
        return found
    if create or slug == DEFAULT_ORG:
        return store.create_organization(slug, name)
    raise fail(f"--org {slug}: no such organization (create it with `ptrcm db add-org {slug}`)")


@app.command()
def upgrade(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema up to date (runs the migrations)."""
    from ptrcm.store.db import current_revision
    from ptrcm.store.db import upgrade as run_upgrade

    store = open_store(db, migrate=False)
    run_upgrade(store.engine, revision)
    out.print(f"database at revision {current_revision(store.engine)}")
    store.close()


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; `base` empties the schema.")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Undo migrations down to REVISION (drops tables and their data)."""
    from ptrcm.store.db import current_revision
    from ptrcm.store.db import downgrade as run_downgrade

    store = open_store(db, migrate=False)
    run_downgrade(store.engine, revision)
    out.print(f"database at revision {current_revision(store.engine) or 'base'}")
    store.close()


@app.command()
def current(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.text,
) -> None:
    """Show the schema revision of the database and the newest one available."""
    from ptrcm.store.db import current_revision, head_revision

    store = open_store(db, migrate=False)
    data = {"current": current_revision(store.engine), "head": head_revision()}
    store.close()
    if fmt is OutputFormat.json:
        emit_json(data)
    else:
        out.print(f"current {data['current'] or 'base (empty)'}; head {data['head']}")


@app.command("add-org")
def add_org(
    slug: Annotated[str, typer.Argument(help="Short name used with --org.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Create an organization (tenant): a practice whose records are kept apart."""
    store = open_store(db)
    if store.organization_id(slug) is not None:
        store.close()
        raise fail(f"organization {slug!r} exists already")
    org_id = store.create_organization(slug, name)
    store.close()
    out.print(f"organization {slug} created (id {org_id})")


@app.command("refresh-facts")
def refresh_facts(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    org: Annotated[str | None, typer.Option(help="Only this organization (default: all).")] = None,
) -> None:
    """Rebuild the per-claim facts the dashboard reads (after migrations, bulk loads)."""
    from sqlalchemy import select

    from ptrcm.store.claim_facts import refresh_all_claim_facts
    from ptrcm.store.tables import organizations

    store = open_store(db)
    with store.engine.begin() as conn:
        found: list[tuple[str, int]]
        if org is None:
            query = select(organizations.c.slug, organizations.c.id).order_by(organizations.c.id)
            found = [(str(s), int(i)) for s, i in conn.execute(query)]
        else:
            found = [(org, organization(store, org))]
        for slug, org_id in found:
            out.print(f"{slug}: facts for {refresh_all_claim_facts(conn, org_id)} claims")
    store.close()
