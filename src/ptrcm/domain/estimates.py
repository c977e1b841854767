"""Patient cost estimates before care: one visit, or a plan of care of N visits (issue 7).

An estimate is the expected-payment calculation (``contracts``) run on planned services
instead of billed ones, with the patient's benefits snapshot (from a 271 response or the
front desk) as the terms. A plan of care is a range, because the code mix changes from
visit to visit and the deductible may be met elsewhere before our claims arrive: each
planned visit mix is one scenario, optionally also with the deductible already met, and
the range runs from the cheapest to the dearest scenario.

Visits past ``visits_left`` are not covered by the plan: the patient is expected to pay
the practice's full charge for them, and the estimate says so.

Without verified benefits there is no patient cost to give: zero copay, coinsurance and
deductible would read as "you owe nothing". ``estimate_unverified`` gives the charge and
the allowed amount and says the benefits must be verified first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.contracts import Contract, LineExpectation, expected_allowed
from ptrcm.domain.cost_sharing import NO_MONEY, PatientShare, PatientTerms, apply_patient_terms
from ptrcm.domain.money import Money, sum_money
from ptrcm.domain.trace import Step

SOURCE_BENEFIT_LIMIT = "benefits snapshot: visits left in the benefit period"
BENEFITS_NOT_VERIFIED = "benefits not verified"


@dataclass(frozen=True, slots=True)
class BenefitsSnapshot:
    """The patient's benefits as last verified; ``None`` means unknown (no cap, no limit)."""

    copay: Money = NO_MONEY
    coinsurance_rate: Decimal = Decimal("0")
    deductible_remaining: Money = NO_MONEY
    oop_remaining: Money | None = None
    visits_left: int | None = None

    def __post_init__(self) -> None:
        if self.visits_left is not None and self.visits_left < 0:
            raise ValueError("visits_left must not be negative")
        self.terms()  # validates the money and the rate

    def terms(self) -> PatientTerms:
        return PatientTerms(
            deductible_remaining=self.deductible_remaining,
            coinsurance_rate=self.coinsurance_rate,
            copay=self.copay,
            oop_remaining=self.oop_remaining,
        )


@dataclass(frozen=True, slots=True)
class PlannedService:
    """One code the therapist plans to bill, with units and the practice's charge per unit."""

    code: str
    units: int = 1
    charge_per_unit: Money = NO_MONEY
    modifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.units < 1:
            raise ValueError(f"planned {self.code} needs at least one unit")


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """A typical visit: a label for the explanation and the planned services."""

    label: str
    services: tuple[PlannedService, ...]

    def claim_lines(self, date_of_service: date) -> tuple[ClaimLine, ...]:
        """The planned services as claim lines on one date (what a claim would carry)."""
        return tuple(
            ClaimLine(
                line_number=number,
                date_of_service=date_of_service,
                code=item.code,
                modifiers=item.modifiers,
                units=item.units,
                expected_units=item.units,
                charge=item.charge_per_unit * item.units,
                dx_pointers=(1,),
            )
            for number, item in enumerate(self.services, start=1)
        )

    @property
    def charge(self) -> Money:
        return sum_money(item.charge_per_unit * item.units for item in self.services)


@dataclass(frozen=True, slots=True)
class VisitEstimate:
    """Expected patient cost of one visit, with the allowed amounts and the steps."""

    label: str
    charge: Money
    allowed: Money
    patient_cost: Money
    lines: tuple[LineExpectation, ...]
    share: PatientShare

    @property
    def steps(self) -> tuple[Step, ...]:
        line_steps = tuple(step for line in self.lines for step in line.steps)
        return line_steps + self.share.steps

    def explain(self) -> tuple[str, ...]:
        """Readable lines: each line's allowed amount, then the patient's terms."""
        out = [f"{line.code} x{line.units}: allowed {line.allowed}" for line in self.lines]
        out += [step.explain() for step in self.share.steps]
        out.append(f"patient pays {self.patient_cost} of an allowed {self.allowed}")
        return tuple(out)


def estimate_visit(
    snapshot: BenefitsSnapshot, visit: PlannedVisit, contract: Contract, date_of_service: date
) -> VisitEstimate:
    """Expected patient cost of one visit (reference §6: schedule, MPPR, CQ/CO, then terms).

    A visit with no visits left in the benefit period is not covered: the patient cost is
    the full charge.
    """
    lines = expected_allowed(visit.claim_lines(date_of_service), contract)
    allowed = sum_money(line.allowed for line in lines)
    if snapshot.visits_left == 0:
        share = _uncovered_share(date_of_service, visit.charge, snapshot)
        return VisitEstimate(visit.label, visit.charge, allowed, visit.charge, lines, share)
    share = apply_patient_terms([(date_of_service, allowed)], snapshot.terms())
    return VisitEstimate(visit.label, visit.charge, allowed, share.total, lines, share)


