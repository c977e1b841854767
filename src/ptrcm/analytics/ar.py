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
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from ptrcm.analytics.claims_kpis import ADJUDICATED, Ratio, first_adjudications, ratio
from ptrcm.analytics.codes import is_contractual, reduces_payer_balance
from ptrcm.analytics.filters import KpiFilters, Scope, claim_conds
from ptrcm.analytics.sql import DAY_PLACES, day_diff, end_of, money_sum
from ptrcm.domain.lifecycle import OPEN_AR
from ptrcm.store.tables import (
    adjustments,
    claim_payments,
    claim_transitions,
    claims,
    patient_payments,
    payers,
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
    """Claims that can be open on some day in ``[first, last]``: open now, or paid/closed
    now with the (last) settling transition after ``first``. Two index-driven branches."""
    ct, last_ct = claim_transitions, claim_transitions.alias("last_settled")
    settled_since = select(ct.c.claim_id).where(
        ct.c.org_id == scope.org_id,
        ct.c.to_state.in_(SETTLED),
        ct.c.occurred_at >= end_of(first),
    )
    settled_at = (
        select(func.max(last_ct.c.occurred_at))
        .where(
            last_ct.c.org_id == scope.org_id,
            last_ct.c.claim_id == claims.c.id,
            last_ct.c.to_state.in_(SETTLED),
        )
        .scalar_subquery()
    )
    head = (claims.c.id, claims.c.payer_id, claims.c.first_date_of_service, claims.c.total_charge)
    settled_later = select(*head, settled_at.label("settled_at")).where(
        *claim_conds(scope, f),
        claims.c.id.in_(settled_since),
        claims.c.state.in_(SETTLED),
        claims.c.first_date_of_service <= last,
    )
    open_now = select(*head, null()).where(
        *claim_conds(scope, f),
        claims.c.state.in_(sorted(OPEN_AR)),
        claims.c.first_date_of_service <= last,
    )
    return union_all(settled_later, open_now).subquery("candidates")


def _amounts(scope: Scope, cand: Subquery) -> Subquery:
    """Signed amounts per candidate claim: its charge (``payment_date`` null, ``is_charge``
    1), and minus what each of its claim payments took off the payer balance (paid amount
    plus non-denial adjustments), dated by the remittance. Summing these gives balances."""
    cp, t = claim_payments, remittance_transactions
    adjusted = (
        select(func.coalesce(func.sum(adjustments.c.amount), 0))
        .where(
            adjustments.c.org_id == cp.c.org_id,
            adjustments.c.claim_payment_id == cp.c.id,
            reduces_payer_balance(),
        )
        .scalar_subquery()
    )
    head = (cand.c.payer_id, cand.c.first_date_of_service, cand.c.settled_at)
    charges = select(
        *head, literal(1).label("is_charge"), null().label("payment_date"),
        cand.c.total_charge.label("amount"),
    )  # fmt: skip
    reductions = (
        select(*head, literal(0), t.c.payment_date, -(cp.c.paid_amount + adjusted))
        .select_from(
            cand.join(cp, and_(cp.c.org_id == scope.org_id, cp.c.claim_id == cand.c.id)).join(
                t, t.c.id == cp.c.transaction_id
            )
        )
        .where(t.c.payment_date.is_not(None))
    )
    return union_all(charges, reductions).subquery("amounts")


def ar_aging_on(scope: Scope, f: KpiFilters, days: Sequence[date]) -> dict[date, list[AgingRow]]:
    """Open insurance A/R by payer class and age bucket on each of ``days``, in one pass:
    the candidate claims are found once, their payments read once, and each day's open
    test, age bucket and dated reductions are columns of the same aggregate."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    rows = _amounts(scope, _candidates(scope, f, wanted[0], wanted[-1]))
    amount = type_coerce(rows.c.amount, MoneyType())
    sums: list[ColumnElement[Any]] = []
    for day in wanted:
        age = day_diff(literal(day), rows.c.first_date_of_service)
        counted = and_(
            rows.c.first_date_of_service <= day,
            or_(rows.c.settled_at.is_(None), rows.c.settled_at >= end_of(day)),
            or_(rows.c.is_charge == 1, rows.c.payment_date <= day),
        )
        limits = (30, 60, 90, 120)
        for j in range(len(BUCKETS)):
            in_bucket = [age <= limits[j]] if j < len(limits) else []
            if j:
                in_bucket.append(age > limits[j - 1])
            sums.append(money_sum(case((and_(counted, *in_bucket), amount), else_=0)))
    payer_class = func.coalesce(payers.c.payer_class, "unknown")
    query = (
        select(payer_class, *sums)
        .select_from(rows.join(payers, payers.c.id == rows.c.payer_id))
        .group_by(payer_class)
    )
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
    query = select(money_sum(claims.c.total_charge)).where(
        *claim_conds(scope, f),
        claims.c.first_date_of_service.between(first, last),
        claims.c.state.not_in(("voided", "corrected")),
    )
    return Decimal(scope.one(query)[0])


def reductions_between(scope: Scope, f: KpiFilters, first: date, last: date) -> Decimal:
    """Payer payments plus the adjustments that reduce A/R, posted in ``[first, last]``."""
    cp, t = claim_payments, remittance_transactions
    base = cp.join(t, t.c.id == cp.c.transaction_id).join(claims, claims.c.id == cp.c.claim_id)
    paid = select(money_sum(cp.c.paid_amount)).select_from(base)
    adjusted = select(money_sum(adjustments.c.amount)).select_from(
        base.join(
            adjustments,
            and_(adjustments.c.claim_payment_id == cp.c.id, adjustments.c.org_id == cp.c.org_id),
        )
    )
    where = [cp.c.org_id == scope.org_id, t.c.payment_date.between(first, last)]
    where += claim_conds(scope, f)
    total = scope.one(paid.where(*where))[0]
    total += scope.one(adjusted.where(*where, reduces_payer_balance()))[0]
    return Decimal(total)


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
    was collectible (charges less contractual adjustments)."""
    fa = first_adjudications(scope, f)
    cp = claim_payments
    on_claim = and_(cp.c.org_id == scope.org_id, cp.c.claim_id == fa.c.claim_id)
    payer_paid = (
        select(func.coalesce(func.sum(cp.c.paid_amount), 0))
        .where(on_claim, cp.c.status_code.in_((*ADJUDICATED, "22")))
        .scalar_subquery()
    )
    patient_paid = (
        select(func.coalesce(func.sum(patient_payments.c.amount), 0))
        .where(
            patient_payments.c.org_id == scope.org_id,
            patient_payments.c.claim_id == fa.c.claim_id,
        )
        .scalar_subquery()
    )
    contractual = (
        select(func.coalesce(func.sum(adjustments.c.amount), 0))
        .select_from(
            adjustments.join(
                cp,
                and_(
                    cp.c.id == adjustments.c.claim_payment_id, cp.c.org_id == adjustments.c.org_id
                ),
            )
        )
        .where(on_claim, is_contractual())
        .scalar_subquery()
    )
    query = select(
        money_sum(payer_paid + patient_paid),
        money_sum(claims.c.total_charge),
        money_sum(contractual),
    ).select_from(fa.join(claims, claims.c.id == fa.c.claim_id))
    collected, charged, written = scope.one(query)
    return NetCollection(collected, charged, written, ratio(collected, charged - written))
