"""The whole KPI set of ARCHITECTURE §6 for one period: ``compute_kpis`` and its JSON form.

The CLI (``ptrcm report kpis``) and the web dashboard both call ``compute_kpis`` or the
per-KPI functions it calls, so the two always show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ptrcm.analytics import ar, claims_kpis, revenue, scheduling, sla
from ptrcm.analytics.filters import KpiFilters, Scope
from ptrcm.store.tables import organizations


class HasConnection(Protocol):
    """A unit of work (or anything else) that offers one organization's connection."""

    @property
    def connection(self) -> Connection: ...

    org_id: int


@dataclass(frozen=True, slots=True)
class KpiReport:
    filters: KpiFilters
    as_of: date
    clean_claim_rate: claims_kpis.Ratio
    first_pass_rate: claims_kpis.Ratio
    initial_denial_rate: claims_kpis.DenialRate
    top_denials_by_count: list[claims_kpis.DenialReasonRow]
    top_denials_by_amount: list[claims_kpis.DenialReasonRow]
    denial_categories: list[claims_kpis.CategoryRate]
    appeal_recovery: claims_kpis.AppealRecovery
    ar_aging: list[ar.AgingRow]
    days_in_ar: ar.DaysInAr
    net_collection: ar.NetCollection
    net_revenue: list[revenue.RevenueRow]
    net_revenue_per_visit: Decimal | None
    underpayments: list[revenue.UnderpaymentRow]
    eval_mix: list[revenue.EvalMixRow]
    attendance: scheduling.AttendanceReport
    charge_lag: sla.Sla
    submission_lag: sla.Sla
    denial_follow_up: sla.Sla


def organization_timezone(scope: Scope) -> str:
    found = scope.conn.execute(
        select(organizations.c.timezone).where(organizations.c.id == scope.org_id)
    ).scalar_one_or_none()
    return str(found or "UTC")


def compute_kpis(source: HasConnection | Scope, filters: KpiFilters, as_of: date) -> KpiReport:
    """Every KPI for ``filters``; A/R figures are as of ``as_of`` (usually the period end)."""
    scope = source if isinstance(source, Scope) else Scope(source.connection, source.org_id)
    reasons = claims_kpis.denial_reasons(scope, filters)
    charged = claims_kpis.charges_adjudicated(scope, filters)
    revenue_rows = revenue.net_revenue_per_visit(scope, filters)
    per_visit = revenue.total_net_revenue_per_visit(revenue_rows)
    aging = ar.ar_aging(scope, filters, as_of)
    return KpiReport(
        filters=filters,
        as_of=as_of,
        clean_claim_rate=claims_kpis.clean_claim_rate(scope, filters),
        first_pass_rate=claims_kpis.first_pass_rate(scope, filters),
        initial_denial_rate=claims_kpis.initial_denial_rate(scope, filters),
        top_denials_by_count=claims_kpis.top_denial_reasons(reasons, by="count"),
        top_denials_by_amount=claims_kpis.top_denial_reasons(reasons, by="amount"),
        denial_categories=claims_kpis.category_rates(reasons, charged),
        appeal_recovery=claims_kpis.appeal_recovery(scope, filters),
        ar_aging=aging,
        days_in_ar=ar.days_in_ar_from(scope, filters, as_of, aging),
        net_collection=ar.net_collection_rate(scope, filters),
        net_revenue=revenue_rows,
        net_revenue_per_visit=per_visit,
        underpayments=revenue.underpayments_by_payer_code(scope, filters),
        eval_mix=revenue.eval_mix(scope, filters),
        attendance=scheduling.attendance(scope, filters, organization_timezone(scope), per_visit),
        charge_lag=sla.charge_lag(scope, filters),
        submission_lag=sla.submission_lag(scope, filters),
        denial_follow_up=sla.denial_follow_up(scope, filters),
    )


def _plain(value: Any) -> Any:
    """JSON-ready: Decimals and dates as strings, tuples as lists, dict keys as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, tuple):
        return ",".join(str(k) for k in key)
    return str(key)


def report_json(report: KpiReport) -> dict[str, Any]:
    """The report as JSON-ready data (``ptrcm report kpis --format json``)."""
    data = _plain(report)
    data["filters"] = report.filters.as_dict()
    data["ar_aging"] = [
        {
            "payer_class": row.payer_class,
            **dict(zip(ar.BUCKETS, map(str, row.buckets), strict=True)),
            "total": str(row.total),
        }
        for row in report.ar_aging
    ]
    return dict(data)


def headline(report: KpiReport) -> list[tuple[str, str, Any]]:
    """One line per KPI for tables and CSV: key, label, value (None when not computable)."""
    days, denial, appeal = report.days_in_ar, report.initial_denial_rate, report.appeal_recovery
    seen, charge, submit, follow = (
        report.attendance.total, report.charge_lag, report.submission_lag, report.denial_follow_up
    )  # fmt: skip
    return [
        ("clean_claim_rate", "Clean-claim rate", report.clean_claim_rate.rate),
        ("first_pass_rate", "First-pass payment rate", report.first_pass_rate.rate),
        ("denial_rate_claims", "Initial denial rate (claims)", denial.claims.rate),
        ("denial_rate_dollars", "Initial denial rate (dollars)", denial.dollars.rate),
        ("appeal_recovery_rate", "Appeal recovery rate (count)", appeal.count_rate),
        ("appeal_recovery_dollars", "Appeal recovery rate (dollars)", appeal.dollar_rate),
        ("ar_total", "A/R total", days.ending_ar),
        ("days_in_ar", "Days in A/R", days.days),
        ("vendor_dso", "DSO (vendor variant)", days.vendor_dso),
        ("net_collection_rate", "Net collection rate", report.net_collection.ratio.rate),
        ("net_revenue_per_visit", "Net revenue per visit", report.net_revenue_per_visit),
        ("no_show_rate", "No-show rate", seen.no_show_rate),
        ("late_cancel_rate", "Late-cancel rate", seen.late_cancel_rate),
        ("revenue_leakage", "Revenue leakage (missed visits)", seen.revenue_lost),
        ("charge_lag_median", "Charge lag median (days)", charge.median_days),
        ("charge_lag_p90", "Charge lag p90 (days)", charge.p90_days),
        ("submission_lag_median", "Submission lag median (days)", submit.median_days),
        ("submission_lag_p90", "Submission lag p90 (days)", submit.p90_days),
        ("denial_follow_up_median", "Denial follow-up median (days)", follow.median_days),
        ("denial_follow_up_p90", "Denial follow-up p90 (days)", follow.p90_days),
    ]  # fmt: skip
