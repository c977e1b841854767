"""`ptrcm schedule check`, `ptrcm worklist`, `ptrcm estimate`, `ptrcm plan record` and
`ptrcm statements ...`: the front end of the cycle from the command line.

Each is its own Typer group, registered in ``ptrcm.cli.COMMAND_GROUPS``. A ``--date`` left
out is today in the clinic's time zone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from ptrcm.store.front_desk_repo import FrontDeskRepository
    from ptrcm.store.repository import UnitOfWork

schedule = typer.Typer(help="Booking checks.", no_args_is_help=True)
worklist = typer.Typer(help="The daily work list.", invoke_without_command=True)
estimate = typer.Typer(help="Patient cost estimates.", invoke_without_command=True)
plan = typer.Typer(help="Plan-of-care events.", no_args_is_help=True)
statements = typer.Typer(help="Patient statements, payments and refunds.", no_args_is_help=True)


def _front_desk(uow: UnitOfWork) -> FrontDeskRepository:
    from ptrcm.store.front_desk_repo import FrontDeskRepository

    return FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)


def _codes(text: str | None) -> dict[str, int] | None:
    from ptrcm.services.front_desk.estimates import parse_codes

    return None if not text else parse_codes(text)


@schedule.command("check")
def schedule_check(
    patient: Annotated[str, typer.Option(help="Patient id.")],
    day: Annotated[str, typer.Option("--date", help="Proposed day (YYYY-MM-DD).")],
    discipline: Annotated[str, typer.Option(help="PT, OT or SLP.")],
    codes: Annotated[str | None, typer.Option(help="Planned codes, as 97110=2,97140=1.")] = None,
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Whether a proposed appointment is covered (the payers' auth_required comes from the
    configuration); exit 1 with the reasons when it is not."""
    from ptrcm.services.front_desk.booking import check_booking, payer_auth_rule

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        rule = payer_auth_rule(root.config)
        on = parse_day(day, "--date", root.clock.today)
        result = check_booking(
            _front_desk(uow), patient, on, discipline.upper(), _codes(codes),
            payer_requires_auth=rule,
        )  # fmt: skip
        record_disclosure(uow, "patients", patient, purpose="booking check")
    if fmt is OutputFormat.json:
        emit_json(result.as_json())
    else:
        out.print("covered" if result.covered else "NOT covered", markup=False)
        for a in result.alerts:
            mark = "must" if a.blocking else "note"
            out.print(f"  [{mark}] {a.reason} (due {a.due}): {a.action}", markup=False)
    if not result.covered:
        raise typer.Exit(1)


