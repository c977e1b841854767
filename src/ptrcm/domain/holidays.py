"""US federal holidays and workdays, for deadlines that move off non-workdays.

The legal public holidays of 5 U.S.C. §6103(a), observed as federal employees observe
them (5 U.S.C. §6103(b), Executive Order 11582): a holiday on a Saturday is observed the
Friday before, one on a Sunday the Monday after. Juneteenth (June 19) is a holiday from
2021 (Pub. L. 117-17). Pure functions of the year: no calendar data is shipped.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

MONDAY, THURSDAY = 0, 3
JUNETEENTH_FROM = 2021


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 Monday) of a month; ``n = -1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _holidays_of(year: int) -> list[date]:
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    if year >= JUNETEENTH_FROM:
        fixed.append(date(year, 6, 19))
    moving = [
        nth_weekday(year, 1, MONDAY, 3),  # Birthday of Martin Luther King, Jr.
        nth_weekday(year, 2, MONDAY, 3),  # Washington's Birthday
        nth_weekday(year, 5, MONDAY, -1),  # Memorial Day
        nth_weekday(year, 9, MONDAY, 1),  # Labor Day
        nth_weekday(year, 10, MONDAY, 2),  # Columbus Day
        nth_weekday(year, 11, THURSDAY, 4),  # Thanksgiving Day
    ]
    return [_observed(d) for d in fixed] + moving


@cache
def us_federal_holidays(year: int) -> frozenset[date]:
    """The days in ``year`` on which a federal holiday is observed.

    New Year's Day on a Saturday is observed on December 31 of the year before, so that
    day belongs to the earlier year's set.
    """
    days = [*_holidays_of(year), *_holidays_of(year + 1)]
    return frozenset(d for d in days if d.year == year)


def is_workday(day: date) -> bool:
    """Monday to Friday and not an observed federal holiday."""
    return day.weekday() < 5 and day not in us_federal_holidays(day.year)


def next_workday(day: date) -> date:
    """``day`` itself when it is a workday, else the first workday after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day
