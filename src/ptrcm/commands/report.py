"""`ptrcm report kpis`: the KPI set of ARCHITECTURE §6 for a period (docs/kpis.md)."""

from __future__ import annotations

import csv
import sys
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from ptrcm.cli_support import DEFAULT_ORG, emit_json, fail, opened, out, parse_day
from ptrcm.commands.options import Config, Db, Org

app = typer.Typer(help="Reports: KPIs over the store.", no_args_is_help=True)

DEFAULT_DAYS = 90


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
def kpis(
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 90 days back).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (default: today in the clinic).")
    ] = None,
    payer_class: Annotated[str | None, typer.Option("--payer-class")] = None,
    payer: Annotated[str | None, typer.Option("--payer", help="Payer id.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Location id.")] = None,
    therapist: Annotated[str | None, typer.Option("--therapist", help="Therapist NPI.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Every KPI for the period; A/R figures are as of its last day."""
    from ptrcm.analytics import KpiFilters, compute_kpis, report_json
    from ptrcm.analytics.report import headline

    with opened(config=config, db=db, org=org) as root:
        last = parse_day(end, "--to", root.clock.today)
        first = last - timedelta(days=DEFAULT_DAYS - 1)
        if start is not None:
            first = parse_day(start, "--from", root.clock.today)
        if last < first:
            raise fail(f"--to {last} is before --from {first}")
        filters = KpiFilters(first, last, payer_class, payer, location, therapist)
        with root.unit_of_work() as uow:
            report = compute_kpis(uow, filters, last)
    if fmt is ReportFormat.json:
        emit_json(report_json(report))
        return
    lines = headline(report)
    if fmt is ReportFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["kpi", "label", "value"])
        writer.writerows((k, label, "" if v is None else str(v)) for k, label, v in lines)
        return
    table = Table(title=f"KPIs {first} to {last}")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for _key, label, value in lines:
        table.add_row(label, "-" if value is None else str(value))
    out.print(table)


@app.command()
def review(
    month: Annotated[str, typer.Option("--month", help="The month reviewed, YYYY-MM.")],
    out_dir: Annotated[
        str, typer.Option("--out", help="Folder for review-YYYY-MM.html, .pdf and .json.")
    ] = "reviews",
    notes: Annotated[
        str | None, typer.Option("--notes", help="A text file of the team's qualitative notes.")
    ] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """The monthly performance review pack: KPIs against targets, A/R aging trend, denial
    and write-off rates by category, days in A/R by payer class, service levels, top
    issues and the team's notes; every figure is `ptrcm report kpis` for the same month."""
    import json
    from datetime import date
    from pathlib import Path

    from ptrcm.analytics import Scope
    from ptrcm.analytics.review import review_json, review_pack
    from ptrcm.analytics.review_render import render_html, render_pdf

    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise fail(f"--month {month!r}: must be a month YYYY-MM") from None
    text = ""
    if notes is not None:
        try:
            text = Path(notes).read_text("utf-8").strip()
        except (OSError, UnicodeError):
            raise fail(f"--notes {notes}: cannot read the file as UTF-8 text") from None
    with opened(config=config, db=db, org=org) as root:
        settings = root.config
        with root.unit_of_work() as uow:
            pack = review_pack(
                Scope(uow.connection, uow.org_id),
                org,
                first,
                targets=settings.targets_for(org),
                slas=settings.sla,
                engagement_start=settings.engagement_start,
                notes=text,
                costs={key: money.amount for key, money in settings.costs.items()},
            )
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    stem = f"review-{first:%Y-%m}"
    data = review_json(pack)
    (target / f"{stem}.json").write_text(json.dumps(data, indent=2) + "\n")
    (target / f"{stem}.html").write_text(render_html(pack))
    render_pdf(pack, target / f"{stem}.pdf")
    if fmt is ReportFormat.json:
        emit_json(data)
        return
    for line in data["targets"]:
        out.print(
            f"{line['label']}: {line['figure'] or '-'}"
            f" (target {line['target']}, {line['standing']})"
        )
    out.print(f"Review pack: {target / stem}.html, .pdf, .json")
