from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptrcm.domain.claim_payment import expected_claim_payment
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.contracts import (
    Basis,
    Contract,
    default_contract,
    expected_allowed,
    expected_line_allowed,
)
from ptrcm.domain.cost_sharing import PatientTerms, apply_patient_terms
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money, round_cents
from ptrcm.domain.visits import Provider

DOS = date(2026, 3, 2)
SCHEDULE = FeeSchedule(
    "test",
    {
        "97110": Money.of("30.00"),
        "97140": Money.of("28.00"),
        "97530": Money.of("36.00"),
        "98940": Money.of("29.00"),
    },
)
SHARES = {"97110": Decimal("0.40"), "97140": Decimal("0.40"), "97530": Decimal("0.50")}
MEDICARE = Contract(
    payer_id="MEDICARE",
    payer_class="medicare",
    fee_schedule=SCHEDULE,
    mppr=True,
    assistant_reduction=True,
    sequestration_rate=Decimal("0.02"),
    pe_shares=SHARES,
    always_therapy=frozenset({"97110", "97140", "97530"}),
)


def line(
    number: int,
    code: str,
    units: int,
    charge: str,
    modifiers: tuple[str, ...] = ("GP",),
    dos: date = DOS,
) -> ClaimLine:
    return ClaimLine(number, dos, code, modifiers, units, units, Money.of(charge), (1,))


def claim(*lines: ClaimLine) -> Claim:
    return Claim("C-1", "MEDICARE", "P-1", "PT", tuple(lines), ("M54.16",), Provider("PT"))


VISIT = (
    line(1, "97110", 2, "110.00"),
    line(2, "97140", 1, "56.00", ("GP", "CQ")),
    line(3, "97530", 1, "60.00"),
)


def test_the_highest_pe_unit_is_paid_in_full_and_every_other_unit_loses_half_its_pe() -> None:
    # PE per unit: 97110 30.00 x 0.40 = 12.00, 97140 28.00 x 0.40 = 11.20,
    # 97530 36.00 x 0.50 = 18.00 -> 97530 holds the full unit.
    # 97110: 2 x 30.00 = 60.00 - 2 x 12.00 x 0.5 = 48.00
    # 97140: 28.00 - 11.20 x 0.5 = 22.40, then CQ 22.40 x 0.85 = 19.04
    # 97530: 36.00, no reduction
    result = expected_allowed(VISIT, MEDICARE)
    assert [r.allowed for r in result] == [Money.of("48.00"), Money.of("19.04"), Money.of("36")]
    assert [s.term for s in result[1].steps] == ["base", "mppr", "assistant_cq_co", "round"]
    assert result[2].steps[1].change == 0


def test_a_medicare_claim_pays_eighty_percent_after_the_deductible_less_sequestration() -> None:
    # allowed 48.00 + 19.04 + 36.00 = 103.04; deductible 50.00 leaves 53.04
    # coinsurance 0.20 x 53.04 = 10.608 -> 10.61; payer before sequestration 42.43
    # sequestration 0.02 x 42.43 = 0.8486 -> 0.85; payment 41.58
    # patient 50.00 + 10.61 = 60.61; charge 226.00 - allowed 103.04 = contractual 122.96
    result = expected_claim_payment(
        claim(*VISIT), MEDICARE, PatientTerms.medicare(Money.of("50.00"))
    )
    assert result.allowed == Money.of("103.04")
    assert result.patient.deductible == Money.of("50.00")
    assert result.patient.coinsurance == Money.of("10.61")
    assert result.payment_before_sequestration == Money.of("42.43")
    assert result.sequestration == Money.of("0.85")
    assert result.payer_payment == Money.of("41.58")
    assert result.patient_responsibility == Money.of("60.61")
    assert result.contractual == Money.of("122.96")
    assert [s.term for s in result.steps] == [
        "allowed",
        "deductible",
        "coinsurance",
        "sequestration",
    ]
    assert result.steps[-1].after == Decimal("41.58")


