"""`ptrcm contracts import`: a payer's contract fee schedule, stored as a new version."""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, opened, parse_day
from ptrcm.commands.options import Db, Org

app = typer.Typer(help="Payer contracts: fee schedules for expected payment.", no_args_is_help=True)


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
    from ptrcm.services.remittance.underpayments import import_contract

    params = {"mppr": mppr, "assistant_reduction": assistant, "sequestration_rate": sequestration}
    with opened(db=db, org=org) as root:
        since = None if effective is None else parse_day(effective, "--effective", root.clock.today)
        done = import_contract(
            root.unit_of_work, payer, path, params, name=name, effective_from=since
        )
    typer.echo(f"{path}: payer {payer} schedule version {done.version}, {done.codes} codes")
