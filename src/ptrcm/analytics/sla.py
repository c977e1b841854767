"""Turnaround SLAs: charge lag, submission lag and denial follow-up, as median and 90th
percentile in days (nearest rank). Each query counts claims per whole number of days in
SQL; the percentiles are read off that histogram. docs/kpis.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Executable, func, select

from ptrcm.analytics.filters import KpiFilters, Scope, fact_conds, has_place, rollup_conds
from ptrcm.analytics.sql import end_of, nearest_rank, start_of
from ptrcm.store.day_sql import day_diff, utc_day
from ptrcm.store.tables import claim_facts, lag_rollup, patient_inquiries

MEDIAN, P90 = Decimal("0.5"), Decimal("0.9")


@dataclass(frozen=True, slots=True)
class Sla:
    count: int  # events measured
    median_days: int | None
    p90_days: int | None
    pending: int = 0  # started but not finished (denial follow-up only)
    # (days, events) pairs the figures are read from: service-level attainment uses them.
    histogram: tuple[tuple[int, int], ...] = field(default=(), compare=False)


def _sla(scope: Scope, query: Executable, pending: int = 0) -> Sla:
    histogram = [(int(d), int(n)) for d, n in scope.rows(query) if d is not None]
    count = sum(n for _, n in histogram)
    return Sla(
        count,
        nearest_rank(histogram, MEDIAN),
        nearest_rank(histogram, P90),
        pending,
        tuple(sorted(histogram)),
    )


def _rolled_up(scope: Scope, f: KpiFilters, measure: str) -> Sla:
    """A lag from ``lag_rollup`` (claims per UTC day and lag): payer filters only."""
    lr = lag_rollup
    query = (
        select(lr.c.lag, func.sum(lr.c.claims))
        .where(*rollup_conds(scope, f, lr), lr.c.measure == measure)
        .where(lr.c.day.between(f.start, f.end))
        .group_by(lr.c.lag)
    )
    return _sla(scope, query)


def charge_lag(scope: Scope, f: KpiFilters) -> Sla:
    """Days from the first date of service to the claim being built, for claims built in
    the period (read from the claim facts: ``built_at`` is the claim's ``created_at``; from
    their daily rollup unless the filters name a location or therapist)."""
    if not has_place(f):
        return _rolled_up(scope, f, "charge")
    return charge_lag_from_facts(scope, f)


def charge_lag_from_facts(scope: Scope, f: KpiFilters) -> Sla:
    """``charge_lag`` claim by claim, from the claim facts (any filters)."""
    cf = claim_facts
    lag = day_diff(utc_day(cf.c.built_at), cf.c.first_dos).label("d")
    query = (
        select(lag, func.count())
        .where(
            *fact_conds(scope, f),
            cf.c.built_at >= start_of(f.start),
            cf.c.built_at < end_of(f.end),
        )
        .group_by(lag)
    )
    return _sla(scope, query)


def submission_lag(scope: Scope, f: KpiFilters) -> Sla:
    """Days from the claim being built to its first submission (of version 1), for claims
    first submitted in the period (from the daily rollup unless the filters name a
    location or therapist)."""
    if not has_place(f):
        return _rolled_up(scope, f, "submission")
    return submission_lag_from_facts(scope, f)


def submission_lag_from_facts(scope: Scope, f: KpiFilters) -> Sla:
    """``submission_lag`` claim by claim, from the claim facts (any filters)."""
    cf = claim_facts
    lag = day_diff(utc_day(cf.c.first_submitted_at), utc_day(cf.c.built_at)).label("d")
    query = (
        select(lag, func.count())
        .where(
            *fact_conds(scope, f),
            cf.c.first_submitted_at >= start_of(f.start),
            cf.c.first_submitted_at < end_of(f.end),
        )
        .group_by(lag)
    )
    return _sla(scope, query)


def denial_follow_up(scope: Scope, f: KpiFilters) -> Sla:
    """Days from a claim's first denial (posted in the period) to the first follow-up: an
    appeal sent, or the claim corrected or voided. Claims without one yet are pending.

    The claim facts hold both days (``first_denied_on``: the remittance date of the claim's
    first claim payment with status 4 or a denial adjustment; ``followed_up_on``)."""
    cf = claim_facts
    lag = day_diff(cf.c.followed_up_on, cf.c.first_denied_on).label("d")
    query = (
        select(lag, func.count())
        .where(*fact_conds(scope, f), cf.c.first_denied_on.between(f.start, f.end))
        .group_by(lag)
    )
    rows = [(d, int(n)) for d, n in scope.rows(query)]
    pending = sum(n for d, n in rows if d is None)
    histogram = [(int(d), n) for d, n in rows if d is not None]
    count = sum(n for _, n in histogram)
    return Sla(
        count,
        nearest_rank(histogram, MEDIAN),
        nearest_rank(histogram, P90),
        pending,
        tuple(sorted(histogram)),
    )


def patient_inquiry(scope: Scope, f: KpiFilters) -> Sla:
    """Days from a patient's billing inquiry being opened to its answer, for inquiries
    opened in the period; unanswered ones are pending."""
    t = patient_inquiries
    lag = day_diff(utc_day(t.c.answered_at), utc_day(t.c.opened_at)).label("d")
    query = (
        select(lag, func.count())
        .where(t.c.org_id == scope.org_id, t.c.opened_at >= start_of(f.start),
               t.c.opened_at < end_of(f.end))
        .group_by(lag)
    )  # fmt: skip
    rows = [(d, int(n)) for d, n in scope.rows(query)]
    pending = sum(n for d, n in rows if d is None)
    histogram = [(int(d), n) for d, n in rows if d is not None]
    count = sum(n for _, n in histogram)
    return Sla(count, nearest_rank(histogram, MEDIAN), nearest_rank(histogram, P90), pending,
               tuple(sorted(histogram)))  # fmt: skip
