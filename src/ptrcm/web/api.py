"""The JSON API behind every page: ``/api/...``, each table also as CSV (``?format=csv``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from ptrcm.domain.access import Permission as P
from ptrcm.web import columns as cols
from ptrcm.web.auth import gate, requires
from ptrcm.web.deps import PRINTABLE, checked_day, period, today, web_data
from ptrcm.web.paging import PAGE_SIZE, PageQ, SizeQ, page_count
from ptrcm.web.ports import (
    AgingRow,
    AttendanceCell,
    CashWeek,
    ClaimDetail,
    ClaimLine,
    DaysInArPoint,
    DenialReason,
    EvalMix,
    Leakage,
    PayerRevenue,
    Period,
    Productivity,
    QueueName,
    RatePoint,
    TimelineEvent,
    Underpayment,
    WebData,
)
from ptrcm.web.schemas import (
    Health,
    KpiResponse,
    Listing,
    PeriodModel,
    QueuePage,
    QueueSummary,
)
from ptrcm.web.tables import Column, csv_lines, csv_text

QUEUE_TITLES = {
    QueueName.scrub_errors: "Scrub errors",
    QueueName.rejections: "Rejections",
    QueueName.denials: "Denials to appeal",
    QueueName.underpayments: "Underpayments",
    QueueName.unmatched_remittances: "Unmatched remittances",
}


class Format(StrEnum):
    json = "json"
    csv = "csv"


Data = Annotated[WebData, Depends(web_data)]
ClaimId = Annotated[
    str, Path(min_length=1, max_length=38, pattern=PRINTABLE, description="Claim id (CLM01).")
]
LocationQ = Annotated[
    str | None,
    Query(max_length=64, pattern=PRINTABLE, description="Location id (default: all)."),
]
TherapistQ = Annotated[
    str | None, Query(max_length=64, pattern=PRINTABLE, description="Therapist (default: all).")
]
PeriodQ = Annotated[Period, Depends(period)]
FormatQ = Annotated[Format, Query(alias="format", description="json (default) or csv.")]
CSV_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv"}
}

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such claim in this organization (a foreign one reads the same)"}
}
router = APIRouter(prefix="/api", responses={400: {"description": "Bad query parameter"}})
health = APIRouter()


@health.get("/healthz", response_model=Health, tags=["health"], openapi_extra={"security": []})
def healthz(request: Request) -> Health:
    """Liveness for a load balancer: the app is up and reaches its store. Needs no
    credential, and so tells nothing about any organization."""
    with gate(request).unit_of_work():
        pass
    return Health(status="ok")


def csv_response(rows: Sequence[object], columns: Sequence[Column], name: str) -> Response:
    return Response(
        csv_text(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def csv_stream(rows: Iterable[object], columns: Sequence[Column], name: str) -> Response:
    """A CSV download written as it is read, so a long export is never held in memory."""
    return StreamingResponse(
        csv_lines(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def listing(
    rows: Sequence[object],
    columns: Sequence[Column],
    name: str,
    fmt: Format,
    *,
    span: Period | None = None,
    as_of: date | None = None,
) -> Any:
    """One table as JSON (rows plus the period they cover) or as a CSV download."""
    if fmt is Format.csv:
        return csv_response(rows, columns, name)
    return {
        "period": None if span is None else PeriodModel.of(span),
        "as_of": as_of,
        "rows": list(rows),
    }


@router.get(
    "/dashboard/kpis",
    dependencies=[requires(P.read_dashboard)],
    response_model=KpiResponse,
    tags=["dashboard"],
    responses=CSV_DOC,
)
def kpis(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Headline KPIs for the period, each with its value in the previous period."""
    tiles = data.dashboard.kpi_tiles(span)
    if fmt is Format.csv:
        return csv_response(tiles, cols.KPIS, "kpis")
    return KpiResponse(
        period=PeriodModel.of(span),
        previous_period=PeriodModel.of(span.previous()),
        tiles=list(tiles),
    )


