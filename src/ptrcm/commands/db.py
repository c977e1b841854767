"""`ptrcm db ...`: migrate the database, set up its roles and manage organizations (tenants).

`upgrade`, `downgrade` and `roles` connect as the owner (``--db``/``--owner-url``, else
PTRCM_MIGRATE_URL, else ``[database] migrate_url``, else the app's URL); the others as the
app. `upgrade` and `add-org` may create a new SQLite file (they set a database up);
`current`, `downgrade` and `refresh-facts` need one that exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, opened, out
from ptrcm.commands.options import Db, Fmt, OwnerDb

app = typer.Typer(help="Database: migrations, roles and organizations.", no_args_is_help=True)


@contextmanager
def _as_owner() -> Iterator[None]:
    """A statement the database refuses (a role that is not the owner) is one line, exit 2;
    the migration's transaction is rolled back, so nothing is half-migrated."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "refused"
        raise fail(
            f"migration refused: {reason}; migrations run as the tables' owner"
            " (--owner-url, or PTRCM_MIGRATE_URL)"
        ) from None


@app.command()
def upgrade(
    owner_db: OwnerDb = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema up to date (runs the migrations as the owner; creates a
    SQLite file). On PostgreSQL the app roles set up by `ptrcm db roles` are granted the
    tables as they now are."""
    from ptrcm.store.db import current_revision
    from ptrcm.store.db import upgrade as run_upgrade
    from ptrcm.store.roles import refresh_app_grants

    with opened(db=owner_db, create_db=True, as_owner=True) as root, _as_owner():
        store = root.open_store(migrate=False)
        run_upgrade(store.engine, revision)
        out.print(f"database at revision {current_revision(store.engine)}")
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as conn:
                for role in refresh_app_grants(conn):
                    out.print(f"app role {role}: granted the tables at this revision")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; `base` empties the schema.")],
    owner_db: OwnerDb = None,
) -> None:
    """Undo migrations down to REVISION (drops tables and their data)."""
    from ptrcm.store.db import current_revision
    from ptrcm.store.db import downgrade as run_downgrade

    with opened(db=owner_db, as_owner=True) as root, _as_owner():
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
    """Rebuild the per-claim facts and the daily rollups the dashboard reads (after
    migrations, bulk loads)."""
    from sqlalchemy import select

    from ptrcm.store.claim_facts import refresh_all_claim_facts
    from ptrcm.store.data_version import bump_data_version
    from ptrcm.store.tables import organizations
    from ptrcm.store.visit_rollup import rebuild_visit_rollup

    with opened(db=db, org=org or "default") as root:
        found: list[tuple[str, int]]
        if org is None:
            query = select(organizations.c.slug, organizations.c.id).order_by(organizations.c.id)
            with root.store.engine.connect() as conn:
                found = [(str(s), int(i)) for s, i in conn.execute(query)]
        else:
            found = [(org, root.org_id)]
        for slug, org_id in found:  # one transaction per organization (row-level security)
            with root.store.connect(org_id) as conn, conn.begin():
                count = refresh_all_claim_facts(conn, org_id)
                rebuild_visit_rollup(conn, org_id)  # kept by the visit writer otherwise
                bump_data_version(conn, org_id)  # running servers' caches read them anew
            out.print(f"{slug}: facts for {count} claims")


APP_ROLE_HELP = "The login role the app connects as (created when missing)."
PASSWORD_FILE_HELP = (
    "A file whose first line is the app role's password (else PTRCM_APP_PASSWORD; neither:"
    " the password is left as it is). Never on the command line."
)


@app.command()
def roles(
    app_role: Annotated[str, typer.Option("--app-role", help=APP_ROLE_HELP)] = "ptrcm_app",
    owner_db: OwnerDb = None,
    password_file: Annotated[
        str | None, typer.Option("--password-file", help=PASSWORD_FILE_HELP)
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only verify the role; change nothing.")
    ] = False,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """PostgreSQL least privilege: create the app's login role and grant it what the app
    needs and nothing more (no ALTER, TRUNCATE, DISABLE TRIGGER, session_replication_role,
    UPDATE or DELETE of the append-only tables). Connects as the owner; safe to run again.
    Exit 1 when a check of the role fails."""
    import os
    from pathlib import Path

    from sqlalchemy.exc import DBAPIError

    from ptrcm.store.roles import check_app_role, ensure_app_role

    password = os.environ.get("PTRCM_APP_PASSWORD") or None
    if password_file is not None:
        try:
            password = Path(password_file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError):
            raise fail(f"--password-file {password_file}: cannot read a first line") from None
    with opened(db=owner_db, as_owner=True) as root:
        engine = root.open_store(migrate=False).engine
        if engine.dialect.name != "postgresql":
            raise fail("`ptrcm db roles` is for PostgreSQL (SQLite has no roles)")
        done: list[str] = []
        try:
            with engine.begin() as conn:
                if not check:
                    done = ensure_app_role(conn, app_role, password)
                checks = check_app_role(conn, app_role)
        except DBAPIError as exc:  # e.g. the owner may not create roles (CREATEROLE)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "refused"
            raise fail(f"db roles {app_role}: {reason}; nothing was changed") from None
    failed = [c for c in checks if not c.ok]
    if fmt is OutputFormat.json:
        emit_json({"role": app_role, "done": done, "ok": not failed,
                   "checks": [{"check": c.check, "ok": c.ok, "detail": c.detail}
                              for c in checks]})  # fmt: skip
    else:
        for line in done:
            out.print(line, markup=False)
        for c in checks:
            detail = f" ({c.detail})" if c.detail and not c.ok else ""
            out.print(f"  {'ok  ' if c.ok else 'FAIL'} {c.check}{detail}", markup=False)
        out.print(
            f"app role {app_role}: {'ok' if not failed else f'{len(failed)} check(s) failed'}"
        )
    if failed:
        raise typer.Exit(1)
