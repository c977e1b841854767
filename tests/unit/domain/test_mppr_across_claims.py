"""MPPR across all of a patient's therapy claims of the day, priced from CMS's PFS files.

The rule (Novitas JL, "Multiple procedure payment reduction (MPPR) for selected therapy
services", after CR 7050; MCPM ch. 5 §10.7): full payment for the unit with the highest
PE RVU; for every other unit furnished to the patient that day, in any discipline and on
any claim, full work and malpractice and 50% of the PE. Equal PE RVUs rank by the higher
total fee schedule amount. CR 7050's worked example has procedure 1 with two units and
procedure 2 with one; here the two procedures are on two claims (PT and OT), priced with
CY 2026 national RVUs (RVU26C) and CF 33.4009, GPCI 1.000.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.contracts import default_contract, expected_allowed
from ptrcm.domain.money import Money

DOS = date(2026, 3, 2)
CF = Decimal("33.4009")
MEDICARE = default_contract("MEDICARE", "medicare")


def line(number: int, code: str, units: int, day: date = DOS, mods: str = "GP") -> ClaimLine:
    return ClaimLine(number, day, code, (mods,), units, units, Money.of("500.00"), (1,))


def cents(rvus: str) -> Money:
    return Money.of(str((Decimal(rvus) * CF).quantize(Decimal("0.01"))))


def test_cms_example_two_units_and_a_second_procedure_on_another_claim() -> None:
    # 97530 (PT claim): work 0.44, PE 0.60, MP 0.01 -> unit 1 full: 1.05 x CF = 35.07;
    # unit 2: 0.44 + 0.30 + 0.01 = 0.75 x CF = 25.05.
    # 97110 (OT claim, same day): work 0.45, PE 0.41, MP 0.01 -> reduced unit:
    # 0.45 + 0.205 + 0.01 = 0.665 x CF = 22.21.
    pt_claim = [line(1, "97530", 2)]
    ot_claim = [line(1, "97110", 1, mods="GO")]
    pt = expected_allowed(pt_claim, MEDICARE, others=ot_claim)
    ot = expected_allowed(ot_claim, MEDICARE, others=pt_claim)
    assert pt[0].allowed == cents("1.05") + cents("0.75") == Money.of("60.12")
    assert ot[0].allowed == cents("0.665") == Money.of("22.21")


def test_the_same_day_priced_per_claim_would_pay_two_full_units() -> None:
    # The gap this closes: each claim alone keeps a full unit (29.06 for 97110).
    alone = expected_allowed([line(1, "97110", 1, mods="GO")], MEDICARE)
    assert alone[0].allowed == cents("0.87") == Money.of("29.06")


def test_the_full_unit_is_the_highest_pe_whichever_claim_holds_it() -> None:
    # 97140 (PE 0.39) on the first claim, 97530 (PE 0.60) on the second: the second
    # claim's 97530 keeps the full unit, every unit of the first is reduced.
    first = [line(1, "97140", 2)]
    second = [line(1, "97530", 1)]
    a = expected_allowed(first, MEDICARE, others=second)
    b = expected_allowed(second, MEDICARE, others=first)
    assert b[0].allowed == cents("1.05")
    assert a[0].allowed == cents("0.635") * 2  # 0.43 + 0.195 + 0.01


def test_equal_pe_ranks_by_the_higher_total_fee_schedule_amount() -> None:
    # 97012 and 97032 both have PE 0.18; 97032's total (0.44) beats 97012's (0.43).
    result = expected_allowed([line(1, "97012", 1), line(2, "97032", 1)], MEDICARE)
    assert result[1].allowed == cents("0.44")  # full
    assert result[0].allowed == cents("0.34")  # 0.24 + 0.09 + 0.01


def test_codes_without_the_therapy_mppr_indicator_are_not_reduced() -> None:
    # 97129 carries MULT PROC 0 in the PFS file: paid in full beside 97530.
    result = expected_allowed([line(1, "97530", 1), line(2, "97129", 1)], MEDICARE)
    assert result[1].allowed == cents("0.67")
    assert [s.term for s in result[1].steps] == ["base", "round"]


def test_2025_dates_use_the_2025_file() -> None:
    day = date(2025, 11, 3)
    result = expected_allowed([line(1, "97530", 1, day), line(2, "97110", 1, day)], MEDICARE)
    cf25 = Decimal("32.3465")
    # RVU25D: 97530 work 0.44 PE 0.62 MP 0.01; 97110 work 0.45 PE 0.43 MP 0.01
    assert result[0].allowed == Money.of(str((Decimal("1.07") * cf25).quantize(Decimal("0.01"))))
    reduced = Decimal("0.45") + Decimal("0.215") + Decimal("0.01")
    assert result[1].allowed == Money.of(str((reduced * cf25).quantize(Decimal("0.01"))))
    assert "RVU25D" in result[1].steps[1].detail