@router.get(
    "/dashboard/ar-aging",
    dependencies=[requires(P.read_dashboard)],
    response_model=Listing[AgingRow],
    tags=["dashboard"],
    responses=CSV_DOC,
)
def ar_aging(
    data: Data,
    day: Annotated[date, Depends(today)],
    fmt: FormatQ = Format.json,
    as_of: Annotated[date | None, Query(description="Aging date (default: today).")] = None,
) -> Any:
    """Open A/R by payer class in the 0-30 … 120+ day buckets."""
    when = checked_day(as_of, "as_of") or day
    return listing(data.dashboard.ar_aging(when), cols.AGING, "ar-aging", fmt, as_of=when)


@router.get(
    "/dashboard/denials",
    dependencies=[requires(P.read_dashboard)],
    response_model=Listing[DenialReason],
    tags=["dashboard"],
    responses=CSV_DOC,
)
def denials(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Denial reasons (CARC) with counts and dollars, largest first (a Pareto)."""
    rows = sorted(data.dashboard.denial_reasons(span), key=lambda r: -r.amount)
    return listing(rows, cols.DENIALS, "denials", fmt, span=span)


@router.get(
    "/dashboard/first-pass",
    dependencies=[requires(P.read_dashboard)],
    response_model=Listing[RatePoint],
    tags=["dashboard"],
    responses=CSV_DOC,
)
def first_pass(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Monthly first-pass payment rate (fraction 0-1) up to the period's end."""
    rows = data.dashboard.first_pass_trend(span)
    return listing(rows, cols.FIRST_PASS, "first-pass", fmt, span=span)


@router.get(
    "/dashboard/cash-visits",
    dependencies=[requires(P.read_dashboard)],
    response_model=Listing[CashWeek],
    tags=["dashboard"],
    responses=CSV_DOC,
)
def cash_visits(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Cash posted and visits seen per week."""
    rows = data.dashboard.cash_and_visits(span)
    return listing(rows, cols.CASH_VISITS, "cash-visits", fmt, span=span)


@router.get(
    "/dashboard/days-in-ar",
    dependencies=[requires(P.read_dashboard)],
    response_model=Listing[DaysInArPoint],
    tags=["dashboard"],
    responses=CSV_DOC,
)
def days_in_ar(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Days in A/R month by month."""
    rows = data.dashboard.days_in_ar_trend(span)
    return listing(rows, cols.DAYS_IN_AR, "days-in-ar", fmt, span=span)


@router.get(
    "/queues",
    dependencies=[requires(P.read_queues)],
    response_model=list[QueueSummary],
    tags=["work queues"],
)
def queues(data: Data) -> list[QueueSummary]:
    """Every work queue with its item count and dollars (the whole queue)."""
    summaries = []
    for name, title in QUEUE_TITLES.items():
        totals = data.queues.queue_totals(name)
        summaries.append(
            QueueSummary(name=name.value, title=title, items=totals.items, amount=totals.amount)
        )
    return summaries


@router.get(
    "/queues/{name}",
    dependencies=[requires(P.read_queues, phi="work_queue", record="name")],
    response_model=QueuePage,
    tags=["work queues"],
    responses=CSV_DOC,
)
def queue(
    data: Data,
    name: QueueName,
    fmt: FormatQ = Format.json,
    page: PageQ = 1,
    size: SizeQ = PAGE_SIZE,
) -> Any:
    """One page of a work queue in working order, with the whole queue's item count and
    dollars; each item names its claim (when matched). ``?format=csv`` exports every item,
    whatever the page."""
    if fmt is Format.csv:
        return csv_stream(data.queues.queue_stream(name), cols.QUEUE, f"queue-{name.value}")
    totals = data.queues.queue_totals(name)
    rows = data.queues.queue(name, (page - 1) * size, size)
    return QueuePage(
        rows=list(rows),
        page=page,
        size=size,
        pages=page_count(totals.items, size),
        total_items=totals.items,
        total_amount=totals.amount,
    )


def _claim_or_404(data: WebData, claim_id: str) -> ClaimDetail:
    claim = data.claims.claim(claim_id)
    if claim is None:
        raise HTTPException(404, f"no claim {claim_id}")  # at most 38 characters (ClaimId)
    return claim


@router.get(
    "/claims/{claim_id}",
    dependencies=[requires(P.read_claims, phi="claims", record="claim_id")],
    response_model=ClaimDetail,
    tags=["claims"],
    responses=NOT_FOUND,
)
def claim(data: Data, claim_id: ClaimId) -> ClaimDetail:
    """A claim with its lines and its timeline from the visit to the last payment."""
    return _claim_or_404(data, claim_id)


@router.get(
    "/claims/{claim_id}/timeline",
    dependencies=[requires(P.read_claims, phi="claims", record="claim_id")],
    response_model=Listing[TimelineEvent],
    tags=["claims"],
    responses=CSV_DOC | NOT_FOUND,
)
def claim_timeline(data: Data, claim_id: ClaimId, fmt: FormatQ = Format.json) -> Any:
    """The claim's events in date order."""
    events = _claim_or_404(data, claim_id).timeline
    return listing(events, cols.TIMELINE, f"claim-{claim_id}-timeline", fmt)


@router.get(
    "/claims/{claim_id}/lines",
    dependencies=[requires(P.read_claims, phi="claims", record="claim_id")],
    response_model=Listing[ClaimLine],
    tags=["claims"],
    responses=CSV_DOC | NOT_FOUND,
)
def claim_lines(data: Data, claim_id: ClaimId, fmt: FormatQ = Format.json) -> Any:
    """The claim's service lines with charge, allowed and paid amounts."""
    lines = _claim_or_404(data, claim_id).lines
    return listing(lines, cols.CLAIM_LINES, f"claim-{claim_id}-lines", fmt)


@router.get(
    "/payers/net-revenue",
    dependencies=[requires(P.read_payers)],
    response_model=Listing[PayerRevenue],
    tags=["payers"],
    responses=CSV_DOC,
)
def net_revenue(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Net revenue and net revenue per visit by payer."""
    return listing(data.payers.net_revenue(span), cols.NET_REVENUE, "net-revenue", fmt, span=span)


@router.get(
    "/payers/underpayments",
    dependencies=[requires(P.read_payers)],
    response_model=Listing[Underpayment],
    tags=["payers"],
    responses=CSV_DOC,
)
def underpayments(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Paid below the contract's expected amount, by payer and code, largest shortfall first."""
    rows = sorted(data.payers.underpayments(span), key=lambda r: -r.short)
    return listing(rows, cols.UNDERPAYMENTS, "underpayments", fmt, span=span)


@router.get(
    "/therapists/eval-mix",
    dependencies=[requires(P.read_therapists)],
    response_model=Listing[EvalMix],
    tags=["therapists"],
    responses=CSV_DOC,
)
def eval_mix(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Evaluation-code mix per therapist against peers; outliers flagged."""
    return listing(data.therapists.eval_mix(span), cols.EVAL_MIX, "eval-mix", fmt, span=span)


@router.get(
    "/therapists/productivity",
    dependencies=[requires(P.read_therapists)],
    response_model=Listing[Productivity],
    tags=["therapists"],
    responses=CSV_DOC,
)
def productivity(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Units per visit and minutes per unit per therapist."""
    rows = data.therapists.productivity(span)
    return listing(rows, cols.PRODUCTIVITY, "productivity", fmt, span=span)


@router.get(
    "/scheduling/attendance",
    dependencies=[requires(P.read_scheduling)],
    response_model=Listing[AttendanceCell],
    tags=["scheduling"],
    responses=CSV_DOC,
)
def attendance(
    data: Data,
    span: PeriodQ,
    fmt: FormatQ = Format.json,
    location: LocationQ = None,
    therapist: TherapistQ = None,
) -> Any:
    """Scheduled, no-show and late-cancel counts by weekday (0 = Monday) and hour."""
    rows = data.scheduling.attendance(span, location or None, therapist or None)
    return listing(rows, cols.ATTENDANCE, "attendance", fmt, span=span)


@router.get(
    "/scheduling/leakage",
    dependencies=[requires(P.read_scheduling)],
    response_model=Listing[Leakage],
    tags=["scheduling"],
    responses=CSV_DOC,
)
def leakage(data: Data, span: PeriodQ, fmt: FormatQ = Format.json) -> Any:
    """Missed appointments and revenue lost by location and therapist."""
    rows = sorted(data.scheduling.leakage(span), key=lambda r: -r.revenue_lost)
    return listing(rows, cols.LEAKAGE, "leakage", fmt, span=span)
