"""Insurance A/R aging, days in A/R by payer class, and the clean-claim projection.

Needs the 837s: only they say what was billed and not yet answered. Definitions
(docs/assess.md):

* A billed claim (CLM01) is matched to the 835 answers with the same CLP01. With no
  answer, its whole charge is outstanding. Its latest answer (remittance date, then file
  order) decides otherwise: after a reversal the whole charge is outstanding again; else
  outstanding = charge - paid - every adjustment that is not a denial (contractual,
  patient responsibility, informational), at least 0 and at most the charge. Denied
  dollars stay in A/R until someone works them.
* Age = the as-of day - the first date of service; claims with a date of service after
  the as-of day are left out. Buckets 0-30, 31-60, 61-90, 91-120, over 120 days.
* Days in A/R = outstanding / (charges with a date of service in the 90 days up to the
  as-of day / 90), per payer class; "—" when nothing was billed in those 90 days.
* Projection: at a clean-claim rate raised from today's (1 - the initial denial rate) to
  the target, the claims needing rework fall in proportion to (1 - target) / (1 - today);
  the outstanding dollars of claims whose latest answer carries a denial are scaled by
  the same factor, bucket by bucket, and everything else stays. Rework cost per claim is
  a stated assumption.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ptrcm.domain.assessment.records import AnsweredClaim, BilledClaim
from ptrcm.domain.denials import AdjustmentKind, classify_adjustment
from ptrcm.domain.money import Money, round_cents, sum_money

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")
WINDOW_DAYS = 90


def bucket_of(age: int) -> int:
    for index, top in enumerate((30, 60, 90, 120)):
        if age <= top:
            return index
    return len(BUCKETS) - 1


@dataclass(frozen=True, slots=True)
class OpenClaim:
    pcn: str
    payer_class: str
    age: int
    outstanding: Money
    denied: bool  # its latest answer carries a denial


@dataclass(frozen=True, slots=True)
class AgingRow:
    payer_class: str
    claims: tuple[int, ...]  # per bucket
    dollars: tuple[Money, ...]
    days_in_ar: Decimal | None

    @property
    def total(self) -> Money:
        return sum_money(self.dollars)


def _outstanding(billed: BilledClaim, latest: AnsweredClaim | None) -> tuple[Money, bool]:
    if latest is None or latest.is_reversal:
        return billed.charge, False
    kinds = [
        (classify_adjustment(a.group, a.carc, a.rarcs).kind, a.amount)
        for _, a in latest.all_adjustments()
    ]
    settled = sum_money(amount for kind, amount in kinds if kind is not AdjustmentKind.DENIAL)
    denied = any(kind is AdjustmentKind.DENIAL for kind, _ in kinds)
    left = billed.charge - latest.paid - settled
    if left.amount < 0:
        left = Money.zero()
    if left.amount > billed.charge.amount:
        left = billed.charge
    return left, denied


def open_claims(
    billed: Sequence[BilledClaim], answered: Sequence[AnsweredClaim], as_of: date
) -> tuple[OpenClaim, ...]:
    latest: dict[str, AnsweredClaim] = {}
    for answer in sorted(answered, key=lambda c: (c.paid_on or date.min, c.order)):
        latest[answer.pcn] = answer
    out = []
    for bill in billed:
        age = (as_of - bill.first_date).days
        if age < 0:
            continue
        amount, denied = _outstanding(bill, latest.get(bill.pcn))
        if amount.amount > 0:
            out.append(OpenClaim(bill.pcn, bill.payer_class, age, amount, denied))
    return tuple(out)


def aging(
    billed: Sequence[BilledClaim], answered: Sequence[AnsweredClaim], as_of: date
) -> tuple[AgingRow, ...]:
    """One row per payer class, then the total row (payer class "all")."""
    rows = open_claims(billed, answered, as_of)
    start = as_of - timedelta(days=WINDOW_DAYS)
    recent: dict[str, list[Money]] = defaultdict(list)
    for claim in billed:
        if start < claim.first_date <= as_of:
            recent[claim.payer_class].append(claim.charge)
            recent["all"].append(claim.charge)
    classes = sorted({c.payer_class for c in billed})
    out = []
    for payer_class in (*classes, "all"):
        mine = [r for r in rows if payer_class in ("all", r.payer_class)]
        counts = [0] * len(BUCKETS)
        dollars: list[list[Money]] = [[] for _ in BUCKETS]
        for r in mine:
            counts[bucket_of(r.age)] += 1
            dollars[bucket_of(r.age)].append(r.outstanding)
        sums = tuple(sum_money(d) for d in dollars)
        charged = sum_money(recent[payer_class])
        days = None
        if charged.amount > 0:
            days = round_cents(sum_money(sums).amount / (charged.amount / WINDOW_DAYS))
        out.append(AgingRow(payer_class, tuple(counts), sums, days))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Projection:
    current_clean_rate: Decimal
    target_clean_rate: Decimal
    adjudicated: int
    rework_now: int
    rework_at_target: int
    rework_cost_per_claim: Money
    factor: Decimal  # (1 - target) / (1 - current)
    aging_now: tuple[Money, ...] | None
    aging_at_target: tuple[Money, ...] | None

    @property
    def rework_saved(self) -> int:
        return self.rework_now - self.rework_at_target

    @property
    def cost_saved(self) -> Money:
        return self.rework_cost_per_claim * self.rework_saved


def projection(
    adjudicated: int,
    with_denial: int,
    target: Decimal,
    cost: Money,
    open_rows: Sequence[OpenClaim] | None,
) -> Projection | None:
    if adjudicated == 0:
        return None
    current = 1 - Decimal(with_denial) / adjudicated
    denied_share = 1 - current
    factor = Decimal(1) if denied_share == 0 else min(Decimal(1), (1 - target) / denied_share)
    at_target = min(
        with_denial, int((Decimal(adjudicated) * (1 - target)).to_integral_value(ROUND_HALF_UP))
    )
    now = later = None
    if open_rows is not None:
        base = [Decimal(0)] * len(BUCKETS)
        scaled = [Decimal(0)] * len(BUCKETS)
        for r in open_rows:
            base[bucket_of(r.age)] += r.outstanding.amount
            share = r.outstanding.amount * factor if r.denied else r.outstanding.amount
            scaled[bucket_of(r.age)] += share
        now = tuple(Money(round_cents(v)) for v in base)
        later = tuple(Money(round_cents(v)) for v in scaled)
    return Projection(
        current, target, adjudicated, with_denial, at_target, cost, factor, now, later
    )
