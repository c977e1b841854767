"""`ptrcm contracts import`: a payer's contract fee schedule, stored as a new version."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ptrcm.commands.db import DB_HELP, DEFAULT_ORG, actor, open_store, organization

app = typer.Typer(help="Payer contracts: fee schedules for expected payment.", no_args_is_help=True)

Org = Annotated[str, typer.Option("--org", envvar="PTRCM_ORG", help="Organization slug.")]
Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]


@app.command("import")
def import_command(
    payer: Annotated[str, typer.Argument(help="Payer id (as in the visit files).")],
    path: Annotated[str, typer.Argument(help="CSV with the columns code,allowed.")],
    name: Annotated[str | None, typer.Option(help="Schedule name (default: file name).")] = None,
    mppr: Annotated[bool, typer.Option("--mppr/--no-mppr", help="MPPR applies.")] = False,
    assistant: Annotated[
        bool, typer.Option("--assistant-reduction/--no-assistant-reduction", help="CQ/CO 85%.")
    ] = False,
    sequestration: Annotated[str, typer.Option(help="Sequestration rate, e.g. 0.02.")] = "0",
    effective: Annotated[str | None, typer.Option(help="In force from (YYYY-MM-DD).")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """Import a contract fee schedule; each import of a payer is its next version."""
    from ptrcm.services.underpayments import import_contract
    from ptrcm.store.money_in_uow import money_in_unit_of_work

    params = {"mppr": mppr, "assistant_reduction": assistant, "sequestration_rate": sequestration}
    since = date.fromisoformat(effective) if effective else None
    store = open_store(db)
    try:
        org_id = organization(store, org)
        done = import_contract(
            lambda: money_in_unit_of_work(store, org_id, actor()),
            payer,
            path,
            params,
            name=name,
            effective_from=since,
        )
    finally:
        store.close()
    typer.echo(f"{path}: payer {payer} schedule version {done.version}, {done.codes} codes")
