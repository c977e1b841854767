"""P rules: plan of care covering the date, certification timing, progress reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ptrcm.domain.visits import PlanOfCare, Visit
from ptrcm.rules import plan_of_care as p
from ptrcm.rules.engine import Rule, Severity, run_rules

from .builders import make_context, make_pack, make_visit

START = date(2026, 2, 10)


def _plan(
    certified: date | None = date(2026, 2, 20), through: date | None = date(2026, 5, 10)
) -> PlanOfCare:
    return PlanOfCare(start=START, certified_on=certified, through=through)


def _on_day(day: int, plan: PlanOfCare | None = None) -> Visit:
    """The visit on day ``day`` of the plan (day 1 is the start)."""
    return make_visit(
        date_of_service=START + timedelta(days=day - 1),
        plan_of_care=plan or _plan(through=None),
    )


def test_p001_fires_when_there_is_no_plan_of_care() -> None:
    (hit,) = p.check_plan_covers_date(make_context(make_visit(plan_of_care=None)))
    assert "No plan of care" in hit.message


def test_p001_fires_the_day_after_the_plans_through_date() -> None:
    visit = make_visit(date_of_service=date(2026, 5, 11), plan_of_care=_plan())
    (hit,) = p.check_plan_covers_date(make_context(visit))
    assert "through 2026-05-10" in hit.message


def test_p001_fires_before_the_plan_starts() -> None:
    visit = make_visit(date_of_service=START - timedelta(days=1), plan_of_care=_plan())
    assert len(list(p.check_plan_covers_date(make_context(visit)))) == 1


def test_p001_does_not_fire_on_the_through_date() -> None:
    visit = make_visit(date_of_service=date(2026, 5, 10), plan_of_care=_plan())
    assert list(p.check_plan_covers_date(make_context(visit))) == []


def test_p002_fires_when_certified_31_days_after_the_start() -> None:
    visit = make_visit(plan_of_care=_plan(certified=START + timedelta(days=31)))
    (hit,) = p.check_initial_certification(make_context(visit))
    assert "31 days after the start of care" in hit.message and hit.severity is None


def test_p002_does_not_fire_when_certified_exactly_30_days_after_the_start() -> None:
    visit = make_visit(plan_of_care=_plan(certified=START + timedelta(days=30)))
    assert list(p.check_initial_certification(make_context(visit))) == []


def test_p002_fires_as_an_error_when_unsigned_past_the_30_days() -> None:
    visit = make_visit(date_of_service=START + timedelta(days=31), plan_of_care=_plan(None))
    (finding,) = run_rules(make_context(visit), [_rule("P002")])
    assert finding.severity is Severity.ERROR and "due 2026-03-12" in finding.message


def test_p002_warns_while_an_unsigned_plan_is_within_its_30_days() -> None:
    visit = make_visit(plan_of_care=_plan(None))
    (finding,) = run_rules(make_context(visit), [_rule("P002")])
    assert finding.severity is Severity.WARNING and "by 2026-03-12" in finding.message


def test_p002_does_not_fire_for_a_payer_that_needs_no_certification() -> None:
    visit = make_visit(payer_id="COMMERCIAL", plan_of_care=_plan(START + timedelta(days=60)))
    assert list(p.check_initial_certification(make_context(visit))) == []


def test_p002_applies_to_any_payer_when_the_pack_requires_certification() -> None:
    visit = make_visit(payer_id="COMMERCIAL", plan_of_care=_plan(START + timedelta(days=60)))
    ctx = make_context(visit, pack=make_pack(certification_required=True))
    assert len(list(p.check_initial_certification(ctx))) == 1


def test_p003_fires_on_day_91_of_the_certification() -> None:
    (hit,) = p.check_recertification(make_context(_on_day(91)))
    assert "this is day 91" in hit.message and "recertification" in hit.message


def test_p003_does_not_fire_on_day_90() -> None:
    assert list(p.check_recertification(make_context(_on_day(90)))) == []


def test_p003_does_not_repeat_p001_after_the_through_date() -> None:
    plan = _plan(through=START + timedelta(days=99))
    visit = _on_day(120, plan)
    assert list(p.check_recertification(make_context(visit))) == []


def test_p003_reads_the_certification_length_from_the_pack() -> None:
    ctx = make_context(_on_day(61), pack=make_pack(recertification_days=60))
    assert len(list(p.check_recertification(ctx))) == 1


@pytest.mark.parametrize(
    ("visit_number", "last_report", "fires"),
    [(10, 0, True), (9, 0, False), (11, 1, True), (10, 1, False), (20, 10, True),
     (19, 10, False), (12, 12, False), (3, None, False), (10, None, True)],
)  # fmt: skip
def test_p004_fires_when_ten_treatment_days_pass_without_a_progress_report(
    visit_number: int, last_report: int | None, fires: bool
) -> None:
    visit = make_visit(episode_visit_number=visit_number, last_progress_report_visit=last_report)
    assert bool(list(p.check_progress_report(make_context(visit)))) is fires


@pytest.mark.parametrize(
    ("visit_number", "last_report", "severity"),
    [(10, 0, Severity.WARNING), (11, 0, Severity.ERROR), (20, 10, Severity.WARNING),
     (21, 10, Severity.ERROR), (11, 1, Severity.WARNING), (12, 1, Severity.ERROR)],
)  # fmt: skip
def test_p004_fires_as_a_warning_on_the_tenth_day_and_an_error_after_it(
    visit_number: int, last_report: int, severity: Severity
) -> None:
    # MBPM ch. 15 §220.3: a report is due at least once every 10 treatment days.
    visit = make_visit(episode_visit_number=visit_number, last_progress_report_visit=last_report)
    rule = _rule("P004")
    (finding,) = run_rules(make_context(visit), [rule])
    assert finding.severity is severity


def test_p004_does_not_fire_without_an_episode_visit_number() -> None:
    visit = make_visit(episode_visit_number=None, last_progress_report_visit=1)
    assert list(p.check_progress_report(make_context(visit))) == []


def test_p004_does_not_fire_for_a_commercial_payer_unless_the_pack_sets_it() -> None:
    visit = make_visit(payer_id="COMMERCIAL", episode_visit_number=15, last_progress_report_visit=1)
    assert list(p.check_progress_report(make_context(visit))) == []
    ctx = make_context(visit, pack=make_pack(progress_report_interval=10))
    assert len(list(p.check_progress_report(ctx))) == 1


def _rule(rule_id: str) -> Rule:
    return next(r for r in p.RULES if r.id == rule_id)
