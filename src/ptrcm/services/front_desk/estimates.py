"""Patient estimates from the benefits snapshot and the payer's contract, stored, and later
compared with what the 835s made the patient owe (group PR adjustments).

The estimate of one visit and the range over a plan of care are ``domain.estimates``'s;
this module only gathers the terms: the latest snapshot of the primary coverage (copay,
coinsurance, deductible and out-of-pocket still open, visits left in the plan year), the
contract ptrcm assumes for the payer class (MPPR for Medicare) and the practice's charges.
With no verified benefits (no snapshot, or one that names no copay, coinsurance or
deductible) the estimate is stored with status ``benefits_not_verified`` and no patient
cost, and the work list asks the front desk to verify them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.contracts import default_contract
from ptrcm.domain.cost_sharing import NO_MONEY
from ptrcm.domain.estimates import (
    BENEFITS_NOT_VERIFIED,
    BenefitsSnapshot,
    PlanEstimate,
    PlannedService,
    PlannedVisit,
    VisitEstimate,
    estimate_plan,
    estimate_unverified,
    estimate_visit,
)
from ptrcm.domain.money import Money
from ptrcm.errors import InputError
from ptrcm.services.front_desk.caps import visit_limit_use
from ptrcm.services.front_desk.eligibility import primary_coverage
from ptrcm.services.ports import FrontDeskUnitOfWork, Row

ESTIMATED = "estimated"
NOT_VERIFIED = "benefits_not_verified"
COST_TERMS = ("copay", "coinsurance_rate", "deductible_remaining")


@dataclass(frozen=True, slots=True)
class StoredEstimate:
    """A stored estimate; ``visit`` and ``plan`` are None when the benefits were not
    verified (``status`` ``benefits_not_verified``): there is no patient cost to give."""

    estimate_id: int
    status: str
    allowed: Money
    visit: VisitEstimate | None
    plan: PlanEstimate | None
    explanation: tuple[str, ...]


def benefits_verified(snapshot: Row | None) -> bool:
    """Whether a benefits snapshot says anything about what the patient pays."""
    return snapshot is not None and any(snapshot[name] is not None for name in COST_TERMS)


def parse_codes(text: str) -> dict[str, int]:
    """``97110=2,97140=1`` as {code: units}; a code without ``=`` is one unit."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        code, _, units = part.partition("=")
        if not units:
            units = "1"
        if not units.isdigit() or int(units) < 1:
            raise InputError.one("--codes", None, code, "units must be a whole number >= 1")
        out[code.strip().upper()] = out.get(code.strip().upper(), 0) + int(units)
    if not out:
        raise InputError.one("--codes", None, None, "name at least one code, as 97110=2")
    return out


def benefits_of(snapshot: Row | None, visits_left: int | None) -> BenefitsSnapshot:
    """The domain's view of a stored snapshot; unknown terms are zero (no cap known)."""
    if snapshot is None:
        return BenefitsSnapshot(visits_left=visits_left)

    def money(name: str) -> Money:
        value = snapshot[name]
        return NO_MONEY if value is None else Money(value)

    oop = snapshot["oop_remaining"]
    return BenefitsSnapshot(
        copay=money("copay"),
        coinsurance_rate=snapshot["coinsurance_rate"] or Decimal("0"),
        deductible_remaining=money("deductible_remaining"),
        oop_remaining=None if oop is None else Money(oop),
        visits_left=visits_left,
    )


def estimate_for_patient(
    uow: FrontDeskUnitOfWork,
    config: Config,
    patient: str,
    codes: dict[str, int],
    day: date,
    visits: int = 1,
) -> StoredEstimate:
    """Estimate one visit on ``day`` and ``visits`` visits of the same mix; store it."""
    repo = uow.front_desk
    coverage = primary_coverage(uow, patient)
    snapshot = repo.latest_snapshot(int(coverage["id"]), day)
    kept = repo.kept_visits(int(coverage["patient_id"]))
    limit = visit_limit_use(snapshot, kept, coverage["payer_external_id"], day)
    terms = benefits_of(snapshot, None if limit is None else max(limit.left, 0))
    contract = default_contract(coverage["payer_external_id"], coverage["payer_class"] or "")
    planned = PlannedVisit(
        "planned visit",
        tuple(
            PlannedService(code, units, config.charge_for(code)) for code, units in codes.items()
        ),
    )
    base = {
        "patient_id": coverage["patient_id"],
        "coverage_id": coverage["id"],
        "snapshot_id": None if snapshot is None else snapshot["id"],
        "date_of_service": day,
        "codes": codes,
        "visits": visits,
    }
    if not benefits_verified(snapshot):
        priced = estimate_unverified(planned, contract, day)
        lines = priced.explain()
        estimate_id = repo.add_estimate(
            {**base, "status": NOT_VERIFIED, "allowed": priced.allowed.amount,
             "visit_estimate": None, "plan_low": None, "plan_high": None,
             "explanation": list(lines)}
        )  # fmt: skip
        return StoredEstimate(estimate_id, NOT_VERIFIED, priced.allowed, None, None, lines)
    one = estimate_visit(terms, planned, contract, day)
    plan = estimate_plan(terms, [planned], visits, contract, day, deductible_met_scenario=True)
    lines = (*one.explain(), *plan.explain())
    estimate_id = repo.add_estimate(
        {
            **base,
            "status": ESTIMATED,
            "allowed": one.allowed.amount,
            "visit_estimate": one.patient_cost.amount,
            "plan_low": plan.low.patient_cost.amount,
            "plan_high": plan.high.patient_cost.amount,
            "explanation": list(lines),
        }
    )
    return StoredEstimate(estimate_id, ESTIMATED, one.allowed, one, plan, lines)


def estimate_report(uow: FrontDeskUnitOfWork) -> list[dict[str, Any]]:
    """Each stored estimate beside what the 835s made the patient owe for that visit.

    The visit is the patient's claim whose first date of service is the estimate's date;
    ``actual`` is the sum of its PR adjustments, ``variance`` actual minus estimate.
    """
    repo = uow.front_desk
    rows = []
    owed: dict[int, dict[date, Decimal]] = {}
    estimates = repo.estimates()
    names = repo.patient_external_ids(sorted({int(e["patient_id"]) for e in estimates}))
    for est in estimates:
        pid = int(est["patient_id"])
        if pid not in owed:
            owed[pid] = {}
            for claim in repo.patient_responsibility_by_claim(pid):
                day = claim["first_date_of_service"]
                owed[pid][day] = owed[pid].get(day, Decimal("0.00")) + claim["patient_owes"]
        actual = owed[pid].get(est["date_of_service"])
        estimate = est["visit_estimate"]
        if est["status"] == NOT_VERIFIED:
            status = BENEFITS_NOT_VERIFIED
        else:
            status = "awaiting remittance" if actual is None else "posted"
        rows.append(
            {
                "estimate_id": est["id"],
                "patient": names.get(pid, str(pid)),
                "date_of_service": est["date_of_service"],
                "estimate": estimate,
                "actual": actual,
                "variance": None if actual is None or estimate is None else actual - estimate,
                "status": status,
            }
        )
    return rows
