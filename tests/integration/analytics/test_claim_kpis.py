"""Claim-quality KPIs on the March clinic (see conftest for the story of each claim)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ptrcm.analytics import Scope
from ptrcm.analytics import claims_kpis as k
from tests.integration.analytics.conftest import MARCH

D = Decimal


def test_clean_claim_rate_counts_first_scrubs_in_the_period(march: Scope) -> None:
    # First runs in March: C1 (0 errors), C2 (2), C3 (0), C4 (0); C2's clean second run and
    # C6's February run do not count. 3 clean of 4 = 0.75.
    result = k.clean_claim_rate(march, MARCH)
    assert (result.numerator, result.denominator, result.rate) == (3, 4, D("0.7500"))


def test_first_pass_needs_no_denial_no_rejection_and_no_resubmission(march: Scope) -> None:
    # First adjudicated in March: C1, C2, C3, C4, C6 (C5's first was in February).
    # C2 denied, C3 and C6 partly denied, C4 rejected by a 999 first: only C1. 1/5 = 0.2.
    result = k.first_pass_rate(march, MARCH)
    assert (result.numerator, result.denominator, result.rate) == (1, 5, D("0.2000"))


def test_first_pass_by_day_dates_each_claim_by_its_first_remittance(march: Scope) -> None:
    days = {
        d.day.isoformat(): (d.adjudicated, d.first_pass) for d in k.first_pass_by_day(march, MARCH)
    }
    assert days == {
        "2026-03-10": (1, 1), "2026-03-12": (1, 0), "2026-03-15": (1, 0),
        "2026-03-20": (1, 0), "2026-03-25": (1, 0),
    }  # fmt: skip


def test_initial_denial_rate_in_claims_and_dollars(march: Scope) -> None:
    # Claims: C2, C3, C6 of 5 = 0.6. Dollars: denied 100 (C2) + 100 (C3) + 40 (C6) = 240
    # over charges 200 + 100 + 300 + 150 + 90 = 840: 0.285714... = 0.2857.
    result = k.initial_denial_rate(march, MARCH)
    assert result.claims.rate == D("0.6000")
    assert (result.dollars.numerator, result.dollars.denominator) == (D("240.00"), D("840.00"))
    assert result.dollars.rate == D("0.2857")


def test_top_denial_reasons_by_count_and_by_dollars(march: Scope) -> None:
    # CARC 50: C2 100 + C6 40 = 140 in 2 denials; CARC 197: C3 100 in 1. CO-45 and PR-2
    # are not denials.
    rows = k.denial_reasons(march, MARCH)
    by_count = k.top_denial_reasons(rows, by="count")
    assert [(r.carc, r.count, r.amount) for r in by_count] == [
        ("50", 2, D("140.00")), ("197", 1, D("100.00")),
    ]  # fmt: skip
    assert by_count[0].category == "medical_necessity"
    assert by_count[1].category == "authorization"
    by_amount = k.top_denial_reasons(rows, by="amount", limit=1)
    assert [r.carc for r in by_amount] == ["50"]


def test_denial_and_write_off_rates_by_category(march: Scope) -> None:
    # Charges adjudicated in March: 200 + 100 + 300 + 150 + 80 (C5 reprocessed) + 90 = 920.
    # Medical necessity denied 140 / 920 = 0.1522; written off (C2 is closed) 100 / 920 =
    # 0.1087. Authorization 100 / 920 = 0.1087, nothing written off.
    charged = k.charges_adjudicated(march, MARCH)
    assert charged == D("920.00")
    rates = {r.category: r for r in k.category_rates(k.denial_reasons(march, MARCH), charged)}
    mn, auth = rates["medical_necessity"], rates["authorization"]
    assert (mn.denied, mn.written_off) == (D("140.00"), D("100.00"))
    assert (mn.denial_rate, mn.write_off_rate) == (D("0.1522"), D("0.1087"))
    assert (auth.denial_rate, auth.write_off_rate) == (D("0.1087"), D("0.0000"))


def test_appeal_recovery_in_count_and_dollars(march: Scope) -> None:
    # Decided in March: C3 partial (recovered 60 of 100 denied), C6 upheld (0 of 40).
    # Count 1/2 = 0.5; dollars 60 / 140 = 0.428571... = 0.4286.
    result = k.appeal_recovery(march, MARCH)
    assert (result.decided, result.recovered) == (2, 1)
    assert (result.appealed_amount, result.recovered_amount) == (D("140.00"), D("60.00"))
    assert (result.count_rate, result.dollar_rate) == (D("0.5000"), D("0.4286"))


def test_payer_filter_keeps_only_that_payers_claims(march: Scope) -> None:
    # BCBS: first adjudicated C3 (partly denied) and C4 (rejected first): 0 of 2 pass;
    # first scrubs C3 and C4 both clean: 2/2.
    bcbs = replace(MARCH, payer="BCBS")
    assert k.first_pass_rate(march, bcbs).rate == D("0.0000")
    assert k.clean_claim_rate(march, bcbs).rate == D("1.0000")


def test_payer_class_filter(march: Scope) -> None:
    # medicare: C1, C2, C6 first adjudicated; C1 passes: 1/3 = 0.3333.
    assert k.first_pass_rate(march, replace(MARCH, payer_class="medicare")).rate == D("0.3333")


def test_location_filter_follows_the_claims_visit(march: Scope) -> None:
    # NORTH visits: C2 (denied) and C4 (rejected then paid): first pass 0/2, denied 1/2.
    north = replace(MARCH, location="NORTH")
    assert k.first_pass_rate(march, north).denominator == 2
    assert k.initial_denial_rate(march, north).claims.rate == D("0.5000")


def test_therapist_filter_with_an_unknown_npi_finds_nothing(march: Scope) -> None:
    nobody = replace(MARCH, therapist="9999999991")
    assert k.first_pass_rate(march, nobody).rate is None
    assert k.first_pass_rate(march, replace(MARCH, therapist="1111111112")).denominator == 5
