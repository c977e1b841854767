"""`ptrcm charges VISITS.jsonl`: units and charges for every visit, summarised for a biller."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ptrcm.cli_support import OutputFormat, emit_json, opened, out
from ptrcm.commands.options import Config, Fmt


def charges(
    visits_file: Annotated[str, typer.Argument(help="Visit interchange file (JSON Lines).")],
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Build charges (units by each payer's method, modifiers, charges) and summarise them."""
    from ptrcm.services.claims.charge_summary import summarize_charges
    from ptrcm.services.intake.visit_files import read_visits

    with opened(config=config) as root:
        summary = summarize_charges(read_visits(visits_file), root.config, root.catalog)
    if fmt is OutputFormat.json:
        emit_json(summary.to_json())
        return
    data = summary.to_json()
    out.print(
        f"[bold]{summary.visits} visits[/] → {summary.lines} claim lines, {summary.units} units,"
        f" charges ${summary.charges:,.2f}"
    )
    out.print(
        f"{summary.timed_minutes} timed minutes in {summary.timed_units} timed units:"
        f" {data['minutes_per_timed_unit']} minutes per timed unit"
    )
    table = Table(title="By payer")
    for col in ("payer", "visits", "lines", "units", "charges"):
        table.add_column(col, justify="left" if col == "payer" else "right")
    for payer, t in sorted(summary.by_payer.items()):
        table.add_row(payer, str(t.visits), str(t.lines), str(t.units), f"{t.charges:,.2f}")
    out.print(table)
    codes = Table(title="Units by code (top 10)")
    codes.add_column("code")
    codes.add_column("units", justify="right")
    for code, n in summary.units_by_code.most_common(10):
        codes.add_row(code, str(n))
    out.print(codes)
    out.print(
        f"Lines where the EMR's billed units differ from the payer's method:"
        f" [bold]{summary.units_differ}[/] (run `ptrcm scrub` for details)"
    )
    if summary.dropped:
        dropped = ", ".join(f"{c} ×{n}" for c, n in summary.dropped.most_common(5))
        out.print(f"Documented but not billable (zero units): {dropped}")
    out.print(f"Visits where a unit went to one of two tied codes: {summary.ties}")
