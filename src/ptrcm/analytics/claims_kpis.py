"""Claim-quality KPIs: clean claims, first-pass payment, initial denials, denial reasons and
categories, appeal recovery. Definitions in words: docs/kpis.md.

"Adjudicated" means an 835 claim payment with status 1, 2 or 3 (processed) or 4 (denied);
reversals (22) and forwarded claims are not adjudications. A claim's *first adjudication*
is its earliest such claim payment; it is dated by its remittance's payment date (BPR16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, or_, select

from ptrcm.analytics.codes import category_of, description_of, is_denial
from ptrcm.analytics.filters import KpiFilters, Scope, claim_conds
from ptrcm.analytics.sql import count_if, end_of, money_sum, rate, start_of
from ptrcm.store.tables import (
    adjustments,
    appeals,
    claim_payments,
    claim_transitions,
    claims,
    remittance_transactions,
    scrub_runs,
)

ADJUDICATED = ("1", "2", "3", "4")
DENIED_STATUS = "4"
RECOVERED = ("overturned", "partial")
DECIDED = ("overturned", "partial", "upheld")


@dataclass(frozen=True, slots=True)
class Ratio:
    """A count (or amount) over another; ``rate`` is ``None`` when the denominator is 0."""

    numerator: Decimal
    denominator: Decimal
    rate: Decimal | None


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Ratio:
    return Ratio(Decimal(numerator), Decimal(denominator), rate(numerator, denominator))


def clean_claim_rate(scope: Scope, f: KpiFilters) -> Ratio:
    """Claims whose first scrub (run 1, in the period) had no error-severity finding,
    over claims first scrubbed in the period."""
    query = (
        select(func.count(), count_if(scrub_runs.c.errors == 0))
        .select_from(scrub_runs.join(claims, claims.c.id == scrub_runs.c.claim_id))
        .where(
            scrub_runs.c.org_id == scope.org_id,
            scrub_runs.c.run_number == 1,
            scrub_runs.c.scrubbed_at >= start_of(f.start),
            scrub_runs.c.scrubbed_at < end_of(f.end),
            *claim_conds(scope, f),
        )
    )
    total, clean = scope.one(query)
    return ratio(int(clean), int(total))


def first_adjudications(scope: Scope, f: KpiFilters) -> Subquery:
    """One row per claim whose first adjudication is dated in the period."""
    cp, t = claim_payments, remittance_transactions
    earlier = claim_payments.alias("earlier")
    denied_amount = (
        select(func.coalesce(func.sum(adjustments.c.amount), 0))
        .where(
            adjustments.c.org_id == cp.c.org_id,
            adjustments.c.claim_payment_id == cp.c.id,
            is_denial(),
        )
        .scalar_subquery()
    )
    has_denial = exists().where(
        adjustments.c.org_id == cp.c.org_id, adjustments.c.claim_payment_id == cp.c.id, is_denial()
    )
    return (
        select(
            cp.c.id.label("cp_id"),
            cp.c.claim_id,
            cp.c.status_code,
            cp.c.charge_amount,
            cp.c.paid_amount,
            t.c.payment_date,
            claims.c.current_version,
            denied_amount.label("denied_amount"),
            or_(cp.c.status_code == DENIED_STATUS, has_denial).label("denied"),
        )
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).join(claims, claims.c.id == cp.c.claim_id)
        )
        .where(
            cp.c.org_id == scope.org_id,
            cp.c.status_code.in_(ADJUDICATED),
            t.c.payment_date.between(f.start, f.end),
            ~exists().where(
                earlier.c.org_id == cp.c.org_id,
                earlier.c.claim_id == cp.c.claim_id,
                earlier.c.status_code.in_(ADJUDICATED),
                earlier.c.id < cp.c.id,
            ),
            *claim_conds(scope, f),
        )
        .subquery("first_adj")
    )


def _first_pass(fa: Subquery, org_id: int) -> ColumnElement[bool]:
    rejected = exists().where(
        claim_transitions.c.org_id == org_id,
        claim_transitions.c.claim_id == fa.c.claim_id,
        claim_transitions.c.to_state == "rejected",
    )
    return and_(fa.c.denied.is_(False), fa.c.current_version == 1, ~rejected)


@dataclass(frozen=True, slots=True)
class DailyFirstPass:
    day: date
    adjudicated: int
    first_pass: int


def first_pass_by_day(scope: Scope, f: KpiFilters) -> list[DailyFirstPass]:
    """Claims first adjudicated each day, and how many of them passed first time: no
    denial on that adjudication, never rejected by an acknowledgment, never resubmitted
    (still version 1)."""
    fa = first_adjudications(scope, f)
    query = (
        select(fa.c.payment_date, func.count(), count_if(_first_pass(fa, scope.org_id)))
        .group_by(fa.c.payment_date)
        .order_by(fa.c.payment_date)
    )
    return [DailyFirstPass(d, int(n), int(ok)) for d, n, ok in scope.rows(query)]


def first_pass_rate(scope: Scope, f: KpiFilters) -> Ratio:
    days = first_pass_by_day(scope, f)
    return ratio(sum(d.first_pass for d in days), sum(d.adjudicated for d in days))


@dataclass(frozen=True, slots=True)
class DenialRate:
    claims: Ratio  # claims denied (wholly or partly) at first adjudication / adjudicated
    dollars: Ratio  # denied amounts at first adjudication / charges first adjudicated


def initial_denial_rate(scope: Scope, f: KpiFilters) -> DenialRate:
    """Share of claims, and of charge dollars, denied at their first adjudication."""
    fa = first_adjudications(scope, f)
    query = select(
        func.count(),
        count_if(fa.c.denied.is_(True)),
        money_sum(fa.c.charge_amount),
        money_sum(fa.c.denied_amount),
    )
    total, denied, charged, denied_amount = scope.one(query)
    return DenialRate(ratio(int(denied), int(total)), ratio(denied_amount, charged))


@dataclass(frozen=True, slots=True)
class DenialReasonRow:
    carc: str
    category: str
    description: str
    count: int
    amount: Decimal
    written_off_count: int
    written_off_amount: Decimal


def _posted_in(f: KpiFilters) -> Any:
    return remittance_transactions.c.payment_date.between(f.start, f.end)


def denial_reasons(scope: Scope, f: KpiFilters) -> list[DenialReasonRow]:
    """Denial adjustments posted in the period, by CARC: how many, how much, and how much
    of it sits on claims now closed (written off)."""
    cp, t = claim_payments, remittance_transactions
    closed = claims.c.state == "closed"
    query = (
        select(
            adjustments.c.carc,
            func.count(),
            money_sum(adjustments.c.amount),
            count_if(closed),
            money_sum(case((closed, adjustments.c.amount), else_=0)),
        )
        .select_from(
            adjustments.join(
                cp,
                and_(
                    cp.c.id == adjustments.c.claim_payment_id, cp.c.org_id == adjustments.c.org_id
                ),
            )
            .join(t, t.c.id == cp.c.transaction_id)
            .join(claims, claims.c.id == cp.c.claim_id)
        )
        .where(
            adjustments.c.org_id == scope.org_id, is_denial(), _posted_in(f), *claim_conds(scope, f)
        )
        .group_by(adjustments.c.carc)
    )
    return [
        DenialReasonRow(
            carc, category_of(carc).value, description_of(carc), int(n), amt, int(wn), wamt
        )
        for carc, n, amt, wn, wamt in scope.rows(query)
    ]


def top_denial_reasons(
    rows: Sequence[DenialReasonRow], *, by: str, limit: int = 5
) -> list[DenialReasonRow]:
    """The ``limit`` reasons with the most denials (``by="count"``) or dollars
    (``by="amount"``); ties go to the lower CARC so the order is stable."""
    if by == "count":
        return sorted(rows, key=lambda r: (-r.count, -r.amount, r.carc))[:limit]
    return sorted(rows, key=lambda r: (-r.amount, -r.count, r.carc))[:limit]


def charges_adjudicated(scope: Scope, f: KpiFilters) -> Decimal:
    """Charges on every adjudication (claim payment) posted in the period."""
    cp, t = claim_payments, remittance_transactions
    query = (
        select(money_sum(cp.c.charge_amount))
        .select_from(
            cp.join(t, t.c.id == cp.c.transaction_id).join(claims, claims.c.id == cp.c.claim_id)
        )
        .where(
            cp.c.org_id == scope.org_id,
            cp.c.status_code.in_(ADJUDICATED),
            _posted_in(f),
            *claim_conds(scope, f),
        )
    )
    return Decimal(scope.one(query)[0])


@dataclass(frozen=True, slots=True)
class CategoryRate:
    category: str
    denied: Decimal
    written_off: Decimal
    denial_rate: Decimal | None
    write_off_rate: Decimal | None


def category_rates(rows: Sequence[DenialReasonRow], charged: Decimal) -> list[CategoryRate]:
    """Denied and written-off dollars per category over the charges adjudicated."""
    denied: dict[str, Decimal] = {}
    written: dict[str, Decimal] = {}
    for r in rows:
        denied[r.category] = denied.get(r.category, Decimal("0.00")) + r.amount
        written[r.category] = written.get(r.category, Decimal("0.00")) + r.written_off_amount
    return [
        CategoryRate(c, denied[c], written[c], rate(denied[c], charged), rate(written[c], charged))
        for c in sorted(denied, key=lambda c: (-denied[c], c))
    ]


@dataclass(frozen=True, slots=True)
class AppealRecovery:
    decided: int
    recovered: int
    appealed_amount: Decimal
    recovered_amount: Decimal
    count_rate: Decimal | None
    dollar_rate: Decimal | None


def appeal_recovery(scope: Scope, f: KpiFilters) -> AppealRecovery:
    """Appeals decided in the period: the share won (overturned or partly), and the
    dollars recovered over the denied dollars on the appealed claims."""
    cp = claim_payments
    denied_on_claim = (
        select(func.coalesce(func.sum(adjustments.c.amount), 0))
        .select_from(
            adjustments.join(
                cp,
                and_(
                    cp.c.id == adjustments.c.claim_payment_id, cp.c.org_id == adjustments.c.org_id
                ),
            )
        )
        .where(cp.c.org_id == appeals.c.org_id, cp.c.claim_id == appeals.c.claim_id, is_denial())
        .scalar_subquery()
    )
    query = (
        select(
            func.count(),
            count_if(appeals.c.outcome.in_(RECOVERED)),
            money_sum(denied_on_claim),
            money_sum(func.coalesce(appeals.c.recovered_amount, 0)),
        )
        .select_from(appeals.join(claims, claims.c.id == appeals.c.claim_id))
        .where(
            appeals.c.org_id == scope.org_id,
            appeals.c.outcome.in_(DECIDED),
            appeals.c.decided_on.between(f.start, f.end),
            *claim_conds(scope, f),
        )
    )
    decided, won, appealed, recovered = scope.one(query)
    return AppealRecovery(
        int(decided), int(won), appealed, recovered, rate(won, decided), rate(recovered, appealed)
    )
