"""Figures shared between the reads of one page equal the KPI functions called directly.

The March clinic (conftest) plus claims that make sharing and multi-day aging awkward:

======  =====  ==========  ======  ==================================================
claim   payer  DOS         charge  what happened
======  =====  ==========  ======  ==================================================
C8      MCR    2026-01-10  400     paid 100 on 02-05 and 150 on 03-10 (both sides of
                                   every February and early-March day); still open
C9      BCBS   2026-01-20  200     paid 200 on 02-10 (paid), reversed on 03-03 (status
                                   22, -200), paid 150 on 03-12 (paid again)
C10     MCR    2026-03-31  120     paid 120 on 03-31, the period's last day
======  =====  ==========  ======  ==================================================

Each provider of the dashboard, read in one request (``one_version_check``: the figures
shared), must answer what it answers read alone; every ``SharedFigures`` figure, one memo
kept across periods, filters and organizations, must equal its KPI function called
directly; the aging of many days in one pass must equal each day's aging alone.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ptrcm.analytics import KpiFilters, Scope, ar, claims_kpis, compute_kpis, revenue
from ptrcm.analytics.activity import cash_by_day
from ptrcm.analytics.report import _plain
from ptrcm.analytics.review import target_figures
from ptrcm.analytics.shared_figures import SharedFigures
from ptrcm.store.repository import Store
from ptrcm.web.ports import Period
from ptrcm.web.read_cache import one_version_check
from ptrcm.web.store_data import StoreData
from tests.integration.analytics.clinic import Clinic
from tests.integration.analytics.conftest import build_march

PERIODS = [
    Period(date(2026, 3, 1), date(2026, 3, 31)),
    Period(date(2026, 1, 7), date(2026, 3, 31)),  # 84 days: three month ends, Jan-Mar
    Period(date(2026, 2, 10), date(2026, 3, 3)),  # ends on the reversal's day
    Period(date(2025, 12, 1), date(2026, 2, 5)),
]
D = Decimal
FEB_20, MAR_3 = date(2026, 2, 20), date(2026, 3, 3)
MONTH_ENDS = {date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)}
NARROWINGS: list[dict[str, str]] = [
    {},
    {"payer_class": "medicare"},
    {"payer": "BCBS"},
    {"location": "MAIN"},
    {"therapist": "1111111112"},
]


def _awkward(c: Clinic) -> None:
    for pcn, payer, dos, charge, state in [
        ("C8", "MCR", "2026-01-10", "400.00", "partially_paid"),
        ("C9", "BCBS", "2026-01-20", "200.00", "paid"),
        ("C10", "MCR", "2026-03-31", "120.00", "paid"),
    ]:
        c.patient(f"P-{pcn}")
        c.visit(f"V-{pcn}", f"P-{pcn}", payer, dos, "NORTH" if pcn == "C9" else "MAIN", "ANA")
        c.claim(pcn, f"P-{pcn}", payer, dos, charge, state, dos, dos)
    c.remit("C8", "2026-02-05", "400.00", "100.00", adjust=[("CO", "45", "20.00")])
    c.remit("C8", "2026-03-10", "400.00", "150.00")
    c.remit("C9", "2026-02-10", "200.00", "200.00")
    c.transition("C9", "paid", "2026-02-10")
    c.remit("C9", "2026-03-03", "-200.00", "-200.00", status="22")
    c.transition("C9", "partially_paid", "2026-03-03")
    c.remit("C9", "2026-03-12", "200.00", "150.00", adjust=[("CO", "45", "50.00")])
    c.transition("C9", "paid", "2026-03-12")
    c.remit("C10", "2026-03-31", "120.00", "120.00")
    c.transition("C10", "paid", "2026-03-31")


@pytest.fixture
def clinic(store: Store) -> tuple[Store, int, int]:
    org = store.create_organization("shared", "Shared figures clinic")
    other = store.create_organization("other", "Another clinic")
    with store.engine.begin() as conn:
        c = Clinic(conn, org)
        build_march(c)
        _awkward(c)
        c.refresh_facts()
        build_march(Clinic(conn, other))  # same shape, one claim less: another answer
    return store, org, other


def _json(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, default=str)


def _page(data: StoreData, period: Period) -> list[Any]:
    return [
        data.kpi_tiles(period),
        data.ar_aging(period.end),
        data.denial_reasons(period),
        data.first_pass_trend(period),
        data.cash_and_visits(period),
        data.days_in_ar_trend(period),
        data.goals(period),
    ]


def _alone(data: StoreData, period: Period) -> list[Any]:
    """Each provider in its own request, as the API's endpoints read them."""
    out = []
    for read in (
        data.kpi_tiles, lambda p: data.ar_aging(p.end), data.denial_reasons,
        data.first_pass_trend, data.cash_and_visits, data.days_in_ar_trend, data.goals,
    ):  # fmt: skip
        with one_version_check():
            out.append(read(period))
    return out


