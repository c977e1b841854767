"""The KPI engine: one documented query per KPI over the store (docs/kpis.md).

``compute_kpis`` builds the whole set for a ``KpiFilters`` period; each KPI is also a
function of its own module (``claims_kpis``, ``ar``, ``revenue``, ``scheduling``, ``sla``).
This package is an adapter over the store: it reads tables with SQLAlchemy Core, pushing
the aggregation into SQL, and runs unchanged on SQLite and PostgreSQL.
"""

from ptrcm.analytics.filters import KpiFilters, Scope
from ptrcm.analytics.report import KpiReport, compute_kpis, report_json

__all__ = ["KpiFilters", "KpiReport", "Scope", "compute_kpis", "report_json"]