def test_sequestration_never_touches_the_allowed_amount_or_the_patient_share() -> None:
    without = replace(MEDICARE, sequestration_rate=Decimal("0"))
    terms = PatientTerms.medicare(Money.of("0.00"))
    a = expected_claim_payment(claim(*VISIT), MEDICARE, terms)
    b = expected_claim_payment(claim(*VISIT), without, terms)
    assert a.allowed == b.allowed
    assert a.patient_responsibility == b.patient_responsibility
    assert b.payer_payment - a.payer_payment == a.sequestration


def test_cq_is_not_reduced_before_2022() -> None:
    early = line(1, "97140", 1, "56.00", ("GP", "CQ"), dos=date(2021, 12, 31))
    on_time = replace(early, date_of_service=date(2022, 1, 1))
    assert expected_line_allowed(early, MEDICARE).allowed == Money.of("28.00")
    # 28.00 x 0.85 = 23.80 (alone on its day, so no MPPR cut)
    assert expected_line_allowed(on_time, MEDICARE).allowed == Money.of("23.80")


def test_rounding_happens_once_per_line_half_up() -> None:
    # a 3-unit 97110 at 30.01 without the day's full unit:
    # 90.03 - 3 x 30.01 x 0.40 x 0.5 = 90.03 - 18.006 = 72.024 -> 72.02
    item = line(1, "97110", 3, "165.00")
    contract = replace(MEDICARE, fee_schedule=FeeSchedule("t", {"97110": Money.of("30.01")}))
    result = expected_line_allowed(item, contract, holds_full_unit=False)
    assert result.steps[-1].before == Decimal("72.0240")
    assert result.allowed == Money.of("72.02")
    assert [s.term for s in result.steps].count("round") == 1


def test_an_mppr_tie_goes_to_the_lowest_line_number_whatever_the_order() -> None:
    a = line(1, "97110", 1, "55.00")
    b = line(2, "97140", 1, "56.00")
    tie = replace(
        MEDICARE,
        fee_schedule=FeeSchedule("t", {"97110": Money.of("28.00"), "97140": Money.of("28.00")}),
    )
    forward = expected_allowed((a, b), tie)
    backward = expected_allowed((b, a), tie)
    assert forward[0].allowed == Money.of("28.00")  # line 1 in full
    assert forward[1].allowed == Money.of("22.40")  # 28.00 - 11.20 x 0.5
    assert {r.line_number: r.allowed for r in forward} == {
        r.line_number: r.allowed for r in backward
    }


def test_each_date_of_service_has_its_own_full_unit() -> None:
    day1 = line(1, "97110", 1, "55.00")
    day2 = line(2, "97110", 1, "55.00", dos=date(2026, 3, 4))
    assert [r.allowed for r in expected_allowed((day1, day2), MEDICARE)] == [
        Money.of("30.00"),
        Money.of("30.00"),
    ]


def test_mppr_skips_codes_that_are_not_always_therapy() -> None:
    chiro = line(1, "98940", 2, "90.00")
    assert expected_allowed((chiro, *VISIT), MEDICARE)[0].allowed == Money.of("58.00")


def test_a_code_missing_from_the_schedule_is_allowed_zero_and_says_why() -> None:
    result = expected_line_allowed(line(1, "97999", 1, "40.00"), MEDICARE)
    assert result.allowed == Money.zero()
    assert "not on fee schedule" in result.steps[0].source


def test_percent_of_charges_pays_the_rate_times_the_charge() -> None:
    contract = Contract("COMM", "commercial", percent_of_charges=Decimal("0.60"))
    # 0.60 x 110.00 = 66.00
    assert contract.basis is Basis.PERCENT_OF_CHARGES
    assert expected_line_allowed(VISIT[0], contract).allowed == Money.of("66.00")


def test_the_allowed_amount_is_never_more_than_the_charge() -> None:
    result = expected_line_allowed(line(1, "97530", 1, "20.00"), MEDICARE)
    assert result.allowed == Money.of("20.00")
    assert "lesser_of_charge" in [s.term for s in result.steps]


