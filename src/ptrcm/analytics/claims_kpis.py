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

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, select

from ptrcm.analytics.filters import (
    KpiFilters,
    Scope,
    claim_conds,
    fact_conds,
    has_place,
    narrows_claims,
    rollup_conds,
)
from ptrcm.analytics.sql import count_if, end_of, money_sum, rate, start_of
from ptrcm.domain.adjustment_codes import category_of, description_of
from ptrcm.store.adjustment_conditions import is_denial
from ptrcm.store.tables import (
    adjudication_rollup,
    adjustments,
    appeals,
    claim_fact_denials,
    claim_facts,
    claim_payments,
    claims,
    denial_rollup,
    remittance_transactions,
)

ADJUDICATED = ("1", "2", "3", "4")
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


def first_scrubbed(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``claim_facts`` of the claims first scrubbed in the period: the clean-claim rate's
    denominator (and, with ``FIRST_SCRUB_CLEAN``, its numerator)."""
    cf = claim_facts
    return [
        *fact_conds(scope, f),
        cf.c.first_scrubbed_at >= start_of(f.start),
        cf.c.first_scrubbed_at < end_of(f.end),
    ]


FIRST_SCRUB_CLEAN = claim_facts.c.first_scrub_clean.is_(True)


def clean_claim_rate(scope: Scope, f: KpiFilters) -> Ratio:
    """Claims whose first scrub (run 1, in the period) had no error-severity finding,
    over claims first scrubbed in the period (from ``claim_facts``)."""
    query = select(func.count(), count_if(FIRST_SCRUB_CLEAN)).where(*first_scrubbed(scope, f))
    total, clean = scope.one(query)
    return ratio(int(clean), int(total))


def first_adjudications(scope: Scope, f: KpiFilters) -> Subquery:
    """One row per claim whose first adjudication is dated in the period, from the claim's
    facts: that claim payment's status, charge and denied amount, whether it denied, and
    whether the claim passed first time."""
    cf = claim_facts
    return (
        select(
            cf.c.claim_id,
            cf.c.first_adj_status.label("status_code"),
            cf.c.first_adj_charge.label("charge_amount"),
            cf.c.first_adjudicated_on.label("payment_date"),
            cf.c.current_version,
            cf.c.first_adj_denied_amount.label("denied_amount"),
            cf.c.first_adj_denied.label("denied"),
            cf.c.first_pass,
            cf.c.charge,
            cf.c.payer_paid_adjudicated,
            cf.c.patient_paid,
            cf.c.contractual,
        )
        .where(*fact_conds(scope, f), cf.c.first_adjudicated_on.between(f.start, f.end))
        .subquery("first_adj")
    )


def first_pass(fa: Subquery) -> ColumnElement[bool]:
    """No denial on the first adjudication, never rejected, never resubmitted (version 1);
    computed into ``claim_facts.first_pass`` when the claim's rows change."""
    return fa.c.first_pass.is_(True)


def first_denied(fa: Subquery) -> ColumnElement[bool]:
    """Denied in whole or in part at the first adjudication (status 4 or a denial)."""
    return fa.c.denied.is_(True)


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
        select(fa.c.payment_date, func.count(), count_if(first_pass(fa)))
        .group_by(fa.c.payment_date)
        .order_by(fa.c.payment_date)
    )
    return [DailyFirstPass(d, int(n), int(ok)) for d, n, ok in scope.rows(query)]


def first_pass_rate(scope: Scope, f: KpiFilters) -> Ratio:
    days = first_pass_by_day(scope, f)
    return ratio(sum(d.first_pass for d in days), sum(d.adjudicated for d in days))


@dataclass(frozen=True, slots=True)
class FirstAdjudicationDay:
    """The claims first adjudicated on one day, summed: what the first-pass, initial denial
    and net collection rates (and the first-pass trend) read, in one pass over them."""

    day: date
    adjudicated: int
    first_pass: int
    denied: int
    charge_amount: Decimal  # charges on those first adjudications
    denied_amount: Decimal  # denied at them
    collected: Decimal  # payer payments (all dates) + patient payments on the claims
    charge: Decimal  # the claims' charges
    contractual: Decimal


