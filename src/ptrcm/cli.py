"""The ``ptrcm`` command line. Exit codes: 0 success, 1 findings to act on, 2 bad input."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from ptrcm import __version__
from ptrcm.cli_support import Method, OutputFormat, emit_json, fail, out, report_error
from ptrcm.errors import PtrcmError

app = typer.Typer(
    name="ptrcm",
    help="Revenue-cycle platform for outpatient rehab therapy (PT, OT, SLP).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"ptrcm {__version__}")
        raise typer.Exit(0)


PAIRS_HELP = (
    "CODE=MINUTES for each service on one date of service, e.g. 97110=33 97140=7"
    " (an untimed code may be given without minutes)."
)
METHOD_HELP = "cms: Medicare total-time method (8-minute rule); ama: per-code method."
FORMAT_HELP = "text for people, json for scripts."


@app.command()
def units(
    pairs: Annotated[list[str], typer.Argument(help=PAIRS_HELP)],
    method: Annotated[Method, typer.Option(help=METHOD_HELP)] = Method.cms,
    explain: Annotated[bool, typer.Option("--explain", help="Show the reasoning.")] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help=FORMAT_HELP)] = OutputFormat.text,
) -> None:
    """Units per code for one date of service, by the payer's counting method."""
    from ptrcm.domain.codes import load_catalog
    from ptrcm.domain.units import UnitMethod, compute_units

    catalog = load_catalog()
    services: list[tuple[str, int | None]] = []
    for pair in pairs:
        code, sep, minutes = pair.partition("=")
        code = code.strip().upper()
        if code not in catalog:
            raise fail(
                f"argument {pair!r}: unknown code {code!r} (not in the therapy code catalog)"
            )
        if not sep:
            if catalog[code].timed:
                raise fail(f"argument {pair!r}: timed code {code} needs minutes, as {code}=MINUTES")
            services.append((code, None))
            continue
        if not minutes.strip().isdigit():
            raise fail(f"argument {pair!r}: minutes must be a whole number ≥ 0")
        services.append((code, int(minutes)))
    result = compute_units(services, UnitMethod(method.value), catalog)
    if fmt is OutputFormat.json:
        data: dict[str, Any] = {
            "method": result.method.value,
            "total_timed_minutes": result.total_timed_minutes,
            "total_timed_units": result.total_units,
            "units": result.units,
            "ties": [
                {"leftover": t.leftover, "codes": list(t.codes), "chosen": list(t.chosen)}
                for t in result.ties
            ],
        }
        if explain:
            data["explanation"] = result.explain()
        emit_json(data)
        return
    table = Table(title=f"{result.total_timed_minutes} timed minutes, method {result.method.value}")
    for col in ("code", "minutes", "units"):
        table.add_column(col, justify="right" if col != "code" else "left")
    for line in result.lines:
        table.add_row(
            line.code, "-" if line.minutes is None else str(line.minutes), str(line.units)
        )
    out.print(table)
    if explain:
        for step in result.explain():
            out.print(f"  • {step}", markup=False)


def _register_commands() -> None:
    """Each command group lives in ptrcm.commands.<name> and exposes ``app`` (and ``GROUP``
    when the group name differs from the module name, as for `import`)."""
    import importlib

    for name in COMMAND_GROUPS:
        module = importlib.import_module(f"ptrcm.commands.{name}")
        app.add_typer(module.app, name=getattr(module, "GROUP", name.replace("_", "-")))


def _register_single_commands() -> None:
    from ptrcm.commands.charges import charges
    from ptrcm.commands.demo import demo
    from ptrcm.commands.scrub import scrub
    from ptrcm.commands.serve import serve

    app.command("charges")(charges)
    app.command("demo")(demo)
    app.command("serve")(serve)
    app.command("scrub")(scrub)


_register_single_commands()


# Command groups registered under `ptrcm <group> ...`; add one name per module.
# Command modules keep heavy imports inside their functions so `ptrcm --help` stays quick.
COMMAND_GROUPS: tuple[str, ...] = (
    "db",
    "importing",
    "x12",
    "rules",
    "synth",
    "report",
    "remit",
    "ack",
    "contracts",
    "appeals",
    "claims",
    "payer",
    "eligibility",
    "schedule",
    "worklist",
    "estimate",
    "plan",
    "statements",
)
_register_commands()


def main() -> None:
    """Console entry point: translates ptrcm errors into exit code 2 and a one-line reason."""
    try:
        app()
    except PtrcmError as exc:
        report_error(str(exc))
        sys.exit(2)


if __name__ == "__main__":
    main()
