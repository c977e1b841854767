"""`ptrcm eligibility ...`: 270 requests, 271 posting, manual benefits entry."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    emit_json,
    fail,
    opened,
    out,
    parse_amount,
    parse_day,
    record_disclosure,
)  # fmt: skip
from ptrcm.commands.options import Config, Db, Fmt, Org

app = typer.Typer(help="Eligibility and benefits (270/271, manual entry).", no_args_is_help=True)


@app.command()
def request(
    day: Annotated[str, typer.Option("--date", help="First appointment day (YYYY-MM-DD).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the 270 files.")] = Path("."),
    days: Annotated[int, typer.Option(help="How many days of appointments.")] = 1,
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """Write 270 requests (PT AE, OT AD, SLP AF) for the appointments booked on --date."""
    from ptrcm.services.front_desk.eligibility import request_270

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        first = parse_day(day, "--date", root.clock.today)
        files, skipped = request_270(uow, root.config, first, days)
        if files:  # recorded in the transaction of the requests, before a file is written
            record_disclosure(uow, "coverages", action="export", commit=False, files=len(files))
        out_dir.mkdir(parents=True, exist_ok=True)
        for payer, text in files.items():
            (out_dir / f"270_{payer}_{first.isoformat()}.x12").write_text(text, encoding="ascii")
        uow.commit()
    out.print(f"{len(files)} 270 file(s) written to {out_dir}")
    for payer in skipped:
        out.print(f"payer {payer}: no electronic eligibility set up; use `eligibility record`")


@app.command()
def post(
    file: Annotated[Path, typer.Argument(help="A 271 file.")],
    on: Annotated[str | None, typer.Option("--date", help="Verification date.")] = None,
    member: Annotated[
        str | None, typer.Option(help="Coverage for a rejection without member.")
    ] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Post a 271 response as dated benefits snapshots of the coverages it answers."""
    from ptrcm.services.front_desk.eligibility import post_271

    if not file.is_file():
        raise fail(f"{file}: no such file")
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        verified = parse_day(on, "--date", root.clock.today)
        result = post_271(uow, file.read_bytes(), file.name, verified, member)
        uow.commit()
    data = {
        "snapshots": result.snapshots,
        "unmatched": result.unmatched,
        "rejected": result.rejected,
    }
    if fmt is OutputFormat.json:
        emit_json(data)
    else:
        out.print(", ".join(f"{k} {v}" for k, v in data.items()))


@app.command()
def record(
    patient: Annotated[str, typer.Option(help="Patient id.")],
    payer: Annotated[str | None, typer.Option(help="Payer id (default: primary).")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Verification date.")] = None,
    active: Annotated[bool, typer.Option("--active/--inactive")] = True,
    copay: Annotated[str | None, typer.Option()] = None,
    coinsurance: Annotated[str | None, typer.Option(help="20% or 0.20")] = None,
    deductible_remaining: Annotated[str | None, typer.Option()] = None,
    oop_remaining: Annotated[str | None, typer.Option()] = None,
    visit_limit: Annotated[int | None, typer.Option()] = None,
    visits_used: Annotated[int | None, typer.Option()] = None,
    plan_year_start: Annotated[str | None, typer.Option()] = None,
    auth_required: Annotated[bool | None, typer.Option("--auth-required/--no-auth")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Record benefits verified by phone or portal (payers without electronic eligibility)."""
    from ptrcm.services.front_desk.eligibility import coinsurance as rate
    from ptrcm.services.front_desk.eligibility import record_manual

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        fields = {
            "active": active, "copay": _money(copay, "--copay"),
            "coinsurance_rate": rate(coinsurance),
            "deductible_remaining": _money(deductible_remaining, "--deductible-remaining"),
            "oop_remaining": _money(oop_remaining, "--oop-remaining"),
            "visit_limit": visit_limit, "visits_used": visits_used,
            "authorization_required": auth_required,
            "plan_year_start": None if plan_year_start is None
            else parse_day(plan_year_start, "--plan-year-start", root.clock.today),
        }  # fmt: skip
        verified = parse_day(on, "--date", root.clock.today)
        new_id = record_manual(uow, patient, payer, verified, **fields)
        uow.commit()
    out.print(f"benefits snapshot {new_id} recorded")


def _money(text: str | None, option: str) -> Decimal | None:
    return None if text is None else parse_amount(text, option)
