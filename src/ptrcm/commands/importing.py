"""`ptrcm import ...`: visits, master data and appointments into the database."""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, opened
from ptrcm.commands.import_report import report_import
from ptrcm.commands.options import Config, Db, Fmt, Org

# Registered as `ptrcm import` (a Python keyword, hence the module's name). Importing
# creates the SQLite database file when it does not exist yet.
app = typer.Typer(help="Import EMR exports and master data into the database.")


@app.command("visits")
def visits_command(
    path: Annotated[str, typer.Argument(help="Visit interchange file (JSON Lines).")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine",
            help="Import the good records and keep the bad ones aside (exit 1 if any).",
        ),
    ] = False,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Import visits: all or nothing (exit 2 naming the bad line), or with --quarantine.

    Records are held to the limits of docs/input-limits.md and their payer must be
    configured. A visit id already in the database is updated and its services replaced;
    unchanged, it is left alone; changed after its claim was submitted, it is refused.
    """
    from ptrcm.services.intake.visits import import_visits

    with opened(config=config, db=db, org=org, create_db=True) as root:
        result = import_visits(
            root.unit_of_work,
            path,
            quarantine=quarantine,
            payers=root.config.payers,
            as_of=root.clock.today(),
        )
    report_import(path, org, result, fmt)


@app.command("master")
def master_command(
    path: Annotated[str, typer.Argument(help="Master-data file (FILE.master.json).")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Import master data: clinic, locations, therapists, payers, patients, coverages, plans
    of care and authorizations. All or nothing (exit 2 naming the JSON path and field).

    Records already in the database (same id) are updated, never duplicated.
    """
    from ptrcm.services.intake.master import import_master

    with opened(config=config, db=db, org=org, create_db=True) as root:
        result = import_master(root.unit_of_work, path)
    if fmt is OutputFormat.json:
        kinds = {k: {"inserted": c.inserted, "updated": c.updated} for k, c in result.kinds.items()}
        emit_json(
            {"file": path, "organization": org, "kinds": kinds, "not_stored": result.not_stored}
        )
        return
    typer.echo(f"{path}: {result.imported} records imported")
    for kind, counts in result.kinds.items():
        typer.echo(f"  {kind}: {counts.inserted} inserted, {counts.updated} updated")
    for kind, n in result.not_stored.items():
        if n:
            typer.echo(f"  {kind}: {n} read, not stored (no table; used for plans of care)")


@app.command("appointments")
def appointments_command(
    path: Annotated[str, typer.Argument(help="Appointments file (JSON Lines).")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine",
            help="Import the good lines and keep the bad ones aside (exit 1 if any).",
        ),
    ] = False,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Import appointments (after the master file and the visits): all or nothing (exit 2
    naming the bad line and field), or with --quarantine. Start times are read in the
    clinic's time zone and stored in UTC; an appointment id already on file is updated.
    """
    from ptrcm.services.intake.appointments import import_appointments

    with opened(config=config, db=db, org=org, create_db=True) as root:
        result = import_appointments(root.unit_of_work, path, quarantine=quarantine)
    report_import(path, org, result, fmt)


def _register_emr() -> None:
    """`import hl7`, `import fhir` and `import csv` (their module: ``commands.emr``)."""
    from ptrcm.commands import emr

    app.command("hl7")(emr.hl7_command)
    app.command("fhir")(emr.fhir_command)
    app.command("csv")(emr.csv_command)


_register_emr()
