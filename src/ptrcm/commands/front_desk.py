"""`ptrcm schedule check`, `ptrcm worklist`, `ptrcm estimate`, `ptrcm plan record` and
`ptrcm statements ...`: the front end of the cycle from the command line.

Each is its own Typer group (registered by name in ``ptrcm.cli.COMMAND_GROUPS`` through
the small modules ``schedule``, ``worklist``, ``estimate``, ``plan`` and ``statements``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ptrcm.cli_support import OutputFormat, emit_json, fail, out, parse_amount
from ptrcm.commands.db import DB_HELP, DEFAULT_ORG, actor, open_store, organization
from ptrcm.commands.eligibility import _day

Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
Org = Annotated[str, typer.Option("--org", help="Organization slug.")]
Fmt = Annotated[OutputFormat, typer.Option("--format")]

schedule = typer.Typer(help="Booking checks.", no_args_is_help=True)
worklist = typer.Typer(help="The daily work list.", invoke_without_command=True)
estimate = typer.Typer(help="Patient cost estimates.", invoke_without_command=True)
plan = typer.Typer(help="Plan-of-care events.", no_args_is_help=True)
statements = typer.Typer(help="Patient statements, payments and refunds.", no_args_is_help=True)


def _codes(text: str | None) -> dict[str, int] | None:
    from ptrcm.services.patient_estimates import parse_codes

    return None if not text else parse_codes(text)


@schedule.command("check")
def schedule_check(
    patient: Annotated[str, typer.Option(help="Patient id.")],
    day: Annotated[str, typer.Option("--date", help="Proposed day (YYYY-MM-DD).")],
    discipline: Annotated[str, typer.Option(help="PT, OT or SLP.")],
    codes: Annotated[str | None, typer.Option(help="Planned codes, as 97110=2,97140=1.")] = None,
    config: Annotated[
        str | None, typer.Option(help="ptrcm.toml: the payers' auth_required (default: built-in).")
    ] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Whether a proposed appointment is covered; exit 1 with the reasons when it is not."""
    from ptrcm.config import load_config
    from ptrcm.services.booking import check_booking, payer_auth_rule

    rule = payer_auth_rule(load_config(config))
    from ptrcm.store.front_desk_repo import FrontDeskRepository

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        repo = FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
        result = check_booking(
            repo,
            patient,
            _day(day, "--date"),
            discipline.upper(),
            _codes(codes),
            payer_requires_auth=rule,
        )
    store.close()
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
    fmt: Fmt = OutputFormat.text,
) -> None:
    """One list across eligibility, authorizations, caps and plans of care."""
    from ptrcm.services.worklist import build_worklist
    from ptrcm.store.front_desk_repo import FrontDeskRepository

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        repo = FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
        items = build_worklist(repo, _day(day, "--date"), location, role)
    store.close()
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
    config: Annotated[str | None, typer.Option(help="ptrcm.toml")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Estimate one visit and a plan of care for a patient (and store the estimate)."""
    if ctx.invoked_subcommand is not None:
        return
    if patient is None or codes is None:
        raise fail("estimate needs --patient and --codes (or the `report` subcommand)")
    from ptrcm.bootstrap import build_context
    from ptrcm.services.patient_estimates import estimate_for_patient

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        cfg = build_context(config).config
        found = _codes(codes) or {}
        est = estimate_for_patient(uow, cfg, patient, found, _day(day, "--date"), visits)
        uow.commit()
    store.close()
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
    from ptrcm.services.patient_estimates import estimate_report

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        rows = estimate_report(uow)
    store.close()
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
) -> None:
    """Record a signature, progress report, re-evaluation or discharge."""
    from ptrcm.services.plan_tracking import record_event
    from ptrcm.store.front_desk_repo import FrontDeskRepository

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        repo = FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
        record_event(repo, patient, discipline.upper(), kind, _day(day, "--date"))
        uow.commit()
    store.close()
    out.print(f"{kind} recorded")


@statements.command("generate")
def statements_generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for HTML and PDF files.")],
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """A statement (HTML and PDF) for every patient with a balance."""
    from ptrcm.services.statements import generate_all

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        issued = generate_all(uow, _day(day, "--date"), out_dir)
        uow.commit()
    store.close()
    out.print(f"{len(issued)} statement(s) written to {out_dir}")


@statements.command("pay")
def statements_pay(
    patient: Annotated[str, typer.Option()],
    amount: Annotated[str, typer.Option()],
    method: Annotated[str, typer.Option()] = "card",
    day: Annotated[str | None, typer.Option("--date")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """Apply a patient payment to what the patient was billed, oldest first."""
    from ptrcm.services.statements import apply_payment

    paid = parse_amount(amount, "--amount")
    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        applied = apply_payment(uow, patient, paid, _day(day, "--date"), method)
        uow.commit()
    store.close()
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
) -> None:
    """Refund a patient (a new ledger entry; payments stay as they were)."""
    from ptrcm.services.statements import refund

    refunded = parse_amount(amount, "--amount")
    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        refund(uow, patient, refunded, _day(day, "--date"), reason)
        uow.commit()
    store.close()
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
) -> None:
    """A corrected statement; the one it replaces is kept, marked superseded."""
    from ptrcm.services.statements import reissue_statement

    store = open_store(db)
    with store.unit_of_work(organization(store, org), actor()) as uow:
        new = reissue_statement(uow, patient, statement, _day(day, "--date"), reason, out_dir)
        uow.commit()
    store.close()
    out.print(f"statement {new.statement_id} replaces {statement}; amount due {new.amount_due}")


def today() -> date:
    return date.today()