def test_one_page_load_reads_what_each_provider_reads_alone(
    clinic: tuple[Store, int, int],
) -> None:
    store, org, other = clinic
    for org_id in (org, other):
        data = StoreData(store, org_id)
        with one_version_check():  # one request: every period's page shares one memo
            pages = [_page(data, period) for period in PERIODS]
        for period, page in zip(PERIODS, pages, strict=True):
            assert _json(page) == _json(_alone(data, period)), period
            assert _json(page) == _json(_page(data, period))  # outside a request too


def _direct_tiles(scope: Scope, f: KpiFilters) -> dict[str, Any]:
    rows = revenue.net_revenue_per_visit(scope, f)
    return {
        "clean": claims_kpis.clean_claim_rate(scope, f),
        "first_pass": claims_kpis.first_pass_rate(scope, f),
        "first_pass_days": claims_kpis.first_pass_by_day(scope, f),
        "denials": claims_kpis.initial_denial_rate(scope, f),
        "collection": ar.net_collection_rate(scope, f),
        "days_in_ar": ar.days_in_ar(scope, f, f.end),
        "cash": cash_by_day(scope, f),
        "revenue": rows,
    }


def _shared_tiles(shared: SharedFigures, scope: Scope, f: KpiFilters) -> dict[str, Any]:
    return {
        "clean": shared.clean_claim_rate(scope, f),
        "first_pass": shared.first_pass_rate(scope, f),
        "first_pass_days": shared.first_pass_by_day(scope, f),
        "denials": shared.initial_denial_rate(scope, f),
        "collection": shared.net_collection_rate(scope, f),
        "days_in_ar": shared.days_in_ar(scope, f, f.end),
        "cash": shared.cash_by_day(scope, f),
        "revenue": shared.net_revenue_per_visit(scope, f),
    }


def test_shared_figures_equal_the_kpi_functions_for_every_period_and_filter(
    clinic: tuple[Store, int, int],
) -> None:
    store, org, other = clinic
    shared = SharedFigures()  # one memo across organizations, periods and filters
    with store.engine.connect() as conn:
        for org_id in (org, other):
            scope = Scope(conn, org_id)
            for period in PERIODS:
                for narrow in NARROWINGS:
                    f = KpiFilters(period.start, period.end, **narrow)
                    label = (org_id, period, narrow)
                    direct = _direct_tiles(scope, f)
                    assert _json(_shared_tiles(shared, scope, f)) == _json(direct), label
                    assert _json(shared.aging(scope, f, f.end)) == _json(
                        ar.ar_aging(scope, f, f.end)
                    ), label
                    assert _json(target_figures(scope, f, shared)) == _json(
                        target_figures(scope, f)
                    ), label
                whole = KpiFilters(period.start, period.end)  # compute_kpis shares its aging
                report = compute_kpis(scope, whole, period.end)
                assert _json(report.days_in_ar) == _json(ar.days_in_ar(scope, whole, period.end))


def test_aging_of_many_days_in_one_pass_equals_each_day_alone(
    clinic: tuple[Store, int, int],
) -> None:
    store, org, _ = clinic
    paid_on = [date(2026, 2, 5), date(2026, 2, 10), FEB_20, MAR_3, date(2026, 3, 10),
               date(2026, 3, 12), date(2026, 3, 31)]  # fmt: skip
    days = sorted({d + timedelta(days=n) for d in paid_on for n in (-1, 0, 1)} | MONTH_ENDS)
    with store.engine.connect() as conn:
        scope = Scope(conn, org)
        for narrow in NARROWINGS[:2] + NARROWINGS[3:4]:
            f = KpiFilters(days[0], days[-1], **narrow)
            shared = SharedFigures()
            shared.aging(scope, f, date(2026, 3, 4))  # one day known before the rest
            together = shared.aging_on(scope, f, days)
            for day in days:
                alone = ar.ar_aging_on(scope, f, [day])[day]
                assert _json(together[day]) == _json(alone), (narrow, day)
                assert _json(shared.days_in_ar(scope, f, day)) == _json(
                    ar.days_in_ar(scope, f, day)
                ), (narrow, day)
        # The awkward claims are in it: C8 paid on both sides of 02-20 (400 - 120 left),
        # C9 reversed on 03-03 (its 200 receivable again), both 31-60 days old then.
        unfiltered = KpiFilters(days[0], days[-1])
        feb_20 = {r.payer_class: r.buckets[1] for r in ar.ar_aging(scope, unfiltered, FEB_20)}
        march_3 = {r.payer_class: r.buckets[1] for r in ar.ar_aging(scope, unfiltered, MAR_3)}
    assert (feb_20["medicare"], march_3["commercial"]) == (D("280.00"), D("200.00"))
