"""The claims behind each dashboard figure, by the KPI's own definition.

Every KPI set of ``ptrcm.domain.claim_lists.DRILLS`` is a subquery here of one row per
claim, ``(claim_id, measure, weight)``, built from the very conditions the KPI query uses
(``first_scrubbed``, ``first_adjudications``, ``in_ar_on``/``balance_on``,
``billed_between``, ``payer_cash``/``patient_cash``, ``revenue_claims``,
``denials_posted``): a claim is in the list exactly when the KPI counts it, ``measure`` is
what the KPI sums for it and ``weight`` how many of its counted items it is (visits for
net revenue, denial adjustments for a denial reason, else 1). ``figure`` puts the sets'
totals back together into the dashboard's number, so a test can hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)

from ptrcm.analytics import activity, ar, claims_kpis, revenue
from ptrcm.analytics.filters import KpiFilters, Scope, fact_conds
from ptrcm.analytics.sql import DAY_PLACES, cents, rate
from ptrcm.domain.claim_lists import AGE_BUCKETS, KpiSlice
from ptrcm.errors import InvariantError
from ptrcm.store.tables import (
    claim_fact_denials,
    claim_fact_payments,
    claim_facts,
    patient_payments,
)
from ptrcm.store.types import MoneyType

ONE = literal(1, Integer())


def type_money(expr: ColumnElement[Any]) -> ColumnElement[Decimal]:
    return type_coerce(expr, MoneyType())


def _set(measure: ColumnElement[Any], weight: ColumnElement[Any], *conds: Any) -> Select[Any]:
    cf = claim_facts
    return select(
        cf.c.claim_id, measure.label("measure"), weight.label("weight")
    ).where(*conds)  # fmt: skip


def _scrubbed(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    conds = claims_kpis.first_scrubbed(scope, f)
    if s.part == "clean":
        conds.append(claims_kpis.FIRST_SCRUB_CLEAN)
    return _set(claim_facts.c.charge, ONE, *conds)


def _adjudicated(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    fa = claims_kpis.first_adjudications(scope, f)
    measures: dict[tuple[str, str], ColumnElement[Any]] = {
        ("first_pass_rate", "adjudicated"): fa.c.charge,
        ("first_pass_rate", "first_pass"): fa.c.charge,
        ("denial_rate", "adjudicated"): fa.c.charge_amount,
        ("denial_rate", "denied"): fa.c.denied_amount,
        ("net_collection_rate", "collected"): fa.c.payer_paid_adjudicated + fa.c.patient_paid,
        ("net_collection_rate", "collectible"): fa.c.charge - fa.c.contractual,
    }
    query = select(
        fa.c.claim_id,
        type_money(measures[(s.kpi, s.part)]).label("measure"),
        ONE.label("weight"),
    )
    if s.part == "first_pass":
        query = query.where(claims_kpis.first_pass(fa))
    if s.part == "denied":
        query = query.where(claims_kpis.first_denied(fa))
    return query


def _in_ar(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    cf, day = claim_facts, s.end
    conds = [*fact_conds(scope, f), ar.in_ar_on(cf, day)]
    if s.kpi == "ar_aging":
        conds.append(func.coalesce(cf.c.payer_class, "unknown") == s.payer_class)
        conds.append(ar.bucket_on(cf, day) == AGE_BUCKETS.index(str(s.bucket)))
    return _set(ar.balance_on(cf, day), ONE, *conds)


def _billed(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    first = s.end - timedelta(days=ar.CHARGE_DAYS - 1)
    return _set(claim_facts.c.charge, ONE, *ar.billed_between(scope, f, first, s.end))


def _cash(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    fp, pp = claim_fact_payments, patient_payments
    payer = select(fp.c.claim_id.label("claim_id"), fp.c.paid.label("amount")).where(
        *activity.payer_cash(scope, f)
    )
    joined, received = activity.patient_cash(scope, f)
    patient = (
        select(pp.c.claim_id.label("claim_id"), pp.c.amount.label("amount"))
        .select_from(joined)
        .where(*received)
    )
    money = union_all(payer, patient).subquery("cash")
    return select(
        money.c.claim_id, type_money(func.sum(money.c.amount)).label("measure"),
        ONE.label("weight"),
    ).group_by(money.c.claim_id)  # fmt: skip


def _revenue(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    cf = claim_facts
    paid = (cf.c.payer_paid + cf.c.patient_paid) * cf.c.revenue_visits
    return _set(type_money(paid), cf.c.revenue_visits, *revenue.revenue_claims(scope, f))


def _denials(scope: Scope, s: KpiSlice, f: KpiFilters) -> Select[Any]:
    d = claim_fact_denials
    return (
        select(
            d.c.claim_id,
            type_money(func.sum(d.c.amount)).label("measure"),
            func.sum(d.c.adjustments).label("weight"),
        )
        .where(*claims_kpis.denials_posted(scope, f), d.c.carc == s.carc)
        .group_by(d.c.claim_id)
    )


_SETS: dict[tuple[str, str], Callable[[Scope, KpiSlice, KpiFilters], Select[Any]]] = {
    ("clean_claim_rate", "scrubbed"): _scrubbed,
    ("clean_claim_rate", "clean"): _scrubbed,
    **{(k, p): _adjudicated for k, p in (
        ("first_pass_rate", "adjudicated"), ("first_pass_rate", "first_pass"),
        ("denial_rate", "adjudicated"), ("denial_rate", "denied"),
        ("net_collection_rate", "collected"), ("net_collection_rate", "collectible"))},
    ("days_in_ar", "ar"): _in_ar,
    ("ar_aging", "ar"): _in_ar,
    ("days_in_ar", "charges"): _billed,
    ("cash_collected", "cash"): _cash,
    ("net_revenue_per_visit", "revenue"): _revenue,
    ("denial_reason", "denials"): _denials,
}  # fmt: skip


def has_claim_set(kpi: str, part: str) -> bool:
    return (kpi, part) in _SETS


def drill_set(scope: Scope, s: KpiSlice, f: KpiFilters) -> Subquery:
    """``(claim_id, measure, weight)`` of each claim the KPI counts in ``s`` (``f``: the
    slice's period with any narrowing filters)."""
    build = _SETS.get((s.kpi, s.part))
    if build is None:
        raise InvariantError(f"{s.kpi}/{s.part} lists visits, not claims")
    return build(scope, s, f).subquery("drill")


@dataclass(frozen=True, slots=True)
class PartTotal:
    """One set's totals: its rows, its weights summed, its measures summed."""

    rows: int
    weight: int
    measure: Decimal


def figure(kpi: str, parts: Mapping[str, PartTotal]) -> Decimal | None:
    """The dashboard's number for ``kpi`` from the totals of its sets, the way the KPI
    puts its numerator and denominator together (docs/kpis.md)."""
    p = parts
    if kpi == "clean_claim_rate":
        return rate(p["clean"].weight, p["scrubbed"].weight)
    if kpi == "first_pass_rate":
        return rate(p["first_pass"].weight, p["adjudicated"].weight)
    if kpi == "denial_rate":
        return rate(p["denied"].weight, p["adjudicated"].weight)
    if kpi == "net_collection_rate":
        return rate(p["collected"].measure, p["collectible"].measure)
    if kpi == "days_in_ar":
        charged = p["charges"].measure
        if not charged:
            return None
        return (p["ar"].measure * ar.CHARGE_DAYS / charged).quantize(DAY_PLACES)
    if kpi in ("cash_collected", "ar_aging"):
        return next(iter(p.values())).measure
    if kpi == "visits":
        return Decimal(p["visits"].weight)
    if kpi == "net_revenue_per_visit":
        seen = p["visits"].weight
        return cents(p["revenue"].measure / seen) if seen else None
    if kpi == "denial_reason":
        return p["denials"].measure
    raise InvariantError(f"no figure for KPI {kpi!r}")
