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

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select

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


def _open_on(scope: Scope, as_of: date) -> list[ColumnElement[bool]]:
    settled_later = exists().where(
        claim_transitions.c.org_id == scope.org_id,
        claim_transitions.c.claim_id == claims.c.id,
        claim_transitions.c.to_state.in_(SETTLED),
        claim_transitions.c.occurred_at >= end_of(as_of),
    )
    return [
        claims.c.first_date_of_service <= as_of,
        or_(
            claims.c.state.in_(sorted(OPEN_AR)),
            and_(claims.c.state.in_(SETTLED), settled_later),
        ),
    ]


def ar_aging(scope: Scope, f: KpiFilters, as_of: date) -> list[AgingRow]:
    """Open insurance A/R on ``as_of`` by payer class and age bucket (0-30 ... 120+)."""
    cp, t = claim_payments, remittance_transactions
    posted = and_(cp.c.org_id == claims.c.org_id, cp.c.claim_id == claims.c.id)
    paid = (
        select(func.coalesce(func.sum(cp.c.paid_amount), 0))
        .select_from(cp.join(t, t.c.id == cp.c.transaction_id))
        .where(posted, t.c.payment_date <= as_of)
        .scalar_subquery()
    )
    adjusted = (
        select(func.coalesce(func.sum(adjustments.c.amount), 0))
        .select_from(
            adjustments.join(
                cp,
                and_(
                    cp.c.id == adjustments.c.claim_payment_id, cp.c.org_id == adjustments.c.org_id
                ),
            ).join(t, t.c.id == cp.c.transaction_id)
        )
        .where(posted, t.c.payment_date <= as_of, reduces_payer_balance())
        .scalar_subquery()
    )
    age = day_diff(literal(as_of), claims.c.first_date_of_service)
    bucket = case((age <= 30, 0), (age <= 60, 1), (age <= 90, 2), (age <= 120, 3), else_=4).label(
        "bucket"
    )
    per_claim = (
        select(
            func.coalesce(payers.c.payer_class, "unknown").label("payer_class"),
            bucket,
            (claims.c.total_charge - paid - adjusted).label("balance"),
        )
        .select_from(claims.join(payers, payers.c.id == claims.c.payer_id))
        .where(*claim_conds(scope, f), *_open_on(scope, as_of))
        .subquery("open_claims")
    )
    query = select(
        per_claim.c.payer_class, per_claim.c.bucket, money_sum(per_claim.c.balance)
    ).group_by(per_claim.c.payer_class, per_claim.c.bucket)
    table: dict[str, list[Decimal]] = {}
    for payer_class, index, amount in scope.rows(query):
        table.setdefault(str(payer_class), [ZERO] * 5)[int(index)] += amount
    return [AgingRow(name, (b[0], b[1], b[2], b[3], b[4])) for name, b in sorted(table.items())]


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
    ending = sum((row.total for row in ar_aging(scope, f, as_of)), ZERO)
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
