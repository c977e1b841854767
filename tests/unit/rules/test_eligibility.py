"""E rules: eligibility verification age and plan year, coverage on the date of service."""

from __future__ import annotations

from datetime import date, timedelta

from ptrcm.domain.visits import Benefits, CoverageStatus
from ptrcm.rules import eligibility as e

from .builders import DOS, make_context, make_pack, make_visit


def test_e001_fires_when_no_verification_is_on_file() -> None:
    (hit,) = e.check_verification(make_context(make_visit(eligibility_verified_on=None)))
    assert "No eligibility verification" in hit.message


def test_e001_fires_when_the_verification_is_31_days_old() -> None:
    visit = make_visit(eligibility_verified_on=DOS - timedelta(days=31))
    (hit,) = e.check_verification(make_context(visit))
    assert "31 days before" in hit.message


def test_e001_does_not_fire_when_the_verification_is_exactly_30_days_old() -> None:
    visit = make_visit(eligibility_verified_on=DOS - timedelta(days=30))
    assert list(e.check_verification(make_context(visit))) == []


def test_e001_reads_the_maximum_age_from_the_pack() -> None:
    visit = make_visit(eligibility_verified_on=DOS - timedelta(days=10))
    ctx = make_context(visit, pack=make_pack(eligibility_max_age_days=7))
    assert len(list(e.check_verification(ctx))) == 1


def test_e001_fires_when_the_verification_predates_the_plan_year() -> None:
    visit = make_visit(date_of_service=date(2026, 1, 6), eligibility_verified_on=date(2025, 12, 25))
    (hit,) = e.check_verification(make_context(visit))
    assert "plan year that began 2026-01-01" in hit.message


def test_e001_does_not_fire_across_new_year_when_the_plan_year_starts_in_july() -> None:
    visit = make_visit(
        date_of_service=date(2026, 1, 6),
        eligibility_verified_on=date(2025, 12, 25),
        benefits=Benefits(plan_year_start=date(2025, 7, 1)),
    )
    assert list(e.check_verification(make_context(visit))) == []


def test_e001_does_not_fire_on_a_check_made_after_the_date_of_service() -> None:
    visit = make_visit(eligibility_verified_on=DOS + timedelta(days=3))
    assert list(e.check_verification(make_context(visit))) == []


def test_e002_fires_when_the_payer_reports_the_coverage_inactive() -> None:
    visit = make_visit(coverage=CoverageStatus(active=False))
    (hit,) = e.check_coverage_active(make_context(visit))
    assert "inactive" in hit.message


def test_e002_fires_when_coverage_ended_the_day_before_the_visit() -> None:
    visit = make_visit(coverage=CoverageStatus(active=True, end=DOS - timedelta(days=1)))
    (hit,) = e.check_coverage_active(make_context(visit))
    assert "ended" in hit.message


def test_e002_fires_when_coverage_starts_after_the_visit() -> None:
    visit = make_visit(coverage=CoverageStatus(active=True, start=DOS + timedelta(days=1)))
    assert len(list(e.check_coverage_active(make_context(visit)))) == 1


def test_e002_does_not_fire_on_the_last_day_of_coverage() -> None:
    visit = make_visit(coverage=CoverageStatus(active=True, start=DOS, end=DOS))
    assert list(e.check_coverage_active(make_context(visit))) == []


def test_e002_does_not_fire_without_a_coverage_record() -> None:
    assert list(e.check_coverage_active(make_context(make_visit(coverage=None)))) == []
