from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ptrcm.domain.contracts import Contract
from ptrcm.domain.estimates import (
    BenefitsSnapshot,
    PlannedService,
    PlannedVisit,
    estimate_plan,
    estimate_unverified,
    estimate_visit,
)
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money

DOS = date(2026, 4, 6)
CONTRACT = Contract(
    payer_id="COMMERCIAL",
    payer_class="commercial",
    fee_schedule=FeeSchedule(
        "test",
        {"97110": Money.of("30.00"), "97140": Money.of("28.00"), "97530": Money.of("36.00")},
    ),
    mppr=True,
    pe_shares={"97110": Decimal("0.40"), "97140": Decimal("0.40"), "97530": Decimal("0.50")},
    always_therapy=frozenset({"97110", "97140", "97530"}),
)
# Mix A: 97110 x2 + 97530 x1. PE per unit 12.00 and 18.00, so 97530 is paid in full:
# 97110 60.00 - 2 x 12.00 x 0.5 = 48.00; 97530 36.00 -> allowed 84.00, charge 170.00
MIX_A = PlannedVisit(
    "exercise and activities",
    (
        PlannedService("97110", 2, Money.of("55.00")),
        PlannedService("97530", 1, Money.of("60.00")),
    ),
)
# Mix B: 97110 x1 + 97140 x1. PE 12.00 vs 11.20, so 97110 is paid in full:
# 97110 30.00; 97140 28.00 - 11.20 x 0.5 = 22.40 -> allowed 52.40, charge 111.00
MIX_B = PlannedVisit(
    "exercise and manual",
    (
        PlannedService("97110", 1, Money.of("55.00")),
        PlannedService("97140", 1, Money.of("56.00")),
    ),
)
COINSURANCE = BenefitsSnapshot(
    coinsurance_rate=Decimal("0.20"), deductible_remaining=Money.of("30.00")
)


def test_a_partly_met_deductible_then_coinsurance_on_the_rest() -> None:
    # allowed 84.00: deductible 30.00, then 0.20 x 54.00 = 10.80 -> patient 40.80
    result = estimate_visit(COINSURANCE, MIX_A, CONTRACT, DOS)
    assert result.allowed == Money.of("84.00")
    assert result.share.deductible == Money.of("30.00")
    assert result.share.coinsurance == Money.of("10.80")
    assert result.patient_cost == Money.of("40.80")
    assert result.explain()[-1] == "patient pays 40.80 of an allowed 84.00"


def test_a_copay_plan_charges_the_copay_only() -> None:
    snapshot = BenefitsSnapshot(copay=Money.of("25.00"))
    assert estimate_visit(snapshot, MIX_A, CONTRACT, DOS).patient_cost == Money.of("25.00")


def test_a_copay_larger_than_the_allowed_amount_is_capped_at_the_allowed_amount() -> None:
    snapshot = BenefitsSnapshot(copay=Money.of("100.00"))
    assert estimate_visit(snapshot, MIX_A, CONTRACT, DOS).patient_cost == Money.of("84.00")


def test_mppr_lowers_what_the_patient_pays() -> None:
    # without MPPR: allowed 60.00 + 36.00 = 96.00; 30.00 + 0.20 x 66.00 = 43.20
    without = estimate_visit(COINSURANCE, MIX_A, replace(CONTRACT, mppr=False), DOS)
    assert without.patient_cost == Money.of("43.20")
    assert estimate_visit(COINSURANCE, MIX_A, CONTRACT, DOS).patient_cost == Money.of("40.80")


def test_the_out_of_pocket_maximum_stops_the_patient_share() -> None:
    # visit 1 40.80 (59.20 left), visits 2-4 16.80 each (8.80 left), visit 5 capped at 8.80,
    # visits 6-10 nothing: total exactly the 100.00 out-of-pocket amount.
    snapshot = replace(COINSURANCE, oop_remaining=Money.of("100.00"))
    plan = estimate_plan(snapshot, [MIX_A], 10, CONTRACT, DOS)
    scenario = plan.high
    assert scenario.patient_cost == Money.of("100.00")
    # relief: 16.80 - 8.80 = 8.00 on visit 5, then 5 x 16.80 = 84.00
    assert scenario.share.oop_relief == Money.of("92.00")
    assert [d.patient for d in scenario.share.days][3:6] == [
        Money.of("16.80"),
        Money.of("8.80"),
        Money.zero(),
    ]
    assert any("out-of-pocket maximum reached" in note for note in scenario.notes)


def test_a_plan_of_care_is_a_range_over_visit_mixes_and_the_deductible() -> None:
    # A: 40.80 + 16.80 + 16.80 = 74.40; B: (30.00 + 0.20 x 22.40) + 10.48 + 10.48 = 55.44
    # deductible met: A 3 x 16.80 = 50.40; B 3 x 10.48 = 31.44
    plan = estimate_plan(
        COINSURANCE, [MIX_A, MIX_B], 3, CONTRACT, DOS, deductible_met_scenario=True
    )
    costs = {s.label: s.patient_cost for s in plan.scenarios}
    assert costs == {
        "exercise and activities": Money.of("74.40"),
        "exercise and activities, deductible already met": Money.of("50.40"),
        "exercise and manual": Money.of("55.44"),
        "exercise and manual, deductible already met": Money.of("31.44"),
    }
    assert plan.low.patient_cost == Money.of("31.44")
    assert plan.high.patient_cost == Money.of("74.40")
    assert plan.explain()[0].startswith("3 visits: between 31.44")


def test_visits_past_the_benefit_limit_cost_the_full_charge() -> None:
    # two covered B visits 34.48 + 10.48 = 44.96, one uncovered at the charge 111.00
    snapshot = replace(COINSURANCE, visits_left=2)
    scenario = estimate_plan(snapshot, [MIX_B], 3, CONTRACT, DOS).high
    assert scenario.covered_visits == 2
    assert scenario.covered_cost == Money.of("44.96")
    assert scenario.uncovered_cost == Money.of("111.00")
    assert scenario.patient_cost == Money.of("155.96")


def test_a_visit_with_no_visits_left_costs_the_full_charge() -> None:
    result = estimate_visit(replace(COINSURANCE, visits_left=0), MIX_B, CONTRACT, DOS)
    assert result.patient_cost == Money.of("111.00")
    assert result.steps[-1].term == "not_covered"


def test_estimates_refuse_impossible_plans() -> None:
    with pytest.raises(ValueError):
        estimate_plan(COINSURANCE, [MIX_A], 0, CONTRACT, DOS)
    with pytest.raises(ValueError):
        estimate_plan(COINSURANCE, [], 3, CONTRACT, DOS)
    with pytest.raises(ValueError):
        PlannedService("97110", 0)
    with pytest.raises(ValueError):
        BenefitsSnapshot(coinsurance_rate=Decimal("1.5"))


def test_without_benefits_an_estimate_gives_the_allowed_amount_and_no_patient_cost() -> None:
    priced = estimate_unverified(MIX_A, CONTRACT, DOS)
    assert (priced.charge, priced.allowed) == (Money.of("170.00"), Money.of("84.00"))
    assert not hasattr(priced, "patient_cost")
    said = priced.explain()
    assert said[-1].startswith("benefits not verified: no patient cost estimated")
    assert not any("patient pays" in line for line in said)
