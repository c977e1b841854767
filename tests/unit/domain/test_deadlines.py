from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptrcm.domain.deadlines import (
    WorkItem,
    add_business_days,
    appeal_deadline,
    appeal_rules_for,
    days_remaining,
    filing_deadline,
    next_business_day,
    prioritize,
    priority_score,
)
from ptrcm.domain.money import Money

MEDICARE = appeal_rules_for("medicare")


def test_a_claim_is_due_365_days_after_the_date_of_service() -> None:
    deadline = filing_deadline(date(2026, 3, 2), 365)
    assert deadline.due == date(2027, 3, 2)
    assert deadline.kind == "timely_filing"


def test_medicare_redetermination_counts_120_days_from_presumed_receipt() -> None:
    # remittance 2026-03-10, presumed received 03-15 (+5); 03-15 + 120 days = 2026-07-13:
    # 16 days to Mar 31, 30 in April, 31 in May, 30 in June -> 107, plus 13 in July
    assert MEDICARE is not None
    deadline = appeal_deadline(date(2026, 3, 10), MEDICARE)
    assert deadline.kind == "redetermination"
    assert deadline.counted_from == date(2026, 3, 15)
    assert deadline.due == date(2026, 7, 13)


def test_medicare_reconsideration_counts_180_days_from_the_decision_receipt() -> None:
    # decision 2026-07-20, presumed received 07-25; + 180 days = 2027-01-21
    assert MEDICARE is not None
    deadline = appeal_deadline(date(2026, 7, 20), MEDICARE, second_level=True)
    assert deadline.kind == "reconsideration"
    assert deadline.due == date(2027, 1, 21)


@pytest.mark.parametrize(
    ("as_of", "left"),
    [(date(2026, 7, 12), 1), (date(2026, 7, 13), 0), (date(2026, 7, 14), -1)],
)
def test_days_remaining_is_zero_on_the_due_date_and_negative_after(as_of: date, left: int) -> None:
    assert MEDICARE is not None
    assert appeal_deadline(date(2026, 3, 10), MEDICARE).days_remaining(as_of) == left
    assert days_remaining(date(2026, 7, 13), as_of) == left


def test_a_weekend_deadline_moves_to_monday_only_when_the_payer_rule_says_so() -> None:
    # commercial: 2026-04-06 + 0 + 180 days = Saturday 2026-10-03
    plain = appeal_rules_for("commercial")
    rolled = appeal_rules_for("commercial", roll_to_business_day=True)
    assert plain is not None and rolled is not None
    assert appeal_deadline(date(2026, 4, 6), plain).due == date(2026, 10, 3)
    assert appeal_deadline(date(2026, 4, 6), rolled).due == date(2026, 10, 5)
    holiday = frozenset({date(2026, 10, 5)})
    assert appeal_deadline(date(2026, 4, 6), rolled, holidays=holiday).due == date(2026, 10, 6)


def test_payer_class_windows_are_parameters() -> None:
    medicaid = appeal_rules_for("medicaid", first_level_days=60)
    assert medicaid is not None and medicaid.first_level_days == 60
    assert appeal_rules_for("self_pay") is None
    with pytest.raises(ValueError):
        filing_deadline(date(2026, 1, 1), 0)


def test_business_day_helpers_skip_weekends_and_holidays() -> None:
    friday = date(2026, 7, 10)
    assert next_business_day(friday) == friday
    assert next_business_day(date(2026, 7, 11)) == date(2026, 7, 13)
    assert add_business_days(friday, 1) == date(2026, 7, 13)
    assert add_business_days(friday, 1, frozenset({date(2026, 7, 13)})) == date(2026, 7, 14)


def test_the_priority_formula_weighs_dollars_by_urgency() -> None:
    # 100.00 due today: 100 x (1 + 30/1) = 3100.00
    # 1000.00 due in 29 days: 1000 x (1 + 30/30) = 2000.00
    # 2000.00 due in 365 days: 2000 x (1 + 30/366) = 2163.934... -> 2163.93
    assert priority_score(Money.of("100.00"), 0) == Decimal("3100.00")
    assert priority_score(Money.of("1000.00"), 29) == Decimal("2000.00")
    assert priority_score(Money.of("2000.00"), 365) == Decimal("2163.93")
    assert priority_score(Money.of("5000.00"), -1) == Decimal("0.00")


def test_the_work_queue_puts_urgent_dollars_first_and_expired_items_last() -> None:
    as_of = date(2026, 6, 1)
    items = [
        WorkItem("expired", Money.of("5000.00"), as_of - timedelta(days=1)),
        WorkItem("big-later", Money.of("1000.00"), as_of + timedelta(days=29)),
        WorkItem("small-today", Money.of("100.00"), as_of),
        WorkItem("biggest-far", Money.of("2000.00"), as_of + timedelta(days=365)),
    ]
    order = [r.item.item_id for r in prioritize(items, as_of)]
    assert order == ["small-today", "biggest-far", "big-later", "expired"]
    assert prioritize(items, as_of)[-1].expired


@given(
    st.decimals(min_value=0, max_value=10000, places=2),
    st.integers(min_value=0, max_value=400),
)
def test_more_dollars_or_a_nearer_deadline_never_lowers_the_priority(
    amount: Decimal, days: int
) -> None:
    money = Money(amount)
    assert priority_score(money + Money.of("1.00"), days) >= priority_score(money, days)
    assert priority_score(money, days) >= priority_score(money, days + 1)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_a_rolled_deadline_is_a_business_day_at_most_two_days_later(day: date) -> None:
    rolled = appeal_rules_for("commercial", roll_to_business_day=True)
    assert rolled is not None
    due = appeal_deadline(day, rolled).due
    plain = day + timedelta(days=180)
    assert due.weekday() < 5
    assert 0 <= (due - plain).days <= 2
