"""Medicare sequestration by date of service (the 2% payment reduction and its pauses).

The Budget Control Act of 2011 reduces Medicare fee-for-service payments by 2% from
2013-04-01 (2 U.S.C. 901a). Congress suspended it from 2020-05-01 (CARES Act §3709),
extended the suspension through 2021 (Pub. L. 116-260, Pub. L. 117-7) and through
2022-03-31, then set 1% for 2022-04-01 to 2022-06-30 and the full 2% after that
(Protecting Medicare and American Farmers from Sequester Cuts Act, Pub. L. 117-71
§2). CMS applies it to the payment after deductible and coinsurance, by the claim's
date of service. A contract's explicit ``sequestration_rate`` replaces this schedule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# (first date of service, rate) in date order; before the first entry: no reduction.
MEDICARE_SCHEDULE: tuple[tuple[date, Decimal], ...] = (
    (date(2013, 4, 1), Decimal("0.02")),
    (date(2020, 5, 1), Decimal("0")),
    (date(2022, 4, 1), Decimal("0.01")),
    (date(2022, 7, 1), Decimal("0.02")),
)


def rate_on(schedule: tuple[tuple[date, Decimal], ...], day: date) -> Decimal:
    """The rate in force on ``day`` under ``schedule`` (0 before its first entry)."""
    rate = Decimal("0")
    for start, value in schedule:
        if day >= start:
            rate = value
        else:
            break
    return rate