@worklist.callback()
def worklist_main(
    location: Annotated[str | None, typer.Option(help="Location id.")] = None,
    role: Annotated[str | None, typer.Option(help="front_desk or therapist.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Day (default today).")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """One list across eligibility, authorizations, caps and plans of care."""
    from ptrcm.services.front_desk.worklist import build_worklist

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        on = parse_day(day, "--date", root.clock.today)
        items = build_worklist(_front_desk(uow), on, location, role)
        record_disclosure(uow, "worklist", on.isoformat(), items=len(items))
    if fmt is OutputFormat.json:
        emit_json([i.as_json() for i in items])
        return
    for i in items:
        out.print(f"{i.due or '-'}  {i.patient}  {i.role}  {i.reason} -> {i.action}", markup=False)
    out.print(f"{len(items)} item(s)")


@estimate.callback()
def estimate_main(
    ctx: typer.Context,
    patient: Annotated[str | None, typer.Option(help="Patient id.")] = None,
    codes: Annotated[str | None, typer.Option(help="97110=2,97140=1")] = None,
    visits: Annotated[int, typer.Option(help="Visits in the plan of care.")] = 1,
    day: Annotated[str | None, typer.Option("--date", help="Date of the visit.")] = None,
    config: Config = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Estimate one visit and a plan of care for a patient (and store the estimate)."""
    if ctx.invoked_subcommand is not None:
        return
    if patient is None or codes is None:
        raise fail("estimate needs --patient and --codes (or the `report` subcommand)")
    from ptrcm.services.front_desk.estimates import estimate_for_patient

    found = _codes(codes) or {}
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        on = parse_day(day, "--date", root.clock.today)
        est = estimate_for_patient(uow, root.config, patient, found, on, visits)
        record_disclosure(uow, "patients", patient, estimate_id=est.estimate_id)
    data = {
        "estimate_id": est.estimate_id, "status": est.status, "allowed": est.allowed.amount,
        "visit": None if est.visit is None else est.visit.patient_cost.amount,
        "visits": visits,
        "plan_low": None if est.plan is None else est.plan.low.patient_cost.amount,
        "plan_high": None if est.plan is None else est.plan.high.patient_cost.amount,
    }  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(data)
        return
    for line in est.explanation:
        out.print(line, markup=False)


@estimate.command("report")
def estimate_report_cmd(
    db: Db = None, org: Org = DEFAULT_ORG, fmt: Fmt = OutputFormat.text
) -> None:
    """Each stored estimate beside what the 835s made the patient owe."""
    from ptrcm.services.front_desk.estimates import estimate_report

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        rows = estimate_report(uow)
        record_disclosure(uow, "patient_estimates", rows=len(rows))
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        actual = "-" if r["actual"] is None else r["actual"]
        variance = "-" if r["variance"] is None else r["variance"]
        estimate = r["status"] if r["estimate"] is None else r["estimate"]
        text = f"{r['patient']} {r['date_of_service']} estimate {estimate}"
        out.print(f"{text} actual {actual} variance {variance}", markup=False)


@plan.command("record")
def plan_record(
    patient: Annotated[str, typer.Option(help="Patient id.")],
    discipline: Annotated[str, typer.Option(help="PT, OT or SLP.")],
    kind: Annotated[str, typer.Option(help="signed, progress_report, re_evaluation, discharge")],
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Record a signature, progress report, re-evaluation or discharge."""
    from ptrcm.services.front_desk.plan_tracking import record_event

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        on = parse_day(day, "--date", root.clock.today)
        record_event(_front_desk(uow), patient, discipline.upper(), kind, on)
        uow.commit()
    out.print(f"{kind} recorded")


@statements.command("generate")
def statements_generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for HTML and PDF files.")],
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """A statement (HTML and PDF) for every patient with a balance."""
    from ptrcm.services.front_desk.statements import generate_all, letterhead_of

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        issued = generate_all(uow, parse_day(day, "--date", root.clock.today), out_dir,
                              letterhead_of(root.config.clinic))  # fmt: skip
        if issued:  # committed with the statements it wrote
            record_disclosure(uow, "statements", action="export", commit=False,
                              statements=len(issued))  # fmt: skip
        uow.commit()
    out.print(f"{len(issued)} statement(s) written to {out_dir}")


@statements.command("pay")
def statements_pay(
    patient: Annotated[str, typer.Option()],
    amount: Annotated[str, typer.Option()],
    method: Annotated[str, typer.Option()] = "card",
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Apply a patient payment to what the patient was billed, oldest first."""
    from ptrcm.services.front_desk.statements import apply_payment

    paid = parse_amount(amount, "--amount")
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        applied = apply_payment(uow, patient, paid, parse_day(day, "--date", root.clock.today),
                                method)  # fmt: skip
        uow.commit()
    for claim, part in applied:
        out.print(f"{part} applied to {claim}")


@statements.command("refund")
def statements_refund(
    patient: Annotated[str, typer.Option()],
    amount: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option()] = "refund",
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Refund a patient (a new ledger entry; payments stay as they were)."""
    from ptrcm.services.front_desk.statements import refund

    refunded = parse_amount(amount, "--amount")
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        refund(uow, patient, refunded, parse_day(day, "--date", root.clock.today), reason)
        uow.commit()
    out.print("refund recorded")


@statements.command("reissue")
def statements_reissue(
    patient: Annotated[str, typer.Option()],
    statement: Annotated[int, typer.Option(help="Statement number to correct.")],
    reason: Annotated[str, typer.Option()],
    out_dir: Annotated[Path | None, typer.Option("--out")] = None,
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """A corrected statement; the one it replaces is kept, marked superseded."""
    from ptrcm.services.front_desk.statements import letterhead_of, reissue_statement

    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        on = parse_day(day, "--date", root.clock.today)
        new = reissue_statement(uow, patient, statement, on, reason, out_dir,
                                letterhead_of(root.config.clinic))  # fmt: skip
        record_disclosure(uow, "statements", str(new.statement_id),
                          action="export" if out_dir else "read")  # fmt: skip
    out.print(f"statement {new.statement_id} replaces {statement}; amount due {new.amount_due}")
