"""History helpers: earlier visits, plan years, and the visits-used count."""

from __future__ import annotations

from datetime import date

from ptrcm.domain.visits import Benefits
from ptrcm.rules.history import count_before, earlier_visits, plan_year_start, treatment_days

from .builders import earlier, make_context, make_visit


def _counter(v: object) -> int | None:
    benefits = getattr(v, "benefits", None)
    return benefits.visits_used if benefits else None


def test_earlier_visits_skip_the_visit_itself_duplicates_and_later_dates() -> None:
    a = earlier("V-A", date(2026, 2, 1))
    b = earlier("V-B", date(2026, 2, 8))
    itself = make_visit()
    later = earlier("V-Z", date(2026, 4, 1))
    ctx = make_context(history=[a, b, b, itself, later])
    assert [v.visit_id for v in earlier_visits(ctx)] == ["V-A", "V-B"]


def test_earlier_visits_since_a_date_stop_at_the_window() -> None:
    history = [earlier("V-A", date(2026, 1, 5)), earlier("V-B", date(2026, 2, 8))]
    ctx = make_context(history=history)
    assert [v.visit_id for v in earlier_visits(ctx, since=date(2026, 2, 1))] == ["V-B"]


def test_the_plan_year_is_the_calendar_year_without_an_anchor() -> None:
    assert plan_year_start(date(2026, 3, 2), None) == date(2026, 1, 1)


def test_the_plan_year_renews_on_the_anchor_anniversary() -> None:
    anchor = date(2024, 7, 1)
    assert plan_year_start(date(2026, 3, 2), anchor) == date(2025, 7, 1)
    assert plan_year_start(date(2026, 7, 1), anchor) == date(2026, 7, 1)


def test_a_leap_day_anchor_renews_on_28_february_in_common_years() -> None:
    assert plan_year_start(date(2026, 3, 2), date(2024, 2, 29)) == date(2026, 2, 28)


def test_treatment_days_count_two_visits_on_one_day_once() -> None:
    same_day = [earlier("V-A", date(2026, 2, 1)), earlier("V-B", date(2026, 2, 1))]
    assert treatment_days(same_day) == {date(2026, 2, 1)}


def test_the_record_counter_is_authoritative_and_history_is_not_added() -> None:
    prior = [earlier("V-A", date(2026, 2, 1))]
    assert count_before(6, lambda: prior, _counter) == 6


def test_without_a_counter_the_latest_counted_visit_anchors_the_count() -> None:
    prior = [
        earlier("V-A", date(2026, 2, 1), benefits=Benefits(visits_used=3)),
        earlier("V-B", date(2026, 2, 8), benefits=Benefits(visits_used=4)),
        earlier("V-C", date(2026, 2, 15)),
    ]
    # V-B had 4 before it; V-B and V-C make 6 before this visit.
    assert count_before(None, lambda: prior, _counter) == 6


def test_without_any_counter_every_counted_visit_counts_once() -> None:
    prior = [earlier("V-A", date(2026, 2, 1)), earlier("V-B", date(2026, 2, 8))]
    assert count_before(None, lambda: prior, _counter) == 2
