"""`ptrcm import hl7|fhir|csv` and `ptrcm listen hl7`: visits from a clinic's EMR/PM.

Each reader maps its format to visit interchange records and the import is the one of
`ptrcm import visits` (all or nothing, or --quarantine; same checks, same claim-version
rules). Registered on the `import` group by ``commands.importing``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, opened
from ptrcm.commands.options import Config, Db, Fmt, Org

Quarantine = Annotated[
    bool,
    typer.Option(
        "--quarantine",
        help="Import the good messages/visits and keep the bad ones aside (exit 1 if any).",
    ),
]
listen = typer.Typer(help="Listen for EMR interfaces (HL7 v2 over MLLP).")


def hl7_command(
    path: Annotated[str, typer.Argument(help="File of HL7 v2 DFT^P03 messages.")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    quarantine: Quarantine = False,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Import HL7 v2 DFT^P03 charge messages (one visit a message; docs/interfaces.md).

    All or nothing (exit 2 naming the message's line and HL7 field), or with --quarantine
    each bad message is kept aside and the others import. Importing the same file again
    changes nothing.
    """
    from ptrcm.commands.import_report import report_import
    from ptrcm.interfaces.emr_import import import_hl7

    with opened(config=config, db=db, org=org, create_db=True) as root:
        result = import_hl7(
            root.unit_of_work, path, quarantine=quarantine, payers=root.config.payers,
            as_of=root.clock.today(),
        )  # fmt: skip
    report_import(path, org, result, fmt)


def fhir_command(
    path: Annotated[
        str, typer.Argument(help="Bulk Data $export folder (Resource.ndjson) or Bundle JSON.")
    ],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    quarantine: Quarantine = False,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Import FHIR R4 resources: one visit an Encounter, with its Patient, Coverage,
    ChargeItem (or Procedure), Condition and Practitioner resources.

    PATH is a Bulk Data $export folder of NDJSON files or one Bundle JSON file. All or
    nothing (exit 2 naming the file, line and element), or --quarantine.
    """
    from ptrcm.commands.import_report import report_import
    from ptrcm.interfaces.emr_import import import_fhir

    with opened(config=config, db=db, org=org, create_db=True) as root:
        result = import_fhir(
            root.unit_of_work, path, quarantine=quarantine, payers=root.config.payers,
            as_of=root.clock.today(),
        )  # fmt: skip
    report_import(path, org, result, fmt)


def csv_command(
    path: Annotated[str, typer.Argument(help="CSV export of the EMR (one row a charge line).")],
    mapping: Annotated[
        str, typer.Option("--mapping", help="Column mapping of this EMR's export (TOML).")
    ],
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="Show the first visits as mapped (and their problems); import nothing.",
        ),
    ] = False,
    rows: Annotated[int, typer.Option("--rows", help="Visits --preview shows.")] = 5,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    quarantine: Quarantine = False,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Import a CSV export with a saved column mapping (docs/interfaces.md).

    Rows with the same visit id are one visit (its service lines). All or nothing (exit 2
    naming the row and column), or --quarantine. --preview maps the first --rows visits
    and prints them as interchange records (with their problems) without opening the
    database.
    """
    from ptrcm.interfaces.csv_read import load_mapping, read_csv_file

    table = load_mapping(mapping)
    if preview:
        from ptrcm.interfaces.csv_read import preview_rows

        shown = preview_rows(read_csv_file(path, table), max(rows, 1))
        if fmt is OutputFormat.json:
            emit_json({"file": path, "mapping": mapping, "visits": shown})
        else:
            from ptrcm.interfaces.csv_read import preview_text

            typer.echo(preview_text(path, shown))
        return
    from ptrcm.commands.import_report import report_import
    from ptrcm.interfaces.emr_import import import_csv

    with opened(config=config, db=db, org=org, create_db=True) as root:
        result = import_csv(
            root.unit_of_work, path, table, quarantine=quarantine, payers=root.config.payers,
            as_of=root.clock.today(),
        )  # fmt: skip
    report_import(path, org, result, fmt)


@listen.command("hl7")
def listen_hl7(
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port).")] = 2575,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Receive HL7 v2 DFT^P03 messages over MLLP; answer each with an ACK.

    Each message is imported on its own: AA stored (or unchanged), AE quarantined with the
    reason in MSA-3/ERR, AR not stored (send again). Prints the port it listens on; stops
    on Ctrl-C or SIGTERM.
    """
    import asyncio
    from functools import partial

    from ptrcm.interfaces.emr_import import answer_message
    from ptrcm.interfaces.mllp import MllpListener

    with opened(config=config, db=db, org=org, create_db=True) as root:
        handle = partial(
            answer_message, root.unit_of_work, payers=root.config.payers, as_of=root.clock.today
        )
        listener = MllpListener(handle, host, port)

        def ready(bound: int) -> None:
            typer.echo(f"listening for HL7 (MLLP) on {host}:{bound}")

        asyncio.run(listener.serve(ready))
        typer.echo(f"stopped after {listener.answered} messages")
