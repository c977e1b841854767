"""Accounts receivable: aging by payer class, days in A/R (and a vendor's DSO), and the
net collection rate. Definitions in words: docs/kpis.md.

A claim is in insurance A/R on a day D when its first date of service is on or before D
and it is open on D: its current state is open (submitted, accepted, partially paid,
denied, appealed), or it is paid or closed now but reached that state after D. Never
billed (built, scrubbed, ready, held), voided and corrected claims are not A/R. Its
balance on D is the charge less what remittances dated on or before D paid and adjusted,
denials excepted: a denied amount stays receivable until it is recovered or the claim
is closed. Age is counted from the first date of service.

The aging of a day and the charges and reductions behind days in A/R read the A/R rollup
(``ptrcm.store.fact_rollups``: the same facts summed by payer, first DOS and the day each
claim leaves A/R); filters by location or therapist read the facts claim by claim.
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

from ptrcm.analytics.claims_kpis import FirstAdjudicationDay, Ratio, first_adjudications, ratio
from ptrcm.analytics.filters import (
    KpiFilters,
    Scope,
    fact_conds,
    has_place,
    narrows_claims,
    rollup_conds,
)
from ptrcm.analytics.sql import DAY_PLACES, end_of, money_sum
from ptrcm.domain.lifecycle import OPEN_AR
from ptrcm.store.tables import (
    ar_rollup_charges,
    ar_rollup_reductions,
    claim_fact_payments,
    claim_facts,
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


def bucket_on(cf: Any, day: date) -> ColumnElement[Any]:
    """The claim's age bucket (index into ``BUCKETS``) on ``day``, or NULL when it is not
    in A/R that day (first DOS later, or paid/closed by then). Age in days <= n is first
    DOS >= day - n, so the buckets compare dates."""
    gone = and_(cf.c.state.in_(SETTLED), cf.c.settled_at < end_of(day))
    oldest = [day - timedelta(days=n) for n in (30, 60, 90, 120)]
    return case(
        (or_(cf.c.first_dos > day, gone), null()),
        *((cf.c.first_dos >= limit, j) for j, limit in enumerate(oldest)),
        else_=len(oldest),
    )


def in_ar_on(cf: Any, day: date) -> ColumnElement[bool]:
    """Whether the claim is in A/R on ``day``, per claim: the candidates of ``_candidates``
    (open now, or settled after the day) whose ``bucket_on`` the day is not NULL."""
    settled_later = and_(cf.c.state.in_(SETTLED), cf.c.settled_at >= end_of(day))
    return and_(
        or_(cf.c.state.in_(sorted(OPEN_AR)), settled_later), bucket_on(cf, day).is_not(None)
    )


def balance_on(cf: Any, day: date) -> ColumnElement[Any]:
    """The claim's A/R balance on ``day``, per claim: its charge less the reductions
    (payments and non-denial adjustments) of remittances dated on or before the day. The
    aging sums the same amount in two steps (``_balance_on``, ``_later_reductions``)."""
    fp = claim_fact_payments
    reduced = (
        select(func.coalesce(func.sum(fp.c.reductions), 0))
        .where(fp.c.org_id == cf.c.org_id, fp.c.claim_id == cf.c.claim_id, fp.c.payment_date <= day)
        .scalar_subquery()
    )
    return type_coerce(cf.c.charge - reduced, MoneyType())


def _balance_on(cf: Any, day: date) -> ColumnElement[Any]:
    """Charge less the reductions dated up to ``day``, when the claim's payments fall all
    after it or all before it; a claim with payments on both sides counts all of them
    here, and ``_later_reductions`` adds back those dated after the day."""
    before = or_(cf.c.first_reduction_on.is_(None), cf.c.first_reduction_on > day)
    balance: ColumnElement[Any] = cf.c.charge - case((before, 0), else_=cf.c.reductions)
    return balance


def _candidates(scope: Scope, f: KpiFilters, days: Sequence[date]) -> Subquery:
    """Claim facts that can be open on one of ``days`` (sorted): open now, or paid/closed
    now with the (last) settling transition after the first day; with each day's bucket
    and balance computed once per claim."""
    cf = claim_facts
    columns = [func.coalesce(cf.c.payer_class, "unknown").label("payer_class")]
    for i, day in enumerate(days):
        columns += [
            bucket_on(cf, day).label(f"bucket_{i}"),
            _balance_on(cf, day).label(f"balance_{i}"),
        ]
    settled_later = select(*columns).where(
        *fact_conds(scope, f),
        cf.c.state.in_(SETTLED),
        cf.c.settled_at >= end_of(days[0]),  # first DOS is tested per day, in the bucket
    )
    open_now = select(*columns).where(
        *fact_conds(scope, f), cf.c.state.in_(sorted(OPEN_AR)), cf.c.first_dos <= days[-1]
    )
    return union_all(settled_later, open_now).subquery("candidates")


def _later_reductions(scope: Scope, f: KpiFilters, day: date) -> list[Any]:
    """(payer class, bucket, amount) of reductions dated after ``day`` on claims open that
    day whose payments fall on both sides of it (the rare case ``_balance_on`` leaves)."""
    cf, fp = claim_facts, claim_fact_payments
    later = (
        select(func.coalesce(func.sum(fp.c.reductions), 0))
        .where(fp.c.org_id == cf.c.org_id, fp.c.claim_id == cf.c.claim_id, fp.c.payment_date > day)
        .scalar_subquery()
    )
    rows = (
        select(
            func.coalesce(cf.c.payer_class, "unknown").label("payer_class"),
            bucket_on(cf, day).label("bucket"),
            later.label("reductions"),
        )
        .where(
            *fact_conds(scope, f),
            cf.c.last_reduction_on > day,
            cf.c.first_reduction_on <= day,
            cf.c.state.in_([*SETTLED, *sorted(OPEN_AR)]),
        )
        .subquery("later")
    )
    query = select(rows.c.payer_class, rows.c.bucket, money_sum(rows.c.reductions)).group_by(
        rows.c.payer_class, rows.c.bucket
    )
    return [row for row in scope.rows(query) if row[1] is not None]


def ar_aging_on(scope: Scope, f: KpiFilters, days: Sequence[date]) -> dict[date, list[AgingRow]]:
    """Open insurance A/R by payer class and age bucket on each of ``days``: from the A/R
    rollup (``aging_from_rollup``), or, when the filters name a location or therapist
    (which the rollup does not keep), from the claims' facts (``aging_from_facts``)."""
    if has_place(f):
        return aging_from_facts(scope, f, days)
    return aging_from_rollup(scope, f, days)


