"""Server-rendered pages: each reads its providers, builds charts and tables, renders HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.domain.claim_lists import DRILLS, drilldown
from ptrcm.web import columns as cols
from ptrcm.web import formatting as f
from ptrcm.web import views
from ptrcm.web.actions import claim_actions
from ptrcm.web.api import QUEUE_TITLES, ClaimId, LocationQ, TherapistQ
from ptrcm.web.auth import csrf_token, requires
from ptrcm.web.deps import period, web_data, web_settings
from ptrcm.web.paging import PAGE_SIZE, PageQ, SizeQ, pager
from ptrcm.web.ports import Period, QueueName, WebData
from ptrcm.web.tables import Column, TableView, build_table

NAV = (
    ("dashboard", "/", "Dashboard", P.read_dashboard),
    ("alerts", "/alerts", "Systemic denials", P.read_dashboard),
    ("queues", "/queues", "Work queues", P.read_queues),
    ("connections", "/connections", "Connections", P.read_queues),
    ("jobs", "/jobs", "Background jobs", P.read_queues),
    ("worklist", "/worklist", "Work list", P.read_worklist),
    ("payers", "/payers", "Payers", P.read_payers),
    ("therapists", "/therapists", "Therapists", P.read_therapists),
    ("scheduling", "/scheduling", "Scheduling", P.read_scheduling),
    ("chart-audits", "/chart-audits", "Chart audits", P.read_chart_audits),
    ("admin", "/admin", "Administration", P.manage_users),
    ("audit", "/audit", "Audit trail", P.read_audit),
)

Data = Annotated[WebData, Depends(web_data)]
PeriodQ = Annotated[Period, Depends(period)]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def templates(request: Request) -> Jinja2Templates:
    result: Jinja2Templates = request.app.state.templates
    return result


def render(
    request: Request,
    name: str,
    section: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    who: Principal | None = None,
) -> HTMLResponse:
    """Render a page with the layout's shared context: the navigation the principal's role
    may open, who is signed in and in which organization (with the switch), the CSRF token
    for forms, and the empty-state notice while the organization has nothing stored."""
    principal = who or getattr(request.state, "principal", None)
    data = getattr(request.state, "data", None)
    nav = [n[:3] for n in NAV if principal is not None and principal.can(n[3])]
    base = {
        "nav": nav,
        "section": section,
        "clinic": web_settings(request).clinic_name,
        "empty": data is not None and not data.status.has_data(),
        "query": dict(request.query_params),
        "principal": principal,
        "csrf": csrf_token(request) if principal is not None else None,
    }
    return templates(request).TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )


def table(
    request: Request,
    table_id: str,
    title: str,
    rows: Sequence[object],
    columns: Sequence[Column],
    csv_url: str,
    empty: str = "Nothing here.",
) -> TableView:
    """A sortable table for this page; sort state comes from ``?sort=`` when it names it."""
    query = dict(request.query_params)
    if query.get("table") != table_id:
        query = {k: v for k, v in query.items() if k not in ("sort", "dir", "table")}
    query["table"] = table_id
    return build_table(
        table_id, title, rows, columns,
        page_url=request.url.path, query=query, csv_url=csv_url, empty=empty,
    )  # fmt: skip


STANDING = {"met": "Met", "at_risk": "At risk", "missed": "Missed", "no_data": "No data"}


def _with_period(url: str, span: Period) -> str:
    return f"{url}?from={span.start}&to={span.end}&format=csv"


def tile_link(kpi: str, span: Period) -> str | None:
    """The claims list behind a dashboard tile (the KPI's first set; the page links the
    others), or None for a figure with no claim sets."""
    if kpi not in DRILLS:
        return None
    first = next(iter(drilldown(kpi, span.start, span.end).values()))
    return f"/claims?{urlencode(first.as_params())}"


@router.get("/", dependencies=[requires(P.read_dashboard)])
def dashboard(request: Request, data: Data, span: PeriodQ) -> HTMLResponse:
    board = data.dashboard
    tiles = [(t, f.format_unit(t.value, t.unit), f.trend(t), tile_link(t.key, span))
             for t in board.kpi_tiles(span)]  # fmt: skip
    aging = board.ar_aging(span.end)
    denials = sorted(board.denial_reasons(span), key=lambda r: -r.amount)
    first_pass = board.first_pass_trend(span)
    weeks = board.cash_and_visits(span)
    days = board.days_in_ar_trend(span)
    by_count, by_dollars = views.denial_charts(denials)
    goals = board.goals(span)
    context = {
        "title": "Dashboard",
        "period": span,
        "previous": span.previous(),
        "tiles": tiles,
        "goals": goals,
        "targets": [
            (t, f.format_unit(t.value, t.unit), f.format_unit(t.target, t.unit),
             f.format_unit(t.start, t.unit), STANDING[t.standing])
            for t in goals.targets
        ],
        "levels": [(s, f.percent(s.attainment) if s.attainment is not None else f.MISSING)
                   for s in goals.service_levels],
        "charts": {
            "aging": views.aging_chart(aging),
            "denials_count": by_count,
            "denials_dollars": by_dollars,
            "first_pass": views.first_pass_chart(first_pass),
            "cash_visits": views.cash_visits_chart(weeks),
            "days_in_ar": views.days_in_ar_chart(days),
        },
        "aging": table(
            request, "aging", "A/R aging by payer class", aging, cols.AGING,
            f"/api/dashboard/ar-aging?as_of={span.end}&format=csv",
        ),
        "denials": table(
            request, "denials", "Denial reasons", denials, cols.DENIALS,
            _with_period("/api/dashboard/denials", span),
        ),
        "weeks": table(
            request, "weeks", "Weekly cash and visits", weeks, cols.CASH_VISITS,
            _with_period("/api/dashboard/cash-visits", span),
        ),
    }  # fmt: skip
    return render(request, "dashboard.html", "dashboard", context)


@router.get("/reviews/{month}", dependencies=[requires(P.read_dashboard)])
def review_pack(
    data: Data, month: Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
) -> Response:
    """The month's performance review pack (PDF): KPIs against targets, trends, service
    levels, systemic events; the same as `ptrcm report review --month`."""
    first = date.fromisoformat(f"{month}-01")
    body = data.dashboard.review_pdf(first)
    headers = {"Content-Disposition": f'attachment; filename="review-{month}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


@router.get("/queues", dependencies=[requires(P.read_queues, phi="work_queue")])
def queues(request: Request, data: Data) -> HTMLResponse:
    summaries = []
    for name, title in QUEUE_TITLES.items():
        first = data.queues.queue(name, 0, 5)
        totals = data.queues.queue_totals(name)
        summaries.append((name.value, title, first, f.number(totals.items), f.money(totals.amount)))
    return render(request, "queues.html", "queues", {"title": "Work queues", "queues": summaries})


@router.get(
    "/queues/{name}", dependencies=[requires(P.read_queues, phi="work_queue", record="name")]
)
def queue(
    request: Request, data: Data, name: QueueName, page: PageQ = 1, size: SizeQ = PAGE_SIZE
) -> HTMLResponse:
    totals = data.queues.queue_totals(name)
    query = request.query_params
    # A sort orders the whole queue, so page 1 sorted by amount holds the largest items.
    sort = query.get("sort") if query.get("table") == "queue" else None
    descending = query.get("dir") == "desc"
    items = data.queues.queue(name, (page - 1) * size, size, sort, descending)
    title = QUEUE_TITLES[name]
    view = table(
        request, "queue", title, items, cols.QUEUE,
        f"/api/queues/{name.value}?format=csv", empty="This queue is empty.",
    )  # fmt: skip
    context = {
        "title": title,
        "queue_name": name.value,
        "table": view,
        "pager": pager(request, page, size, len(items), totals),
    }
    return render(request, "queue.html", "queues", context)


@router.get(
    "/claims/{claim_id}", dependencies=[requires(P.read_claims, phi="claims", record="claim_id")]
)
def claim(request: Request, data: Data, claim_id: ClaimId) -> HTMLResponse:
    detail = data.claims.claim(claim_id)
    if detail is None:
        raise HTTPException(404, f"No claim {claim_id}.")
    lines = table(
        request, "lines", "Service lines", detail.lines, cols.CLAIM_LINES,
        f"/api/claims/{claim_id}/lines?format=csv",
    )  # fmt: skip
    context = {
        "title": f"Claim {detail.claim_id}",
        "claim": detail,
        "lines": lines,
        "timeline_csv": f"/api/claims/{claim_id}/timeline?format=csv",
        **claim_actions(request, detail.claim_id),
    }
    return render(request, "claim.html", "queues", context)


@router.get("/payers", dependencies=[requires(P.read_payers)])
def payers(request: Request, data: Data, span: PeriodQ) -> HTMLResponse:
    revenue = data.payers.net_revenue(span)
    under = sorted(data.payers.underpayments(span), key=lambda r: -r.short)
    context = {
        "title": "Payers",
        "period": span,
        "charts": {
            "net_per_visit": views.net_per_visit_chart(revenue),
            "underpaid": views.underpayment_chart(under),
        },
        "revenue": table(
            request, "revenue", "Net revenue per visit", revenue, cols.NET_REVENUE,
            _with_period("/api/payers/net-revenue", span),
        ),
        "under": table(
            request, "under", "Underpayments by code", under, cols.UNDERPAYMENTS,
            _with_period("/api/payers/underpayments", span),
        ),
    }  # fmt: skip
    return render(request, "payers.html", "payers", context)


@router.get("/therapists", dependencies=[requires(P.read_therapists)])
def therapists(request: Request, data: Data, span: PeriodQ) -> HTMLResponse:
    mix = data.therapists.eval_mix(span)
    prod = data.therapists.productivity(span)
    context = {
        "title": "Therapists",
        "period": span,
        "outliers": [m for m in mix if m.outlier],
        "charts": {
            "eval_mix": views.eval_mix_chart(mix),
            "units": views.units_per_visit_chart(prod),
        },
        "mix": table(
            request, "mix", "Evaluation mix against peers", mix, cols.EVAL_MIX,
            _with_period("/api/therapists/eval-mix", span),
        ),
        "prod": table(
            request, "prod", "Units and minutes", prod, cols.PRODUCTIVITY,
            _with_period("/api/therapists/productivity", span),
        ),
    }  # fmt: skip
    return render(request, "therapists.html", "therapists", context)


@router.get("/scheduling", dependencies=[requires(P.read_scheduling)])
def scheduling(
    request: Request,
    data: Data,
    span: PeriodQ,
    location: LocationQ = None,
    therapist: TherapistQ = None,
) -> HTMLResponse:
    sched = data.scheduling
    cells = sched.attendance(span, location or None, therapist or None)
    leak = sorted(sched.leakage(span), key=lambda r: -r.revenue_lost)
    scheduled = sum(c.scheduled for c in cells)
    missed = sum(c.no_shows + c.late_cancels for c in cells)
    # The leakage table lists each location and each therapist, so every missed visit is in
    # it twice; the total comes from the provider, each visit once.
    lost = sched.revenue_lost(span)
    context = {
        "title": "Scheduling",
        "period": span,
        "locations": sched.locations(),
        "therapists": sched.therapists(),
        "location": location or "",
        "therapist": therapist or "",
        "heatmap": views.attendance_heatmap(cells),
        "missed_rate": f.percent(Decimal(missed) / scheduled if scheduled else None),
        "scheduled": f.number(scheduled),
        "lost": f.money(lost),
        "leak": table(
            request, "leak", "Revenue lost to missed visits", leak, cols.LEAKAGE,
            _with_period("/api/scheduling/leakage", span),
        ),
    }  # fmt: skip
    return render(request, "scheduling.html", "scheduling", context)
