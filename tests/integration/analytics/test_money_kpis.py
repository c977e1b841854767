"""A/R, days in A/R, net collection, revenue and underpayments on the March clinic."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ptrcm.analytics import Scope, ar, revenue
from tests.integration.analytics.conftest import MARCH

D = Decimal
Z = D("0.00")


def test_ar_aging_at_month_end_keeps_denied_dollars_until_closed(march: Scope) -> None:
    # Open on 03-31: C3 300 - 150 paid - 50 CO-45 = 100 (CO-197 stays), 27 days old;
    # C6 90 - 40 - 10 = 40, 25 days; C7 500 unanswered, 2025-12-01 is 120 days back
    # (30 + 31 + 28 + 31), so 91-120. C2 was closed on 03-30; C1, C4, C5 are paid.
    rows = {r.payer_class: r.buckets for r in ar.ar_aging(march, MARCH, date(2026, 3, 31))}
    assert rows == {
        "commercial": (D("100.00"), Z, Z, D("500.00"), Z),
        "medicare": (D("40.00"), Z, Z, Z, Z),
    }


def test_ar_aging_in_the_past_includes_claims_settled_later(march: Scope) -> None:
    # On 03-09 nothing of March had been paid yet: C1 200, C2 100 (closed only on 03-30),
    # C6 90 are medicare; C3 300 and C4 150 commercial 0-30 and C7 500 (98 days) 91-120.
    # C5 was paid on 02-20, so it is out.
    rows = {r.payer_class: r.buckets for r in ar.ar_aging(march, MARCH, date(2026, 3, 9))}
    assert rows == {
        "commercial": (D("450.00"), Z, Z, D("500.00"), Z),
        "medicare": (D("390.00"), Z, Z, Z, Z),
    }


def test_days_in_ar_and_the_vendor_dso(march: Scope) -> None:
    # Ending A/R 640. Charges with DOS 01-01..03-31: C1 200 + C2 100 + C3 300 + C4 150
    # + C5 80 + C6 90 = 920; 640 * 90 / 920 = 62.6 days.
    # Vendor DSO: paid 120 + 0 + 150 + 150 + 80 + 0 + 40 = 540, plus adjustments that
    # reduce A/R 50 + 30 + 50 + 10 = 140: 680 over three months; 640 * 3 * 30 / 680 = 84.7.
    result = ar.days_in_ar(march, MARCH, date(2026, 3, 31))
    assert (result.ending_ar, result.charges_90_days) == (D("640.00"), D("920.00"))
    assert result.days == D("62.6")
    assert (result.reductions_90_days, result.vendor_dso) == (D("680.00"), D("84.7"))


def test_net_collection_rate_over_the_claims_first_adjudicated(march: Scope) -> None:
    # Cohort C1, C2, C3, C4, C6. Collected 120 + 0 + 150 + 150 + 40 = 460 from payers and
    # 30 from C1's patient = 490. Collectible 840 - contractual (50 + 50 + 10) = 730.
    # 490 / 730 = 0.671232... = 0.6712.
    result = ar.net_collection_rate(march, MARCH)
    assert (result.collected, result.charges, result.contractual) == (
        D("490.00"), D("840.00"), D("110.00"),
    )  # fmt: skip
    assert result.ratio.rate == D("0.6712")


def test_net_revenue_per_visit_by_payer_and_location(march: Scope) -> None:
    # MCR at MAIN: C1 (120 + 30) + C6 40 + V-8 nothing = 190 over 3 visits = 63.33.
    # MCR at NORTH: C2 denied, 0 over 1. BCBS: C3 150 at MAIN, C4 150 at NORTH.
    rows = {(r.payer, r.location): (r.visits, r.net_revenue, r.per_visit) for r in
            revenue.net_revenue_per_visit(march, MARCH)}  # fmt: skip
    assert rows == {
        ("BCBS", "MAIN"): (1, D("150.00"), D("150.00")),
        ("BCBS", "NORTH"): (1, D("150.00"), D("150.00")),
        ("MCR", "MAIN"): (3, D("190.00"), D("63.33")),
        ("MCR", "NORTH"): (1, Z, Z),
    }
    # All together: 490 over 6 visits = 81.666... = 81.67.
    assert revenue.total_net_revenue_per_visit(revenue.net_revenue_per_visit(march, MARCH)) == D(
        "81.67"
    )


def test_underpayments_by_payer_and_code(march: Scope) -> None:
    # C6's 97110 line: the contract expected 60.00, the payer allowed 45.00: 15.00 short.
    rows = revenue.underpayments_by_payer_code(march, MARCH)
    assert [(r.payer, r.code, r.lines, r.expected, r.actual, r.short) for r in rows] == [
        ("MCR", "97110", 1, D("60.00"), D("45.00"), D("15.00"))
    ]
    assert revenue.underpayments_by_payer_code(march, replace(MARCH, payer="BCBS")) == []


def test_location_filter_narrows_aging_and_revenue(march: Scope) -> None:
    # At NORTH only C2 (closed) and C4 (paid) exist: nothing open; 2 visits, 150 revenue.
    north = replace(MARCH, location="NORTH")
    assert ar.ar_aging(march, north, date(2026, 3, 31)) == []
    rows = revenue.net_revenue_per_visit(march, north)
    assert sum(r.visits for r in rows) == 2
    assert sum((r.net_revenue for r in rows), Z) == D("150.00")
