"""`ptrcm assess REMITS_DIR`: the structured diagnostic of a practice's remittances.

Reads every 835 under REMITS_DIR (and, with --claims, every 837 under that folder), needs
no database, and writes assessment.json, assessment.html and assessment.pdf to --out.
Exit 0 when the report was written, 2 for bad usage or a folder without one readable 835.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, parse_amount, parse_day
from ptrcm.commands.options import AsOf, Fmt

REMITS_HELP = (
    "Folder of the practice's 835 files (read recursively; other files are listed as left out)."
)
CLAIMS_HELP = "Folder of the practice's 837 files: adds A/R aging and days in A/R."
OUT_HELP = "Folder for assessment.json, assessment.html and assessment.pdf."
TARGET_HELP = "Target clean-claim rate for the projection, e.g. 0.95."
COST_HELP = "Cost to rework one denied claim, in dollars (an assumption the report prints)."
FEES_HELP = (
    "A fee schedule CSV (code,allowed) to price paid lines against"
    " (default: Medicare's national PFS)."
)


def assess(
    remits: Annotated[str, typer.Argument(help=REMITS_HELP)],
    claims: Annotated[str | None, typer.Option("--claims", help=CLAIMS_HELP)] = None,
    out_dir: Annotated[str, typer.Option("--out", help=OUT_HELP)] = "assessment",
    as_of: AsOf = None,
    target: Annotated[str, typer.Option("--target", help=TARGET_HELP)] = "0.95",
    rework_cost: Annotated[str, typer.Option("--rework-cost", help=COST_HELP)] = "25.00",
    fee_schedule: Annotated[str | None, typer.Option("--fee-schedule", help=FEES_HELP)] = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Assess a practice's 835s (and 837s): denial rate and reasons, preventable, appealable
    and documentation denials, underpayments, A/R aging, and the effect of cleaner claims.

    Needs no database. States in the report what the files given could not answer.
    """
    from decimal import Decimal, InvalidOperation

    from ptrcm.domain.assessment.figures import Settings
    from ptrcm.domain.fees import parse_fee_schedule
    from ptrcm.domain.money import Money
    from ptrcm.errors import InputError
    from ptrcm.services.assessment.html import render_html
    from ptrcm.services.assessment.pdf import render_pdf
    from ptrcm.services.assessment.report import Inputs, run, to_json

    day = parse_day(as_of, "--as-of", date.today)
    try:
        goal = Decimal(target)
    except InvalidOperation:
        raise fail(f"--target {target!r}: not a rate such as 0.95") from None
    if not Decimal(0) < goal <= Decimal(1):
        raise fail(f"--target {target!r}: must be above 0 and at most 1")
    cost = Money.of(parse_amount(rework_cost, "--rework-cost"))
    schedule = None
    try:
        if fee_schedule is not None:
            path = Path(fee_schedule)
            if not path.is_file():
                raise fail(f"--fee-schedule {fee_schedule}: no such file")
            schedule = parse_fee_schedule(path.read_text("utf-8-sig"), fee_schedule)
        inputs = Inputs(Path(remits), None if claims is None else Path(claims))
        result = run(inputs, Settings(day, goal, cost, schedule))
    except InputError as exc:
        raise fail(str(exc)) from None
    if not any(f.startswith("835 ") for f in result.files):
        raise fail(f"{remits}: no readable 835 file in the folder")
    target_dir = Path(out_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    data = to_json(result)
    (target_dir / "assessment.json").write_text(json.dumps(data, indent=2) + "\n")
    (target_dir / "assessment.html").write_text(render_html(result))
    render_pdf(result, target_dir / "assessment.pdf")
    if fmt is OutputFormat.json:
        emit_json(data)
        return
    fp = data["initial_denial"]
    sys.stdout.write(
        f"{result.answered} answered claims in {len(result.files)} files;"
        f" initial denial rate {fp['rate'] or '—'} ({fp['with_denial']} of {fp['adjudicated']}).\n"
    )
    for c in data["classes"]:
        sys.stdout.write(f"  {c['class']:<13} {c['count']:>6} denials  ${c['dollars']}\n")
    u = data["underpayments"]
    sys.stdout.write(f"  underpaid     {u['count']:>6} lines    ${u['dollars']}\n")
    for note in result.not_computed:
        sys.stdout.write(f"not computed: {note}\n")
    sys.stdout.write(f"Report: {target_dir / 'assessment.html'}, .pdf, .json\n")
