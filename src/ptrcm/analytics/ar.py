"""Accounts receivable: aging by payer class, days in A/R (and a vendor's DSO), and the
net collection rate. Definitions in words: docs/kpis.md.

A claim is in insurance A/R on a day D when its first date of service is on or before D
and it is open on D: its current state is open (submitted, accepted, partially paid,
denied, appealed), or it is paid or closed now but reached that state after D. Never
billed (built, scrubbed, ready, held), voided and corrected claims are not A/R. Its
balance on D is the charge less what remittances dated on or before D paid and adjusted,
denials excepted: a denied amount stays receivable until it is recovered or the claim
is closed. Age is counted from the first date of service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    case,
    func,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from ptrcm.analytics.claims_kpis import Ratio, first_adjudications, ratio
from ptrcm.analytics.codes import reduces_payer_balance
from ptrcm.analytics.filters import KpiFilters, Scope, fact_conds, narrows_claims
from ptrcm.analytics.sql import DAY_PLACES, end_of, money_sum
from ptrcm.domain.lifecycle import OPEN_AR
from ptrcm.store.tables import (
    adjustments,
    claim_fact_payments,
    claim_facts,
    claim_payments,
    remittance_transactions,
)
from ptrcm.store.types import MoneyType

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")
SETTLED = ("paid", "closed")
NOT_BILLED = ("built", "scrubbed", "ready", "held", "voided", "corrected")
ZERO = Decimal("0.00")
CHARGE_DAYS = 90


@dataclass(frozen=True, slots=True)
class AgingRow:
    payer_class: str
    buckets: tuple[Decimal, Decimal, Decimal, Decimal, Decimal]  # in BUCKETS order

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


def _candidates(scope: Scope, f: KpiFilters, first: date, last: date) -> Subquery:
    """Claim facts that can be open on some day in ``[first, last]``: open now, or
    paid/closed now with the (last) settling transition after ``first``."""
    cf = claim_facts
    head = (
        cf.c.claim_id, func.coalesce(cf.c.payer_class, "unknown").label("payer_class"),
        cf.c.first_dos, cf.c.charge, cf.c.reductions, cf.c.first_reduction_on,
        cf.c.last_reduction_on,
    )  # fmt: skip
    settled_later = select(*head, cf.c.settled_at).where(
        *fact_conds(scope, f),
        cf.c.state.in_(SETTLED),
        cf.c.settled_at >= end_of(first),  # first DOS is tested per day, outside
    )
    open_now = select(*head, null()).where(
        *fact_conds(scope, f), cf.c.state.in_(sorted(OPEN_AR)), cf.c.first_dos <= last
    )
    return union_all(settled_later, open_now).subquery("candidates")


def _reduced_by(
    scope: Scope, claim_id: ColumnElement[Any], first: date | None, last: date
) -> ColumnElement[Any]:
    """What the claim's payments dated in ``[first, last]`` took off the payer balance
    (paid plus non-denial adjustments), summed from the claim payments themselves."""
    cp, t = claim_payments, remittance_transactions
    dated = [t.c.payment_date <= last]
    if first is not None:
        dated.append(t.c.payment_date >= first)
    mine = and_(cp.c.org_id == scope.org_id, cp.c.claim_id == claim_id, *dated)
    paid = (
        select(func.coalesce(func.sum(cp.c.paid_amount), 0))
        .select_from(cp.join(t, t.c.id == cp.c.transaction_id))
        .where(mine)
        .scalar_subquery()
    )
    adjusted = (
        select(func.coalesce(func.sum(adjustments.c.amount), 0))
        .select_from(
            adjustments.join(
                cp, and_(cp.c.id == adjustments.c.claim_payment_id, cp.c.org_id == scope.org_id)
            ).join(t, t.c.id == cp.c.transaction_id)
        )
        .where(mine, adjustments.c.org_id == scope.org_id, reduces_payer_balance())
        .scalar_subquery()
    )
    return paid + adjusted


def _reduced_in(scope: Scope, rows: Any, first: date | None, last: date) -> ColumnElement[Any]:
    """A claim's reductions dated in ``[first, last]`` from its facts: none when its
    payments all fall outside, all of them when they all fall inside, and only for the
    rare claim with payments on both sides the exact sum from its claim payments."""
    outside = [rows.c.first_reduction_on.is_(None), rows.c.first_reduction_on > last]
    inside = [rows.c.last_reduction_on <= last]
    if first is not None:
        outside.append(rows.c.last_reduction_on < first)
        inside.append(rows.c.first_reduction_on >= first)
    return case(
        (or_(*outside), 0),
        (and_(*inside), rows.c.reductions),
        else_=_reduced_by(scope, rows.c.claim_id, first, last),
    )


def ar_aging_on(scope: Scope, f: KpiFilters, days: Sequence[date]) -> dict[date, list[AgingRow]]:
    """Open insurance A/R by payer class and age bucket on each of ``days``, in one pass
    over the candidate claims' facts: each day's open test, age bucket and balance (charge
    less reductions dated on or before the day) are columns of the same aggregate."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    cand = _candidates(scope, f, wanted[0], wanted[-1])
    balances = [
        (cand.c.charge - _reduced_in(scope, cand, None, day)).label(f"balance_{i}")
        for i, day in enumerate(wanted)
    ]
    rows = select(cand, *balances).subquery("balances")
    sums: list[ColumnElement[Any]] = []
    for i, day in enumerate(wanted):
        counted = and_(
            rows.c.first_dos <= day,
            or_(rows.c.settled_at.is_(None), rows.c.settled_at >= end_of(day)),
        )
        amount = type_coerce(rows.c[f"balance_{i}"], MoneyType())
        # Age in days <= n is first DOS >= day - n: the buckets compare dates, not ages.
        oldest = [day - timedelta(days=n) for n in (30, 60, 90, 120)]
        for j in range(len(BUCKETS)):
            in_bucket = [rows.c.first_dos >= oldest[j]] if j < len(oldest) else []
            if j:
                in_bucket.append(rows.c.first_dos < oldest[j - 1])
            sums.append(money_sum(case((and_(counted, *in_bucket), amount), else_=0)))
    query = select(rows.c.payer_class, *sums).group_by(rows.c.payer_class)
    result: dict[date, dict[str, list[Decimal]]] = {day: {} for day in wanted}
    for row in scope.rows(query):
        name, amounts = str(row[0]), list(row[1:])
        for i, day in enumerate(wanted):
            found = amounts[i * len(BUCKETS) : (i + 1) * len(BUCKETS)]
            if any(found):
                result[day][name] = found
    return {
        day: [AgingRow(name, (b[0], b[1], b[2], b[3], b[4])) for name, b in sorted(table.items())]
        for day, table in result.items()
    }