def _age_bucket(first_dos: Any, day: date) -> ColumnElement[Any]:
    """The index into ``BUCKETS`` of a first DOS on or before ``day``."""
    oldest = [day - timedelta(days=n) for n in (30, 60, 90, 120)]
    return case(*((first_dos >= limit, j) for j, limit in enumerate(oldest)), else_=len(oldest))


def aging_from_rollup(
    scope: Scope, f: KpiFilters, days: Sequence[date]
) -> dict[date, list[AgingRow]]:
    """``ar_aging_on`` from ``ar_rollup_charges`` and ``ar_rollup_reductions``: per day D,
    the charges of the claims in A/R that day (first DOS <= D < gone_on) less their
    reductions dated on or before D, by payer class and the first DOS's bucket. Payer and
    payer class filters only (``rollup_conds``)."""
    out: dict[date, list[AgingRow]] = {}
    rc, rr = ar_rollup_charges, ar_rollup_reductions
    for day in sorted(set(days)):
        found: dict[str, list[Decimal]] = {}
        for table, amount, sign, dated in (
            (rc, rc.c.charge, 1, []),
            (rr, rr.c.reductions, -1, [rr.c.payment_date <= day]),
        ):
            bucket = _age_bucket(table.c.first_dos, day).label("bucket")
            query = (
                select(table.c.payer_class, bucket, money_sum(amount))
                .where(*rollup_conds(scope, f, table), table.c.first_dos <= day)
                .where(table.c.gone_on > day, *dated)
                .group_by(table.c.payer_class, bucket)
            )
            for name, index, total in scope.rows(query):
                b = found.setdefault(str(name), [ZERO] * len(BUCKETS))
                b[int(index)] += total if sign > 0 else -total
        out[day] = [
            AgingRow(name, (b[0], b[1], b[2], b[3], b[4]))
            for name, b in sorted(found.items())
            if any(b)
        ]
    return out


