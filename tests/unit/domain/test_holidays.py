"""US federal holidays (5 U.S.C. 6103, observed per EO 11582) and the Medicare filing
deadline (42 CFR 424.44; MCPM ch. 1 §70), checked against published calendars."""

from __future__ import annotations

from datetime import date

import pytest

from ptrcm.domain.deadlines import medicare_filing_deadline
from ptrcm.domain.holidays import is_workday, next_workday, us_federal_holidays


def test_the_2024_federal_holidays_are_the_eleven_opm_lists() -> None:
    # OPM's 2024 federal holiday calendar.
    assert us_federal_holidays(2024) == {
        date(2024, 1, 1), date(2024, 1, 15), date(2024, 2, 19), date(2024, 5, 27),
        date(2024, 6, 19), date(2024, 7, 4), date(2024, 9, 2), date(2024, 10, 14),
        date(2024, 11, 11), date(2024, 11, 28), date(2024, 12, 25),
    }  # fmt: skip


def test_weekend_holidays_are_observed_on_the_nearest_weekday() -> None:
    # 2021: Juneteenth (a Saturday) observed Friday June 18; July 4 (a Sunday) on Monday 5;
    # Christmas (a Saturday) on Friday 24; New Year's Day 2022 (a Saturday) on 2021-12-31.
    days = us_federal_holidays(2021)
    assert {date(2021, 6, 18), date(2021, 7, 5), date(2021, 12, 24), date(2021, 12, 31)} <= days
    assert date(2022, 1, 1) not in us_federal_holidays(2022)
    assert date(2020, 6, 19) not in us_federal_holidays(2020)  # Juneteenth from 2021
    assert len(us_federal_holidays(2023)) == 11  # 2023-01-02 observed New Year's Day
    assert date(2023, 1, 2) in us_federal_holidays(2023)


def test_next_workday_skips_weekends_and_holidays() -> None:
    assert next_workday(date(2025, 11, 27)) == date(2025, 11, 28)  # Thanksgiving
    assert next_workday(date(2026, 7, 3)) == date(2026, 7, 6)  # observed July 4, weekend
    assert is_workday(date(2026, 3, 3))


@pytest.mark.parametrize(
    ("service", "due"),
    [
        (date(2025, 3, 3), date(2026, 3, 3)),  # a Tuesday: one calendar year
        (date(2025, 3, 1), date(2026, 3, 2)),  # 2026-03-01 is a Sunday: next workday
        (date(2024, 2, 29), date(2025, 2, 28)),  # February 29: due February 28
        (date(2024, 12, 25), date(2025, 12, 26)),  # Christmas 2025: next workday
        (date(2025, 1, 19), date(2026, 1, 20)),  # 2026-01-19 is MLK Day
    ],
)
def test_medicare_filing_is_due_one_calendar_year_after_on_a_workday(
    service: date, due: date
) -> None:
    assert medicare_filing_deadline(service).due == due
