"""The claims list and the claims behind a dashboard figure, read for the web: the same
``ptrcm.analytics.claims_list`` queries as the KPIs' own sets (``analytics.drilldown``),
so a tile's link opens exactly the claims the tile counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal

from ptrcm.analytics.claims_list import kpi_parts, list_claims, list_visits
from ptrcm.analytics.drilldown import PartTotal, figure
from ptrcm.analytics.filters import Scope
from ptrcm.domain.claim_lists import (
    DRILLS,
    ClaimFilter,
    ClaimPage,
    KpiSlice,
    VisitPage,
    drilldown,
)
from ptrcm.web import ports as p

ZERO = Decimal("0.00")


def _empty(flt: ClaimFilter) -> ClaimPage | VisitPage:
    if flt.kpi is not None and flt.kpi.lists == "visits":
        return VisitPage((), 0, flt.page, flt.size)
    return ClaimPage((), 0, ZERO, ZERO, ZERO, 0, flt.page, flt.size)


class ClaimLists:
    """Mixed into ``StoreData``: ``_scope`` opens a read scope of the organization,
    ``today`` is the clinic's day, ``provider`` a therapist's scope (who sees no lists:
    the lists span every therapist's patients, and the route needs the dashboard right)."""

    provider: int | None
    _scope: Callable[[], AbstractContextManager[Scope]]
    today: Callable[[], date]

    def claim_list(self, flt: ClaimFilter) -> ClaimPage | VisitPage:
        if self.provider is not None:
            return _empty(flt)
        with self._scope() as scope:
            if flt.kpi is not None and flt.kpi.lists == "visits":
                return list_visits(scope, flt)
            return list_claims(scope, flt, self.today())

    def drill_figure(self, s: KpiSlice) -> p.DrillFigure:
        filters = drilldown(s.kpi, s.start, s.end, payer_class=s.payer_class,
                            bucket=s.bucket, carc=s.carc)  # fmt: skip
        if self.provider is not None:
            return p.DrillFigure(s.kpi, (), None)
        with self._scope() as scope:
            parts = kpi_parts(scope, filters, self.today())
        return p.DrillFigure(s.kpi, tuple(_totals(s.kpi, parts)), figure(s.kpi, parts))


def _totals(kpi: str, parts: Mapping[str, PartTotal]) -> Iterator[p.DrillTotal]:
    for part in DRILLS[kpi]:
        found = parts[part.name]
        yield p.DrillTotal(part.name, part.label, part.measure, part.lists,
                           found.rows, found.weight, found.measure)  # fmt: skip