def test_a_copay_plan_with_an_out_of_pocket_cap_reached() -> None:
    # allowed 103.04 on one day: deductible 0, copay 40.00 -> 63.04 left,
    # coinsurance 0.10 x 63.04 = 6.304 -> 6.30; patient 46.30 but only 25.00 of OOP is left:
    # relief 21.30 comes off coinsurance (6.30) then copay (15.00): copay 25.00, coins 0.
    commercial = replace(MEDICARE, sequestration_rate=Decimal("0"))
    terms = PatientTerms(
        coinsurance_rate=Decimal("0.10"), copay=Money.of("40.00"), oop_remaining=Money.of("25")
    )
    result = expected_claim_payment(claim(*VISIT), commercial, terms)
    assert result.patient.oop_relief == Money.of("21.30")
    assert result.patient.copay == Money.of("25.00")
    assert result.patient.coinsurance == Money.zero()
    assert result.patient_responsibility == Money.of("25.00")
    assert result.payer_payment == Money.of("78.04")
    assert result.patient.oop_remaining_after == Money.zero()


def test_the_default_medicare_contract_uses_packaged_data() -> None:
    contract = default_contract("MEDICARE", "medicare")
    assert contract.mppr and contract.assistant_reduction
    assert contract.sequestration_on(DOS) == Decimal("0.02")
    assert "97110" in contract.always_therapy
    # 2026 (RVU26C): 97110 PE 0.41 of 0.87 total; 2025 (RVU25D): 0.43 of 0.89
    assert contract.pe_share("97110", DOS)[0] == Decimal("0.41") / Decimal("0.87")
    assert contract.pe_share("97110", date(2025, 5, 1))[0] == Decimal("0.43") / Decimal("0.89")
    commercial = default_contract("COMMERCIAL", "commercial")
    assert not commercial.mppr and commercial.sequestration_on(DOS) == 0
    assert default_contract("SELF", "self_pay").basis is Basis.PERCENT_OF_CHARGES


def test_every_fee_schedule_code_has_a_pe_share_from_the_pfs() -> None:
    contract = default_contract("MEDICARE", "medicare")
    assert contract.fee_schedule is not None
    for code in contract.fee_schedule.allowed:
        assert "CMS PFS 2026 RVU26C" in contract.pe_share(code, DOS)[1], code


def test_a_contract_refuses_floats_bad_rates_and_two_bases() -> None:
    with pytest.raises(TypeError):
        Contract("X", "commercial", percent_of_charges=0.6)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Contract("X", "commercial", percent_of_charges=Decimal("1.2"))
    with pytest.raises(ValueError):
        Contract("X", "commercial", fee_schedule=SCHEDULE, percent_of_charges=Decimal("0.5"))
    with pytest.raises(ValueError):
        Contract("X", "commercial", fee_schedule=SCHEDULE, pe_shares={"97110": Decimal("1.5")})


CODES = st.sampled_from(["97110", "97140", "97530", "98940", "97999"])
AMOUNTS = st.decimals(min_value=0, max_value=500, places=2).map(Money)
RATES = st.decimals(min_value=0, max_value=1, places=3)


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    count = draw(st.integers(min_value=1, max_value=6))
    lines = []
    for number in range(1, count + 1):
        lines.append(
            ClaimLine(
                number,
                date(2026, 3, draw(st.integers(min_value=1, max_value=3))),
                draw(CODES),
                draw(st.sampled_from([("GP",), ("GP", "CQ")])),
                draw(st.integers(min_value=0, max_value=5)),
                0,
                draw(AMOUNTS),
                (1,),
            )
        )
    return claim(*lines)


@st.composite
def terms(draw: st.DrawFn) -> PatientTerms:
    return PatientTerms(
        deductible_remaining=draw(AMOUNTS),
        coinsurance_rate=draw(RATES),
        copay=draw(AMOUNTS),
        oop_remaining=draw(st.none() | AMOUNTS),
    )