def first_adjudication_days(
    scope: Scope, f: KpiFilters, rolled_up: bool = True
) -> list[FirstAdjudicationDay]:
    """Per day of the period, the claims first adjudicated that day (``first_adjudications``)
    with the sums ``first_pass_by_day``, ``initial_denial_rate`` and
    ``ar.net_collection_rate`` take of them: one read instead of three. From the daily
    ``adjudication_rollup`` unless the filters name a location or therapist (or
    ``rolled_up=False``: the facts, to check it)."""
    if rolled_up and not has_place(f):
        ar_ = adjudication_rollup
        sums = [func.sum(ar_.c[name]) for name in ("claims", "first_pass", "denied")]
        money = ("first_adj_charge", "first_adj_denied_amount", "collected", "charge",
                 "contractual")  # fmt: skip
        query = (
            select(ar_.c.first_adjudicated_on, *sums, *(money_sum(ar_.c[m]) for m in money))
            .where(*rollup_conds(scope, f, ar_), ar_.c.first_adjudicated_on.between(f.start, f.end))
            .group_by(ar_.c.first_adjudicated_on)
            .order_by(ar_.c.first_adjudicated_on)
        )
    else:
        fa = first_adjudications(scope, f)
        query = (
            select(
                fa.c.payment_date,
                func.count(),
                count_if(first_pass(fa)),
                count_if(first_denied(fa)),
                money_sum(fa.c.charge_amount),
                money_sum(fa.c.denied_amount),
                money_sum(fa.c.payer_paid_adjudicated + fa.c.patient_paid),
                money_sum(fa.c.charge),
                money_sum(fa.c.contractual),
            )
            .group_by(fa.c.payment_date)
            .order_by(fa.c.payment_date)
        )
    return [
        FirstAdjudicationDay(day, int(n), int(ok), int(denied), *amounts)
        for day, n, ok, denied, *amounts in scope.rows(query)
    ]


def first_pass_days(days: Sequence[FirstAdjudicationDay]) -> list[DailyFirstPass]:
    """``first_pass_by_day`` from ``first_adjudication_days``."""
    return [DailyFirstPass(d.day, d.adjudicated, d.first_pass) for d in days]


def first_pass_rate_of(days: Sequence[FirstAdjudicationDay]) -> Ratio:
    """``first_pass_rate`` from ``first_adjudication_days``."""
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
        count_if(first_denied(fa)),
        money_sum(fa.c.charge_amount),
        money_sum(fa.c.denied_amount),
    )
    total, denied, charged, denied_amount = scope.one(query)
    return DenialRate(ratio(int(denied), int(total)), ratio(denied_amount, charged))


def initial_denial_rate_of(days: Sequence[FirstAdjudicationDay]) -> DenialRate:
    """``initial_denial_rate`` from ``first_adjudication_days``."""
    zero = Decimal("0.00")
    charged = sum((d.charge_amount for d in days), zero)
    denied_amount = sum((d.denied_amount for d in days), zero)
    claims_ = ratio(sum(d.denied for d in days), sum(d.adjudicated for d in days))
    return DenialRate(claims_, ratio(denied_amount, charged))


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


def denials_posted(scope: Scope, f: KpiFilters) -> list[ColumnElement[bool]]:
    """``claim_fact_denials`` rows posted in the period on claims that meet the filters."""
    d, cf = claim_fact_denials, claim_facts
    conds = [d.c.org_id == scope.org_id, d.c.payment_date.between(f.start, f.end)]
    if narrows_claims(f):
        conds.append(d.c.claim_id.in_(select(cf.c.claim_id).where(*fact_conds(scope, f))))
    return conds


def denial_reasons(scope: Scope, f: KpiFilters, rolled_up: bool = True) -> list[DenialReasonRow]:
    """Denial adjustments posted in the period, by CARC: how many, how much, and how much
    of it sits on claims now closed (written off). Read from the daily ``denial_rollup``
    unless the filters name a location or therapist (or ``rolled_up=False``), then from
    ``claim_fact_denials``."""
    if rolled_up and not has_place(f):
        return _denial_reasons_rolled_up(scope, f)
    d, cf = claim_fact_denials, claim_facts
    closed = exists().where(
        cf.c.org_id == d.c.org_id, cf.c.claim_id == d.c.claim_id, cf.c.state == "closed"
    )
    query = (
        select(
            d.c.carc,
            func.coalesce(func.sum(d.c.adjustments), 0),
            money_sum(d.c.amount),
            func.coalesce(func.sum(case((closed, d.c.adjustments), else_=0)), 0),
            money_sum(case((closed, d.c.amount), else_=0)),
        )
        .where(*denials_posted(scope, f))
        .group_by(d.c.carc)
    )
    return [
        DenialReasonRow(
            carc, category_of(carc).value, description_of(carc), int(n), amt, int(wn), wamt
        )
        for carc, n, amt, wn, wamt in scope.rows(query)
    ]


def _denial_reasons_rolled_up(scope: Scope, f: KpiFilters) -> list[DenialReasonRow]:
    dr = denial_rollup
    closed = dr.c.closed.is_(True)
    query = (
        select(
            dr.c.carc,
            func.coalesce(func.sum(dr.c.adjustments), 0),
            money_sum(dr.c.amount),
            func.coalesce(func.sum(case((closed, dr.c.adjustments), else_=0)), 0),
            money_sum(case((closed, dr.c.amount), else_=0)),
        )
        .where(*rollup_conds(scope, f, dr), dr.c.payment_date.between(f.start, f.end))
        .group_by(dr.c.carc)
        .order_by(dr.c.carc)
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