@dataclass(frozen=True, slots=True)
class UnverifiedEstimate:
    """A visit priced without the patient's benefits: charge and allowed, no patient cost."""

    label: str
    charge: Money
    allowed: Money
    lines: tuple[LineExpectation, ...]

    def explain(self) -> tuple[str, ...]:
        out = [f"{line.code} x{line.units}: allowed {line.allowed}" for line in self.lines]
        out.append(
            f"{BENEFITS_NOT_VERIFIED}: no patient cost estimated (allowed {self.allowed}); "
            "verify eligibility and benefits, then estimate again"
        )
        return tuple(out)


def estimate_unverified(
    visit: PlannedVisit, contract: Contract, date_of_service: date
) -> UnverifiedEstimate:
    """The part of an estimate that does not depend on the patient's benefits."""
    lines = expected_allowed(visit.claim_lines(date_of_service), contract)
    allowed = sum_money(line.allowed for line in lines)
    return UnverifiedEstimate(visit.label, visit.charge, allowed, lines)


def _uncovered_share(day: date, charge: Money, snapshot: BenefitsSnapshot) -> PatientShare:
    step = Step(
        "not_covered",
        charge.amount,
        charge.amount,
        SOURCE_BENEFIT_LIMIT,
        f"{day.isoformat()}: no covered visits left; the patient pays the full charge",
    )
    return PatientShare((), (step,), snapshot.deductible_remaining, snapshot.oop_remaining)


@dataclass(frozen=True, slots=True)
class PlanScenario:
    """One way a plan of care could go: a visit mix and a deductible assumption."""

    label: str
    visits: int
    covered_visits: int
    covered_cost: Money
    uncovered_cost: Money
    share: PatientShare
    notes: tuple[str, ...]

    @property
    def patient_cost(self) -> Money:
        return self.covered_cost + self.uncovered_cost


@dataclass(frozen=True, slots=True)
class PlanEstimate:
    """The range of patient cost over a plan of care: ``low`` and ``high`` scenarios."""

    visits: int
    scenarios: tuple[PlanScenario, ...]

    @property
    def low(self) -> PlanScenario:
        return min(self.scenarios, key=lambda s: (s.patient_cost, s.label))

    @property
    def high(self) -> PlanScenario:
        return max(self.scenarios, key=lambda s: (s.patient_cost, s.label))

    def explain(self) -> tuple[str, ...]:
        out = [
            f"{self.visits} visits: between {self.low.patient_cost} ({self.low.label}) and "
            f"{self.high.patient_cost} ({self.high.label})"
        ]
        for scenario in self.scenarios:
            out.append(f"- {scenario.label}: {scenario.patient_cost}")
            out += [f"  {note}" for note in scenario.notes]
        return tuple(out)


def estimate_plan(
    snapshot: BenefitsSnapshot,
    visit_mixes: Sequence[PlannedVisit],
    visits: int,
    contract: Contract,
    first_visit: date,
    *,
    deductible_met_scenario: bool = False,
) -> PlanEstimate:
    """Patient cost over ``visits`` visits as a range over the planned visit mixes.

    Each mix is costed as if every visit had it; visits are placed on consecutive days from
    ``first_visit`` (only so each has its own date of service: a copay is per date). The
    deductible and the out-of-pocket amount carry from visit to visit. With
    ``deductible_met_scenario`` every mix is also costed with the deductible already met.
    """
    if visits < 1:
        raise ValueError("a plan of care estimate needs at least one visit")
    if not visit_mixes:
        raise ValueError("a plan of care estimate needs at least one planned visit mix")
    snapshots = [(snapshot, "")]
    if deductible_met_scenario and snapshot.deductible_remaining.amount > 0:
        met = replace(snapshot, deductible_remaining=NO_MONEY)
        snapshots.append((met, ", deductible already met"))
    scenarios = tuple(
        _scenario(snap, mix, visits, contract, first_visit, suffix)
        for mix in visit_mixes
        for snap, suffix in snapshots
    )
    return PlanEstimate(visits, scenarios)


def _scenario(
    snapshot: BenefitsSnapshot,
    mix: PlannedVisit,
    visits: int,
    contract: Contract,
    first_visit: date,
    suffix: str,
) -> PlanScenario:
    covered = visits if snapshot.visits_left is None else min(visits, snapshot.visits_left)
    allowed_by_day = []
    for index in range(covered):
        day = first_visit + timedelta(days=index)
        lines = expected_allowed(mix.claim_lines(day), contract)
        allowed_by_day.append((day, sum_money(line.allowed for line in lines)))
    share = apply_patient_terms(allowed_by_day, snapshot.terms())
    uncovered = visits - covered
    notes = [
        f"{covered} covered visit(s) at an allowed "
        f"{allowed_by_day[0][1] if allowed_by_day else NO_MONEY} each: deductible "
        f"{share.deductible}, copays {share.copay}, coinsurance {share.coinsurance}",
    ]
    if share.oop_relief.amount > 0:
        notes.append(f"out-of-pocket maximum reached: {share.oop_relief} less to pay")
    if uncovered:
        notes.append(f"{uncovered} visit(s) past the benefit limit at the full charge {mix.charge}")
    return PlanScenario(
        label=mix.label + suffix,
        visits=visits,
        covered_visits=covered,
        covered_cost=share.total,
        uncovered_cost=mix.charge * uncovered,
        share=share,
        notes=tuple(notes),
    )
