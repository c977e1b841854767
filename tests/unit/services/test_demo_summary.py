"""The demo's summary: a rate with nothing to divide is null, never 0.0."""

from __future__ import annotations

from decimal import Decimal

from ptrcm.services.demo.run import RunSummary


def test_a_run_with_nothing_submitted_has_no_rates() -> None:
    summary = RunSummary("empty")
    data = summary.to_json()
    assert (data["clean_claim_rate"], data["first_pass_rate"]) == (None, None)


def test_rates_are_percentages_to_one_place() -> None:
    summary = RunSummary("some", scrubbed=3, clean_first_time=2, submitted=8, paid_first_pass=7)
    assert (summary.clean_claim_rate, summary.first_pass_rate) == (Decimal("66.7"), Decimal("87.5"))
