"""Payer records requests (ADR, audits) and post-payment recoupments, entered by hand and
linked to claims and chart audits, and their KPIs (docs/kpis.md, "Documentation audits").

Reading recoupments from 835 PLB adjustments (WO/FB/72) and reversals is not built yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.domain.chart_audit.stored import (
    RECOUPMENT_SOURCES,
    REQUEST_KINDS,
    REQUEST_OUTCOMES,
    REQUEST_STATUSES,
    RecordsRequest,
    Recoupment,
)
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.chart_audit.ports import ChartAuditUnitOfWork


def _bad(field: str, message: str) -> InputError:
    return InputError([RecordProblem("records-request", None, field, message)])


def log_request(
    uow: ChartAuditUnitOfWork,
    *,
    payer: str,
    kind: str,
    requested_on: date,
    due_on: date,
    claim: str | None = None,
    audit: int | None = None,
    reference: str | None = None,
) -> int:
    if kind not in REQUEST_KINDS:
        raise _bad("kind", f"must be one of {', '.join(REQUEST_KINDS)}")
    if due_on < requested_on:
        raise _bad("due", "is before the request date")
    if audit is not None and uow.chart_audits.get(audit) is None:
        raise _bad("audit", f"no chart audit {audit}")
    new_id = uow.records_requests.add_request(
        RecordsRequest(0, payer, kind, requested_on, due_on, "open", reference, claim, audit)
    )
    uow.commit()
    return new_id


def close_request(
    uow: ChartAuditUnitOfWork, request_id: int, *, status: str, outcome: str | None, on: date
) -> None:
    if status not in REQUEST_STATUSES:
        raise _bad("status", f"must be one of {', '.join(REQUEST_STATUSES)}")
    if outcome is not None and outcome not in REQUEST_OUTCOMES:
        raise _bad("outcome", f"must be one of {', '.join(REQUEST_OUTCOMES)}")
    if status == "closed" and outcome is None:
        raise _bad("outcome", "is required to close a request")
    if not uow.records_requests.close_request(request_id, outcome or "", on, status):
        raise _bad("request", f"no records request {request_id}")
    uow.commit()


def log_recoupment(
    uow: ChartAuditUnitOfWork,
    *,
    payer: str,
    amount: Decimal,
    on: date,
    source: str = "entered",
    claim: str | None = None,
    request: int | None = None,
    reference: str | None = None,
) -> int:
    if source not in RECOUPMENT_SOURCES:
        raise _bad("source", f"must be one of {', '.join(RECOUPMENT_SOURCES)}")
    if amount <= 0:
        raise _bad("amount", "must be more than 0.00")
    if request is not None and all(r.id != request for r in uow.records_requests.requests()):
        raise _bad("request", f"no records request {request}")
    new_id = uow.records_requests.add_recoupment(
        Recoupment(0, payer, amount, on, source, reference, claim, request)
    )
    uow.commit()
    return new_id


@dataclass(frozen=True, slots=True)
class RequestKpis:
    requests_by_payer_month: dict[tuple[str, str], int]  # (payer, YYYY-MM) -> count
    open_requests: int
    overdue_requests: int  # open or sent past their due date
    recoupments: int
    recouped: Decimal


def request_kpis(uow: ChartAuditUnitOfWork, as_of: date) -> RequestKpis:
    requests = uow.records_requests.requests()
    by: Counter[tuple[str, str]] = Counter(
        (r.payer_id, r.requested_on.strftime("%Y-%m")) for r in requests
    )
    money = uow.records_requests.recoupments()
    return RequestKpis(
        dict(sorted(by.items())),
        sum(1 for r in requests if r.status != "closed"),
        sum(1 for r in requests if r.status != "closed" and r.due_on < as_of),
        len(money),
        sum((m.amount for m in money), Decimal("0.00")),
    )
