"""The monthly performance review pack of one organization (docs/review-pack.md).

Every figure comes from the KPI functions ``ptrcm report kpis`` uses (``compute_kpis`` for
the month, the same functions for the trends), so the pack and the report agree by
construction; the review-pack test checks it through both commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ptrcm.analytics import ar, sla
from ptrcm.analytics.filters import KpiFilters, Scope
from ptrcm.analytics.report import KpiReport, compute_kpis, headline, report_json
from ptrcm.analytics.shared_figures import SharedFigures
from ptrcm.analytics.sla import Sla
from ptrcm.domain.targets import (
    ServiceLevel,
    Standing,
    Target,
    attainment,
    levels_with,
    targets_with,
)
from ptrcm.store.tables import systemic_events

TREND_MONTHS = 6
MAX_ENGAGEMENT_MONTHS = 24
OVER_90 = ("91-120", "120+")


@dataclass(frozen=True, slots=True)
class TargetLine:
    target: Target
    figure: Decimal | None
    standing: Standing


@dataclass(frozen=True, slots=True)
class SlaLine:
    level: ServiceLevel
    measured: Sla | None  # None: not recorded (no patient-inquiry log yet)
    attainment: Decimal | None


@dataclass(frozen=True, slots=True)
class CostToCollect:
    """The month's revenue-cycle cost (staff, technology, overhead as configured) per visit,
    beside net revenue per visit, and the cost as a share of net revenue."""

    cost: Decimal
    visits: int
    net_revenue: Decimal
    cost_per_visit: Decimal | None
    net_revenue_per_visit: Decimal | None
    cost_share: Decimal | None


def cost_to_collect(report: KpiReport, costs: Mapping[str, Decimal]) -> CostToCollect | None:
    if not costs:
        return None
    total = sum(costs.values(), Decimal("0.00"))
    seen = sum(r.visits for r in report.net_revenue)
    net = sum((r.net_revenue for r in report.net_revenue), Decimal("0.00"))
    per_visit = None if not seen else (total / seen).quantize(Decimal("0.01"))
    share = None if net <= 0 else total / net
    return CostToCollect(total, seen, net, per_visit, report.net_revenue_per_visit, share)


@dataclass(frozen=True, slots=True)
class MonthEvent:
    """A systemic-denial event raised in the month (``ptrcm alerts scan``)."""

    day: date
    kind: str
    payer: str
    reason: str
    severity: str
    status: str
    owner: str
    summary: str


def month_events(scope: Scope, first: date, last: date) -> tuple[MonthEvent, ...]:
    t = systemic_events
    query = (
        select(t.c.detected_on, t.c.kind, t.c.payer, t.c.reason, t.c.severity, t.c.status,
               t.c.owner, t.c.summary)
        .where(t.c.org_id == scope.org_id, t.c.detected_on.between(first, last))
        .order_by(t.c.detected_on, t.c.id)
    )  # fmt: skip
    return tuple(MonthEvent(*row) for row in scope.rows(query))


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: date  # first day
    ar_total: Decimal
    ar_over_90: Decimal
    figures: Mapping[str, Decimal | None]  # the target KPIs that month


@dataclass(frozen=True, slots=True)
class ReviewPack:
    org: str
    month: date
    last: date
    report: KpiReport
    ar_over_90_share: Decimal | None
    days_by_class: tuple[tuple[str, ar.DaysInAr], ...]
    targets: tuple[TargetLine, ...]
    slas: tuple[SlaLine, ...]
    trend: tuple[MonthPoint, ...]  # the last months, oldest first, the review month last
    engagement_start: date | None
    notes: str
    costs: CostToCollect | None = None
    events: tuple[MonthEvent, ...] = ()


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _previous(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def over_90_share(rows: list[ar.AgingRow]) -> tuple[Decimal, Decimal, Decimal | None]:
    index = [ar.BUCKETS.index(b) for b in OVER_90]
    total = sum((r.total for r in rows), Decimal("0.00"))
    over = sum((r.buckets[i] for r in rows for i in index), Decimal("0.00"))
    return total, over, (None if total == 0 else over / total)


def target_figures(
    scope: Scope, f: KpiFilters, figures: SharedFigures | None = None
) -> dict[str, Decimal | None]:
    """The KPIs targets are set on, for one period (A/R figures as of its last day);
    with ``figures``, those another read of the same page computed already are reused."""
    shared = figures if figures is not None else SharedFigures()
    aging = shared.aging(scope, f, f.end)
    return {
        "clean_claim_rate": shared.clean_claim_rate(scope, f).rate,
        "first_pass_rate": shared.first_pass_rate(scope, f).rate,
        "denial_rate_claims": shared.initial_denial_rate(scope, f).claims.rate,
        "days_in_ar": shared.days_in_ar(scope, f, f.end).days,
        "ar_over_90_share": over_90_share(aging)[2],
        "net_collection_rate": shared.net_collection_rate(scope, f).ratio.rate,
    }


def review_pack(
    scope: Scope,
    org: str,
    month: date,
    *,
    targets: Mapping[str, Decimal] | None = None,
    slas: Mapping[str, int] | None = None,
    engagement_start: date | None = None,
    notes: str = "",
    costs: Mapping[str, Decimal] | None = None,
) -> ReviewPack:
    first, last = month_bounds(month)
    filters = KpiFilters(first, last)
    report = compute_kpis(scope, filters, last)
    values = {key: value for key, _label, value in headline(report)}
    _, _, share = over_90_share(report.ar_aging)
    values["ar_over_90_share"] = share
    lines = tuple(
        TargetLine(t, values.get(t.kpi), t.standing(values.get(t.kpi)))
        for t in targets_with(targets or {})
    )
    measured = {
        "charge_entry": report.charge_lag,
        "claim_submission": report.submission_lag,
        "denial_follow_up": report.denial_follow_up,
        "patient_inquiry": sla.patient_inquiry(scope, filters),
    }
    sla_lines = tuple(
        SlaLine(
            level,
            measured.get(level.name),
            None
            if level.name not in measured
            else attainment(measured[level.name].histogram, level.days),
        )
        for level in levels_with(slas or {})
    )
    classes = tuple(
        (
            row.payer_class,
            ar.days_in_ar(scope, KpiFilters(first, last, payer_class=row.payer_class), last),
        )
        for row in report.ar_aging
    )
    months = [first]
    oldest = engagement_start.replace(day=1) if engagement_start else None
    while len(months) < (MAX_ENGAGEMENT_MONTHS if oldest else TREND_MONTHS):
        before = _previous(months[-1])
        if oldest is not None and before < oldest:
            break
        months.append(before)
    trend, shared = [], SharedFigures()
    for start in reversed(months):
        f = KpiFilters(*month_bounds(start))
        total, over, _ = over_90_share(shared.aging(scope, f, f.end))
        trend.append(MonthPoint(start, total, over, target_figures(scope, f, shared)))
    return ReviewPack(
        org,
        first,
        last,
        report,
        share,
        classes,
        lines,
        sla_lines,
        tuple(trend),
        engagement_start,
        notes,
        cost_to_collect(report, costs or {}),
        month_events(scope, first, last),
    )


def review_json(pack: ReviewPack) -> dict[str, Any]:
    def num(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "organization": pack.org,
        "month": pack.month.isoformat()[:7],
        "from": pack.month.isoformat(),
        "to": pack.last.isoformat(),
        "kpis": report_json(pack.report),
        "headline": {key: num(value) for key, _label, value in headline(pack.report)},
        "ar_over_90_share": num(pack.ar_over_90_share),
        "days_in_ar_by_payer_class": {c: num(d.days) for c, d in pack.days_by_class},
        "targets": [
            {
                "kpi": t.target.kpi,
                "label": t.target.label,
                "direction": str(t.target.direction),
                "target": str(t.target.value),
                "figure": num(t.figure),
                "standing": str(t.standing),
                "source": t.target.source,
            }
            for t in pack.targets
        ],
        "slas": [
            {
                "name": s.level.name,
                "days": s.level.days,
                "events": None if s.measured is None else s.measured.count,
                "attainment": num(s.attainment),
            }
            for s in pack.slas
        ],
        "trend": [
            {
                "month": p.month.isoformat()[:7],
                "ar_total": str(p.ar_total),
                "ar_over_90": str(p.ar_over_90),
                "figures": {k: num(v) for k, v in p.figures.items()},
            }
            for p in pack.trend
        ],
        "engagement_start": None
        if pack.engagement_start is None
        else pack.engagement_start.isoformat(),
        "notes": pack.notes,
        "events": [
            {
                "day": e.day.isoformat(),
                "kind": e.kind,
                "payer": e.payer,
                "reason": e.reason,
                "severity": e.severity,
                "status": e.status,
                "owner": e.owner,
                "summary": e.summary,
            }
            for e in pack.events
        ],
        "cost_to_collect": None
        if pack.costs is None
        else {
            "cost": str(pack.costs.cost),
            "visits": pack.costs.visits,
            "net_revenue": str(pack.costs.net_revenue),
            "cost_per_visit": num(pack.costs.cost_per_visit),
            "net_revenue_per_visit": num(pack.costs.net_revenue_per_visit),
            "cost_share": num(pack.costs.cost_share),
        },
    }
