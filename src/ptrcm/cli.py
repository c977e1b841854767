"""The ``ptrcm`` command line. Exit codes: 0 success, 1 findings to act on, 2 bad usage or
input, 3 an unexpected internal error (a bug; see ``ptrcm.commands.error_log``)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from ptrcm import __version__
from ptrcm.cli_support import Method, OutputFormat, emit_json, fail, out, report_error, set_operator
from ptrcm.commands.options import As, Fmt
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
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
    operator: As = None,
) -> None:
    set_operator(operator)
    if version:
        out.print(f"ptrcm {__version__}")
        raise typer.Exit(0)


PAIRS_HELP = (
    "CODE=MINUTES for each service on one date of service, e.g. 97110=33 97140=7"
    " (an untimed code may be given without minutes)."
)
METHOD_HELP = "cms: Medicare total-time method (8-minute rule); ama: per-code method."


@app.command()
def units(
    pairs: Annotated[list[str], typer.Argument(help=PAIRS_HELP)],
    method: Annotated[Method, typer.Option(help=METHOD_HELP)] = Method.cms,
    explain: Annotated[bool, typer.Option("--explain", help="Show the reasoning.")] = False,
    fmt: Fmt = OutputFormat.text,
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


def _register() -> None:
    """Every command and command group, in one visible list (the order of `ptrcm --help`).

    Command modules import only Typer and ``ptrcm.cli_support`` at module level; their
    heavy imports are inside the functions, so `ptrcm --help` stays quick.
    """
    from ptrcm.commands import (
        access,
        ack,
        alerts,
        appeals,
        audit,
        chart_audit,
        claims,
        clearinghouse,
        closure,
        contracts,
        db,
        eligibility,
        emr,
        front_desk,
        importing,
        inquiries,
        jobs,
        payer,
        queue,
        remit,
        report,
        rules,
        synth,
        x12,
    )  # fmt: skip
    from ptrcm.commands.assess import assess
    from ptrcm.commands.charges import charges
    from ptrcm.commands.demo import demo
    from ptrcm.commands.jobs import worker
    from ptrcm.commands.scrub import scrub
    from ptrcm.commands.serve import serve

    for name, command in (("charges", charges), ("demo", demo), ("serve", serve),
                          ("scrub", scrub), ("assess", assess), ("worker", worker)):  # fmt: skip
        app.command(name)(command)
    groups: tuple[tuple[str, typer.Typer], ...] = (
        ("db", db.app),
        ("import", importing.app),
        ("listen", emr.listen),
        ("x12", x12.app),
        ("rules", rules.app),
        ("synth", synth.app),
        ("report", report.app),
        ("remit", remit.app),
        ("ack", ack.app),
        ("contracts", contracts.app),
        ("appeals", appeals.app),
        ("audit", audit.app),
        ("chart-audit", chart_audit.app),
        ("claims", claims.app),
        ("clearinghouse", clearinghouse.app),
        ("payer", payer.app),
        ("eligibility", eligibility.app),
        ("schedule", front_desk.schedule),
        ("worklist", front_desk.worklist),
        ("estimate", front_desk.estimate),
        ("plan", front_desk.plan),
        ("statements", front_desk.statements),
        ("users", access.users),
        ("tokens", access.tokens),
        ("queue", queue.app),
        ("alerts", alerts.app),
        ("inquiries", inquiries.app),
        ("jobs", jobs.app),
    )
    _ = closure  # registers claims correct|void|write-off|approve|close and appeals sent
    for name, group in groups:
        app.add_typer(group, name=name)


_register()


def command_words(argv: list[str]) -> list[str]:
    """The command and subcommand names at the start of ``argv`` (never its arguments or
    option values, which may name a patient or a file)."""
    words: list[str] = []
    node: Any = typer.main.get_command(app)
    for token in argv:
        commands = getattr(node, "commands", None)
        if not isinstance(commands, dict) or token not in commands:
            break
        words.append(token)
        node = commands[token]
    return words


def main() -> None:
    """Console entry point. A ptrcm error is exit 2 with its one-line reason; an unexpected
    exception (a bug) is exit 3 with one line naming an error id, its details in the error
    log without patient data (``ptrcm.commands.error_log``)."""
    try:
        app()
    except PtrcmError as exc:
        report_error(str(exc))
        sys.exit(2)
    except Exception as exc:  # the last line of defence: no traceback, no PHI on screen
        from ptrcm.commands.error_log import report_internal_error

        sys.exit(report_internal_error(exc, command_words(sys.argv[1:])))


if __name__ == "__main__":
    main()