def ar_aging(scope: Scope, f: KpiFilters, as_of: date) -> list[AgingRow]:
    """Open insurance A/R on ``as_of`` by payer class and age bucket (0-30 ... 120+)."""
    return ar_aging_on(scope, f, [as_of])[as_of]


def charges_between(scope: Scope, f: KpiFilters, first: date, last: date) -> Decimal:
    """Charges of billed claims whose first date of service is in ``[first, last]``."""
    cf = claim_facts
    query = select(money_sum(cf.c.charge)).where(
        *fact_conds(scope, f),
        cf.c.first_dos.between(first, last),
        cf.c.state.not_in(("voided", "corrected")),
    )
    return Decimal(scope.one(query)[0])


def reductions_between(scope: Scope, f: KpiFilters, first: date, last: date) -> Decimal:
    """Payer payments plus the adjustments that reduce A/R, posted in ``[first, last]``
    (from ``claim_fact_payments``, per claim and remittance date)."""
    fp, cf = claim_fact_payments, claim_facts
    query = select(money_sum(fp.c.reductions)).where(
        fp.c.org_id == scope.org_id, fp.c.payment_date.between(first, last)
    )
    if narrows_claims(f):
        query = query.where(fp.c.claim_id.in_(select(cf.c.claim_id).where(*fact_conds(scope, f))))
    return Decimal(scope.one(query)[0])


@dataclass(frozen=True, slots=True)
class DaysInAr:
    ending_ar: Decimal
    charges_90_days: Decimal
    days: Decimal | None  # ending A/R / (charges of the last 90 days / 90)
    reductions_90_days: Decimal
    vendor_dso: Decimal | None  # ending A/R / (3-month average of payments + adjustments) * 30


def days_in_ar(scope: Scope, f: KpiFilters, as_of: date) -> DaysInAr:
    """Days in A/R on ``as_of``, and the vendor DSO variant of reference §10."""
    return days_in_ar_from(scope, f, as_of, ar_aging(scope, f, as_of))


def days_in_ar_from(
    scope: Scope, f: KpiFilters, as_of: date, aging: Sequence[AgingRow]
) -> DaysInAr:
    """Days in A/R on ``as_of`` given that day's aging (from ``ar_aging_on``)."""
    ending = sum((row.total for row in aging), ZERO)
    first = as_of - timedelta(days=CHARGE_DAYS - 1)
    charged = charges_between(scope, f, first, as_of)
    reduced = reductions_between(scope, f, first, as_of)
    days = None if not charged else (ending * CHARGE_DAYS / charged).quantize(DAY_PLACES)
    dso = None if not reduced else (ending * 3 * 30 / reduced).quantize(DAY_PLACES)
    return DaysInAr(ending, charged, days, reduced, dso)


@dataclass(frozen=True, slots=True)
class NetCollection:
    collected: Decimal  # payer payments (all dates) + patient payments on the claims
    charges: Decimal
    contractual: Decimal
    ratio: Ratio  # collected / (charges - contractual)


def net_collection_rate(scope: Scope, f: KpiFilters) -> NetCollection:
    """For claims first adjudicated in the period: everything collected on them over what
    was collectible (charges less contractual adjustments), from their facts."""
    fa = first_adjudications(scope, f)
    query = select(
        money_sum(fa.c.payer_paid_adjudicated + fa.c.patient_paid),
        money_sum(fa.c.charge),
        money_sum(fa.c.contractual),
    )
    collected, charged, written = scope.one(query)
    return NetCollection(collected, charged, written, ratio(collected, charged - written))
