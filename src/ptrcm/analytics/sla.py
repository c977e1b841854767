"""Turnaround SLAs: charge lag, submission lag and denial follow-up, as median and 90th
percentile in days (nearest rank). Each query counts claims per whole number of days in
SQL; the percentiles are read off that histogram. docs/kpis.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Executable, exists, func, or_, select

from ptrcm.analytics.filters import KpiFilters, Scope, claim_conds
from ptrcm.analytics.sql import day_diff, end_of, least, nearest_rank, start_of, utc_day
from ptrcm.domain.denials import STATUS_DENIED
from ptrcm.store.adjustment_conditions import is_denial
from ptrcm.store.tables import (
    adjustments,
    appeals,
    claim_payments,
    claim_transitions,
    claim_versions,
    claims,
    patient_inquiries,
    remittance_transactions,
)

MEDIAN, P90 = Decimal("0.5"), Decimal("0.9")
FOLLOW_UP_STATES = ("appealed", "corrected", "voided")


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


def charge_lag(scope: Scope, f: KpiFilters) -> Sla:
    """Days from the first date of service to the claim being built, for claims built in
    the period."""
    lag = day_diff(utc_day(claims.c.created_at), claims.c.first_date_of_service).label("d")
    query = (
        select(lag, func.count())
        .where(
            *claim_conds(scope, f),
            claims.c.created_at >= start_of(f.start),
            claims.c.created_at < end_of(f.end),
        )
        .group_by(lag)
    )
    return _sla(scope, query)


def submission_lag(scope: Scope, f: KpiFilters) -> Sla:
    """Days from the claim being built to its first submission, for claims first
    submitted in the period."""
    v = claim_versions
    lag = day_diff(utc_day(v.c.submitted_at), utc_day(claims.c.created_at)).label("d")
    query = (
        select(lag, func.count())
        .select_from(v.join(claims, claims.c.id == v.c.claim_id))
        .where(
            *claim_conds(scope, f),
            v.c.version_number == 1,
            v.c.submitted_at >= start_of(f.start),
            v.c.submitted_at < end_of(f.end),
        )
        .group_by(lag)
    )
    return _sla(scope, query)


def denial_follow_up(scope: Scope, f: KpiFilters) -> Sla:
    """Days from a claim's first denial (posted in the period) to the first follow-up: an
    appeal sent, or the claim corrected or voided. Claims without one yet are pending."""
    cp, t = claim_payments, remittance_transactions
    earlier = claim_payments.alias("earlier_denial")
    denied = or_(
        cp.c.status_code == STATUS_DENIED,
        exists().where(
            adjustments.c.org_id == cp.c.org_id,
            adjustments.c.claim_payment_id == cp.c.id,
            is_denial(),
        ),
    )
    earlier_denied = or_(
        earlier.c.status_code == STATUS_DENIED,
        exists().where(
            adjustments.c.org_id == earlier.c.org_id,
            adjustments.c.claim_payment_id == earlier.c.id,
            is_denial(),
        ),
    )
    appealed = (
        select(func.min(appeals.c.submitted_on))
        .where(appeals.c.org_id == cp.c.org_id, appeals.c.claim_id == cp.c.claim_id)
        .scalar_subquery()
    )
    moved = (
        select(func.min(utc_day(claim_transitions.c.occurred_at)))
        .where(
            claim_transitions.c.org_id == cp.c.org_id,
            claim_transitions.c.claim_id == cp.c.claim_id,
            claim_transitions.c.to_state.in_(FOLLOW_UP_STATES),
        )
        .scalar_subquery()
    )
    first_denials = (
        select(t.c.payment_date.label("denied_on"), least(appealed, moved).label("followed_on"))
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).join(claims, claims.c.id == cp.c.claim_id)
        )
        .where(
            cp.c.org_id == scope.org_id,
            t.c.payment_date.between(f.start, f.end),
            denied,
            ~exists().where(
                earlier.c.org_id == cp.c.org_id,
                earlier.c.claim_id == cp.c.claim_id,
                earlier.c.id < cp.c.id,
                earlier_denied,
            ),
            *claim_conds(scope, f),
        )
        .subquery("first_denials")
    )
    lag = day_diff(first_denials.c.followed_on, first_denials.c.denied_on).label("d")
    query = select(lag, func.count()).group_by(lag)
    rows = [(d, int(n)) for d, n in scope.rows(query.select_from(first_denials))]
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