def aging_from_facts(
    scope: Scope, f: KpiFilters, days: Sequence[date]
) -> dict[date, list[AgingRow]]:
    """``ar_aging_on`` in one pass over the candidate claims' facts: each day's bucket
    (NULL when not open that day) and balance are columns of every candidate, summed per
    payer class."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    rows = _candidates(scope, f, wanted)
    sums = [
        money_sum(
            case(
                (rows.c[f"bucket_{i}"] == j, type_coerce(rows.c[f"balance_{i}"], MoneyType())),
                else_=0,
            )
        )
        for i in range(len(wanted))
        for j in range(len(BUCKETS))
    ]
    query = select(rows.c.payer_class, *sums).group_by(rows.c.payer_class)
    table: dict[date, dict[str, list[Decimal]]] = {day: {} for day in wanted}
    for row in scope.rows(query):
        name, amounts = str(row[0]), list(row[1:])
        for i, day in enumerate(wanted):
            table[day][name] = amounts[i * len(BUCKETS) : (i + 1) * len(BUCKETS)]
    for day in wanted:
        for name, bucket, amount in _later_reductions(scope, f, day):
            found = table[day].setdefault(str(name), [ZERO] * len(BUCKETS))
            found[int(bucket)] += amount
    return {
        day: [
            AgingRow(name, (b[0], b[1], b[2], b[3], b[4]))
            for name, b in sorted(found.items())
            if any(b)
        ]
        for day, found in table.items()
    }


def ar_aging(scope: Scope, f: KpiFilters, as_of: date) -> list[AgingRow]:
    """Open insurance A/R on ``as_of`` by payer class and age bucket (0-30 ... 120+)."""
    return ar_aging_on(scope, f, [as_of])[as_of]


def charges_between(scope: Scope, f: KpiFilters, first: date, last: date) -> Decimal:
    """Charges of billed claims whose first date of service is in ``[first, last]`` (from
    the A/R rollup unless the filters name a location or therapist)."""
    if has_place(f):
        query = select(money_sum(claim_facts.c.charge)).where(
            *billed_between(scope, f, first, last)
        )
    else:
        rc = ar_rollup_charges
        query = select(money_sum(rc.c.charge)).where(
            *rollup_conds(scope, f, rc), rc.c.first_dos.between(first, last)
        )
    return Decimal(scope.one(query)[0])


def billed_between(scope: Scope, f: KpiFilters, first: date, last: date) -> list[Any]:
    """``claim_facts`` of billed claims (not voided or replaced) whose first date of
    service is in ``[first, last]``: the charges behind days in A/R."""
    cf = claim_facts
    return [
        *fact_conds(scope, f),
        cf.c.first_dos.between(first, last),
        cf.c.state.not_in(("voided", "corrected")),
    ]


def reductions_between(scope: Scope, f: KpiFilters, first: date, last: date) -> Decimal:
    """Payer payments plus the adjustments that reduce A/R, posted in ``[first, last]``
    (from the A/R rollup; with a location or therapist filter from ``claim_fact_payments``,
    per claim and remittance date)."""
    if not has_place(f):
        rr = ar_rollup_reductions
        rolled = select(money_sum(rr.c.reductions)).where(
            *rollup_conds(scope, f, rr), rr.c.payment_date.between(first, last)
        )
        return Decimal(scope.one(rolled)[0])
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


def net_collection_of(days: Sequence[FirstAdjudicationDay]) -> NetCollection:
    """``net_collection_rate`` from ``claims_kpis.first_adjudication_days``."""
    zero = Decimal("0.00")
    collected = sum((d.collected for d in days), zero)
    charged = sum((d.charge for d in days), zero)
    written = sum((d.contractual for d in days), zero)
    return NetCollection(collected, charged, written, ratio(collected, charged - written))
