"""The dashboard's store-backed providers show the same numbers as the KPI report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ptrcm.analytics import Scope, compute_kpis
from ptrcm.store.repository import Store
from ptrcm.web.ports import Period, QueueName
from ptrcm.web.store_data import StoreData
from tests.integration.analytics.clinic import Clinic
from tests.integration.analytics.conftest import MARCH, build_march

D = Decimal


def test_dashboard_tiles_equal_the_report_for_the_same_period(store: Store) -> None:
    org = store.create_organization("web", "Web")
    with store.engine.begin() as conn:
        build_march(Clinic(conn, org))
    data = StoreData(store, org)
    tiles = {t.key: t for t in data.kpi_tiles(Period(date(2026, 3, 1), date(2026, 3, 31)))}
    with store.engine.connect() as conn:
        report = compute_kpis(Scope(conn, org), MARCH, date(2026, 3, 31))
    assert tiles["first_pass_rate"].value == report.first_pass_rate.rate == D("0.2000")
    assert tiles["denial_rate"].value == report.initial_denial_rate.claims.rate
    assert tiles["days_in_ar"].value == report.days_in_ar.days == D("62.6")
    assert tiles["net_collection_rate"].value == report.net_collection.ratio.rate
    assert tiles["net_revenue_per_visit"].value == report.net_revenue_per_visit == D("81.67")
    # Cash in March: payers 120 + 0 + 150 + 150 + 0 (C5) + 40 = 460, patient 30: 490.
    assert tiles["cash_collected"].value == D("490.00")
    assert tiles["visits"].value == 6
    aging = {r.payer_class: r.total for r in data.ar_aging(date(2026, 3, 31))}
    assert aging == {"commercial": D("600.00"), "medicare": D("40.00")}
    assert [r.carc for r in data.denial_reasons(Period(date(2026, 3, 1), date(2026, 3, 31)))] == [
        "50",
        "197",
    ]
    assert data.queue(QueueName.denials) == []
