"""Medicare KX threshold arithmetic (MBPM Pub 100-02 ch. 15 §10.3; reference §3).

The year-to-date allowed amount is counted per calendar year and threshold group (PT and
SLP combined, OT separate) for the visit's payer. ``kx_ytd_allowed`` on a visit is what
was allowed before it from outside the input; the count starts at the earliest visit of
the group in the input that carries one (its figure is "before this input" and also
"before that visit"), then adds the allowed amount of that visit and every later visit
of the group up to and including this one. So a file where every visit carries the
same before-the-input figure and a file where each visit carries its own running figure
give the same count. An exact duplicate of an earlier visit (same date, discipline and
codes) is not added: the payer denies it. Allowed amounts are the payer's fee schedule
times the billed units after MPPR and the CQ/CO reduction, as Medicare allows them
(the threshold counts allowed amounts, MBPM ch. 15 §10.3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from ptrcm.domain.charges import ChargePolicy, build_charges
from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.contracts import Contract, default_contract, expected_allowed
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod
from ptrcm.domain.visits import Visit
from ptrcm.rules.engine import Pack, ScrubContext

ZERO = Decimal("0.00")


def threshold_group(discipline: str) -> str:
    """PT and SLP share one threshold; OT has its own."""
    return "OT" if discipline == "OT" else "PT+SLP"


def lines_allowed(lines: Iterable[ClaimLine], fees: FeeSchedule) -> Decimal:
    """Allowed amount of claim lines as Medicare allows them (exact cents).

    The payer's fee schedule times the billed units, after MPPR and the CQ/CO reduction
    (``domain.contracts``; the allowed amount is what accrues toward the threshold, MBPM
    ch. 15 §10.3), never capped at the charge (the charge may be unknown here).
    """
    contract = _kx_contract(fees)
    return sum((e.allowed.amount for e in expected_allowed(lines, contract)), ZERO)


_CONTRACTS: dict[int, tuple[FeeSchedule, Contract]] = {}


def _kx_contract(fees: FeeSchedule) -> Contract:
    """The Medicare contract terms under ``fees`` (one per schedule object)."""
    held = _CONTRACTS.get(id(fees))
    if held is None or held[0] is not fees:
        contract = replace(
            default_contract("KX", "medicare", fees, sequestration_rate=ZERO),
            lesser_of_charge=False,
        )
        held = _CONTRACTS[id(fees)] = (fees, contract)
    return held[1]


def threshold_for(pack: Pack, year: int) -> tuple[Decimal, str] | None:
    """(amount, confidence) of the year's threshold, or None when the pack has no figure."""
    for row in pack.param("kx_thresholds", ()):
        if row["year"] == year:
            return Decimal(row["amount"]), str(row["confidence"])
    return None


@dataclass(frozen=True, slots=True)
class KxStatus:
    threshold: Decimal
    confidence: str
    ytd_with_visit: Decimal
    group: str

    @property
    def over(self) -> bool:
        return self.ytd_with_visit > self.threshold


def _prior_allowed(ctx: ScrubContext, prior: Visit) -> Decimal:
    known = ctx.history.allowed.get(prior.visit_id)
    if known is not None:
        return known
    method = UnitMethod(ctx.pack.param("unit_method", "cms"))
    charges = build_charges(prior, ChargePolicy(method), lambda _c: Money.zero(), ctx.catalog)
    return lines_allowed(charges.lines, ctx.fees)


def kx_status(ctx: ScrubContext) -> KxStatus | None:
    """Where this visit stands against its year's threshold, or None if KX does not apply."""
    if not ctx.pack.param("kx_applies", False):
        return None
    return ctx.derived("kx_status", _kx_status)


@dataclass(frozen=True, slots=True)
class _Count:
    """The count through one visit of a group: anchor figure, amount added, duplicates."""

    anchor: Decimal | None
    added: Decimal
    day: date | None
    same_day: frozenset[tuple[object, ...]]  # identities counted on ``day``

    def then(self, v: Visit, allowed: Decimal) -> _Count:
        key = _identity(v)
        same = self.same_day if v.date_of_service == self.day else frozenset()
        if key in same:
            return self  # an exact duplicate is denied, so it adds nothing
        anchor, added = self.anchor, self.added
        if anchor is None and v.kx_ytd_allowed is not None:
            anchor, added = v.kx_ytd_allowed, ZERO  # earlier visits are in the figure
        return _Count(anchor, added + allowed, v.date_of_service, same | {key})


_EMPTY = _Count(None, ZERO, None, frozenset())


def _same_group(a: Visit, b: Visit) -> bool:
    return (
        a.date_of_service.year == b.date_of_service.year
        and a.payer_id == b.payer_id
        and threshold_group(a.discipline) == threshold_group(b.discipline)
    )


def _count_through(ctx: ScrubContext, index: int) -> _Count:
    """The count through prior visit ``index`` of its group (memoised per patient).

    Each prior's count extends the count of the previous prior in its group, so a
    patient's year of visits is counted once, not once per visit.
    """
    priors = ctx.history.prior_visits
    memo = ctx.history.memo
    todo: list[int] = []
    i: int | None = index
    start = _EMPTY
    while i is not None:
        known = memo.get(f"kx.count:{priors[i].visit_id}")
        if known is not None:
            start = known
            break
        todo.append(i)
        i = _previous_in_group(priors, i, priors[i])
    count = start
    for j in reversed(todo):
        count = count.then(priors[j], _prior_allowed(ctx, priors[j]))
        memo[f"kx.count:{priors[j].visit_id}"] = count
    return count


def _previous_in_group(priors: Sequence[Visit], index: int, v: Visit) -> int | None:
    for j in range(index - 1, -1, -1):
        if _same_group(priors[j], v):
            return j
    return None


def _kx_status(ctx: ScrubContext) -> KxStatus | None:
    visit = ctx.visit
    found = threshold_for(ctx.pack, visit.date_of_service.year)
    if found is None:
        return None
    priors = ctx.history.prior_visits
    last = _previous_in_group(priors, len(priors), visit)
    count = _EMPTY if last is None else _count_through(ctx, last)
    count = count.then(visit, lines_allowed(ctx.charges.lines, ctx.fees))
    group = threshold_group(visit.discipline)
    return KxStatus(found[0], found[1], (count.anchor or ZERO) + count.added, group)


def _identity(v: Visit) -> tuple[object, ...]:
    return (v.date_of_service, v.discipline, tuple(sorted(s.code for s in v.services)))