@given(claims(), terms(), RATES)
def test_payment_patient_share_and_adjustments_always_add_up_to_the_charge(
    item: Claim, patient: PatientTerms, sequestration: Decimal
) -> None:
    contract = replace(MEDICARE, sequestration_rate=sequestration)
    result = expected_claim_payment(item, contract, patient)
    total = result.payer_payment + result.patient_responsibility
    assert total + result.contractual + result.sequestration == item.total_charge
    assert result.payer_payment.amount >= 0
    assert result.contractual.amount >= 0
    if patient.oop_remaining is not None:
        assert result.patient_responsibility <= patient.oop_remaining


@given(claims())
def test_mppr_never_increases_an_allowed_amount(item: Claim) -> None:
    with_mppr = expected_allowed(item.lines, MEDICARE)
    without = expected_allowed(item.lines, replace(MEDICARE, mppr=False))
    for reduced, full in zip(with_mppr, without, strict=True):
        assert reduced.allowed <= full.allowed


@given(claims())
def test_each_allowed_amount_is_whole_cents_and_matches_its_last_step(item: Claim) -> None:
    for result in expected_allowed(item.lines, MEDICARE):
        assert result.allowed.amount == result.allowed.amount.quantize(Decimal("0.01"))
        assert result.steps[-1].after == result.allowed.amount
        for before, after in zip(result.steps, result.steps[1:], strict=False):
            assert after.before == before.after


@given(st.lists(st.tuples(st.integers(1, 5), AMOUNTS), max_size=6), terms())
def test_the_patient_and_payer_shares_split_each_day_exactly(
    days: list[tuple[int, Money]], patient: PatientTerms
) -> None:
    share = apply_patient_terms(((date(2026, 1, d), a) for d, a in days), patient)
    assert share.total + share.payer == share.allowed
    assert share.deductible <= patient.deductible_remaining


@pytest.mark.parametrize(
    ("dos", "rate"),
    [
        (date(2020, 4, 30), "0.02"),  # BCA 2011 sequestration
        (date(2020, 5, 1), "0"),  # CARES Act §3709 suspension
        (date(2022, 3, 31), "0"),  # suspension through March 2022 (Pub. L. 117-71)
        (date(2022, 4, 1), "0.01"),  # 1% April-June 2022
        (date(2022, 6, 30), "0.01"),
        (date(2022, 7, 1), "0.02"),  # full 2% after
    ],
)
def test_medicare_sequestration_follows_the_date_of_service(dos: date, rate: str) -> None:
    contract = replace(default_contract("MEDICARE", "medicare", SCHEDULE), pe_shares=SHARES)
    one = claim(line(1, "97110", 1, "60.00", dos=dos))
    result = expected_claim_payment(one, contract, PatientTerms())
    assert contract.sequestration_on(dos) == Decimal(rate)
    before = result.payment_before_sequestration.amount
    assert result.sequestration == Money(round_cents(before * Decimal(rate)))


def test_mppr_counts_the_patients_other_claims_on_the_same_day() -> None:
    # MPPR is per patient and day across claims: a PT claim holding 97530 (PE 18.00)
    # takes the full unit, so an OT claim's 97110 that day loses half its PE on its unit.
    ot_alone = expected_allowed([line(1, "97110", 1, "60.00")], MEDICARE)
    assert ot_alone[0].allowed == Money.of("30.00")
    pt_claim = [line(1, "97530", 1, "60.00")]
    ot_after = expected_allowed([line(1, "97110", 1, "60.00")], MEDICARE, others=pt_claim)
    assert ot_after[0].allowed == Money.of("24.00")  # 30.00 - 12.00 x 0.5
    other_day = [line(1, "97530", 1, "60.00", dos=date(2026, 3, 3))]
    assert expected_allowed([line(1, "97110", 1, "60.00")], MEDICARE, others=other_day) == (
        ot_alone
    )
