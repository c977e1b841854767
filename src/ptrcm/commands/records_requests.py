"""`ptrcm chart-audit request add|update|list` and `ptrcm chart-audit recoup add|list`:
payer records requests (ADR, audits) with due dates and outcomes, and recoupments, linked
to claims (by PCN) and chart audits. `ptrcm chart-audit requests-kpis` sums them."""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    emit_json,
    opened,
    out,
    parse_amount,
    parse_day,
)  # fmt: skip
from ptrcm.commands.options import Db, Fmt, Org

request = typer.Typer(help="Payer records requests (ADR, audits).", no_args_is_help=True)
recoup = typer.Typer(help="Post-payment recoupments.", no_args_is_help=True)
Day = Annotated[str | None, typer.Option("--date", help="Day (YYYY-MM-DD, default today).")]


@request.command("add")
def request_add(
    payer: Annotated[str, typer.Option(help="Payer id.")],
    due: Annotated[str, typer.Option(help="Due date (YYYY-MM-DD).")],
    kind: Annotated[str, typer.Option(help="adr or audit.")] = "adr",
    day: Day = None,
    claim: Annotated[str | None, typer.Option(help="Claim PCN (CLM01).")] = None,
    audit: Annotated[int | None, typer.Option(help="Chart audit it led to.")] = None,
    reference: Annotated[str | None, typer.Option(help="The payer's reference.")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """Log a records request; prints its number."""
    from ptrcm.services.chart_audit.requests import log_request

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        today = root.clock.today
        new_id = log_request(
            uow, payer=payer, kind=kind, requested_on=parse_day(day, "--date", today),
            due_on=parse_day(due, "--due", today), claim=claim, audit=audit, reference=reference,
        )  # fmt: skip
    out.print(f"records request {new_id}", markup=False)


@request.command("update")
def request_update(
    request_id: Annotated[int, typer.Argument(help="The request's number.")],
    status: Annotated[str, typer.Option(help="open, sent or closed.")] = "closed",
    outcome: Annotated[str | None, typer.Option(help="upheld, partial, overturned, withdrawn.")] = (
        None
    ),
    day: Day = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """Mark a request sent, or close it with its outcome."""
    from ptrcm.services.chart_audit.requests import close_request

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        on = parse_day(day, "--date", root.clock.today)
        close_request(uow, request_id, status=status, outcome=outcome, on=on)
    out.print(f"records request {request_id}: {status}", markup=False)


@request.command("list")
def request_list(db: Db = None, org: Org = DEFAULT_ORG, fmt: Fmt = OutputFormat.text) -> None:
    """Every records request, oldest first."""
    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        rows = uow.records_requests.requests()
    data = [{"id": r.id, "payer": r.payer_id, "kind": r.kind, "requested": str(r.requested_on),
             "due": str(r.due_on), "status": r.status, "outcome": r.outcome, "claim": r.claim_pcn,
             "audit": r.chart_audit_id} for r in rows]  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(data)
        return
    for d in data:
        out.print("  ".join(str(d[k] or "-") for k in d), markup=False)


@recoup.command("add")
def recoup_add(
    payer: Annotated[str, typer.Option(help="Payer id.")],
    amount: Annotated[str, typer.Option(help="Dollars taken back, e.g. 212.40.")],
    day: Day = None,
    source: Annotated[str, typer.Option(help="entered, plb or reversal.")] = "entered",
    claim: Annotated[str | None, typer.Option(help="Claim PCN (CLM01).")] = None,
    request_id: Annotated[int | None, typer.Option("--request", help="Records request.")] = None,
    reference: Annotated[str | None, typer.Option(help="The payer's reference.")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
) -> None:
    """Log a recoupment; prints its number."""
    from ptrcm.services.chart_audit.requests import log_recoupment

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        new_id = log_recoupment(
            uow, payer=payer, amount=parse_amount(amount, "--amount"),
            on=parse_day(day, "--date", root.clock.today), source=source, claim=claim,
            request=request_id, reference=reference,
        )  # fmt: skip
    out.print(f"recoupment {new_id}", markup=False)


@recoup.command("list")
def recoup_list(db: Db = None, org: Org = DEFAULT_ORG, fmt: Fmt = OutputFormat.text) -> None:
    """Every recoupment, oldest first."""
    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        rows = uow.records_requests.recoupments()
    data = [{"id": r.id, "payer": r.payer_id, "amount": str(r.amount), "on": str(r.recouped_on),
             "source": r.source, "claim": r.claim_pcn, "request": r.records_request_id}
            for r in rows]  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(data)
        return
    for d in data:
        out.print("  ".join(str(d[k] or "-") for k in d), markup=False)


def requests_kpis(
    day: Annotated[str | None, typer.Option("--as-of", help="Day (default today).")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Records requests by payer and month, open and overdue; recoupment count and dollars."""
    from ptrcm.services.chart_audit.requests import request_kpis

    with opened(db=db, org=org) as root, root.unit_of_work() as uow:
        k = request_kpis(uow, parse_day(day, "--as-of", root.clock.today))
    data = {
        "requests_by_payer_month": [{"payer": p, "month": m, "requests": n}
                                    for (p, m), n in k.requests_by_payer_month.items()],
        "open_requests": k.open_requests, "overdue_requests": k.overdue_requests,
        "recoupments": k.recoupments, "recouped": str(k.recouped),
    }  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(data)
        return
    for row in data["requests_by_payer_month"]:  # type: ignore[attr-defined]
        out.print(f"{row['payer']}  {row['month']}  {row['requests']}", markup=False)
    out.print(f"open {k.open_requests}, overdue {k.overdue_requests}; recoupments"
              f" {k.recoupments} totalling {k.recouped:,.2f}", markup=False)  # fmt: skip
