"""Figures that several reads of one page ask for, computed once per page.

One load of the web dashboard asks for the A/R aging of the period's last day three times
(the aging chart, the days-in-A/R tile, the last point of the days-in-A/R trend), for the
tile KPIs of the period twice (the tiles and the page's goals) and for the period's cash
per day twice (the cash tile and the weekly chart). ``SharedFigures`` keeps every figure it
has computed under the organization, the function and what the figure depends on, and
answers the next ask from memory; the aging of several days it does not know yet is one
pass over the candidate claims (``ar.ar_aging_on``).

Each figure is the result of the same KPI function a read would call without it, so a
read answers the same with or without sharing (tests/integration/analytics/
test_shared_figures.py compares them). Keep one only while the data cannot change under
it: the web opens one per read-only request (``ptrcm.web.read_cache.one_version_check``).
The lists and dictionaries it returns are shared between the reads: never mutate them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from ptrcm.analytics import activity, ar, claims_kpis, revenue
from ptrcm.analytics.filters import KpiFilters, Scope

T = TypeVar("T")
# What the claim-facts A/R figures depend on besides the day: the filters but their dates.
Narrowing = tuple[int, str | None, str | None, str | None, str | None]


def _narrowing(scope: Scope, f: KpiFilters) -> Narrowing:
    return (scope.org_id, f.payer_class, f.payer, f.location, f.therapist)


class SharedFigures:
    """A memo of KPI figures for one page load (one thread, data unchanged meanwhile)."""

    def __init__(self) -> None:
        self._aging: dict[tuple[Narrowing, date], list[ar.AgingRow]] = {}
        self._memo: dict[Hashable, Any] = {}

    def _once(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # A/R: aging and days in A/R depend on the filters' narrowing and the day, not the dates
    def aging_on(
        self, scope: Scope, f: KpiFilters, days: Sequence[date]
    ) -> dict[date, list[ar.AgingRow]]:
        """``ar.ar_aging_on``: the days not computed yet in one pass, the others from memory."""
        narrow = _narrowing(scope, f)
        missing = sorted({day for day in days if (narrow, day) not in self._aging})
        if missing:
            for day, rows in ar.ar_aging_on(scope, f, missing).items():
                self._aging[(narrow, day)] = rows
        return {day: self._aging[(narrow, day)] for day in days}

    def aging(self, scope: Scope, f: KpiFilters, day: date) -> list[ar.AgingRow]:
        """``ar.ar_aging`` on ``day``."""
        return self.aging_on(scope, f, [day])[day]

    def days_in_ar(self, scope: Scope, f: KpiFilters, day: date) -> ar.DaysInAr:
        """``ar.days_in_ar`` on ``day``, from the shared aging of that day."""
        return self._once(
            ("days_in_ar", _narrowing(scope, f), day),
            lambda: ar.days_in_ar_from(scope, f, day, self.aging(scope, f, day)),
        )

    # period figures: these depend on the whole filters, dates included
    def clean_claim_rate(self, scope: Scope, f: KpiFilters) -> claims_kpis.Ratio:
        return self._once(
            ("clean_claim_rate", scope.org_id, f),
            lambda: claims_kpis.clean_claim_rate(scope, f),
        )

    def first_adjudication_days(
        self, scope: Scope, f: KpiFilters
    ) -> list[claims_kpis.FirstAdjudicationDay]:
        """``claims_kpis.first_adjudication_days``: the first-pass, initial denial and net
        collection rates and the first-pass trend of a period from one read."""
        return self._once(
            ("first_adjudication_days", scope.org_id, f),
            lambda: claims_kpis.first_adjudication_days(scope, f),
        )

    def first_pass_by_day(self, scope: Scope, f: KpiFilters) -> list[claims_kpis.DailyFirstPass]:
        return claims_kpis.first_pass_days(self.first_adjudication_days(scope, f))

    def first_pass_rate(self, scope: Scope, f: KpiFilters) -> claims_kpis.Ratio:
        return claims_kpis.first_pass_rate_of(self.first_adjudication_days(scope, f))

    def initial_denial_rate(self, scope: Scope, f: KpiFilters) -> claims_kpis.DenialRate:
        return claims_kpis.initial_denial_rate_of(self.first_adjudication_days(scope, f))

    def net_collection_rate(self, scope: Scope, f: KpiFilters) -> ar.NetCollection:
        return ar.net_collection_of(self.first_adjudication_days(scope, f))

    def net_revenue_per_visit(self, scope: Scope, f: KpiFilters) -> list[revenue.RevenueRow]:
        return self._once(
            ("net_revenue_per_visit", scope.org_id, f),
            lambda: revenue.net_revenue_per_visit(scope, f),
        )

    def cash_by_day(self, scope: Scope, f: KpiFilters) -> dict[date, Decimal]:
        return self._once(("cash_by_day", scope.org_id, f), lambda: activity.cash_by_day(scope, f))
