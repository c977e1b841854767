"""Every dashboard figure has its claims behind it: on a demo clinic (both backends) the
lists a tile, an aging cell, a denial-reason bar or a chart point links to add up to the
figure the dashboard shows, by the KPI's own definition.

The demo (24 patients, three months from 5 January 2026, seed 11) goes through the whole
flow: claims built, scrubbed, submitted, answered by the payer simulator, remittances
posted, appeals sent. The dashboard's period is the demo's whole span.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from ptrcm.analytics import Scope
from ptrcm.analytics.claims_list import kpi_parts, list_claims
from ptrcm.analytics.drilldown import PartTotal, figure
from ptrcm.cli import app
from ptrcm.domain.claim_lists import AGE_BUCKETS, DRILLS, ClaimFilter, drilldown
from ptrcm.store.repository import Store
from ptrcm.store.tables import remittance_transactions as t
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from ptrcm.web.ports import Period
from ptrcm.web.store_data import StoreData
from tests.integration.conftest import POSTGRES_ENV, _postgres_schema_url
from tests.web_access import signed_in

START, MONTHS = date(2026, 1, 5), 3
TILES = ("clean_claim_rate", "first_pass_rate", "denial_rate", "net_collection_rate",
         "days_in_ar", "cash_collected", "visits", "net_revenue_per_visit")  # fmt: skip


@dataclass
class Demo:
    store: Store
    org: int
    today: date
    url: str

    @property
    def period(self) -> Period:
        return Period(START, self.today)

    def data(self) -> StoreData:
        return StoreData(self.store, self.org, lambda: self.today)


def _run_demo(url: str, out: Path) -> None:
    args = ["demo", "--db", url, "--out", str(out), "--patients", "24", "--months",
            str(MONTHS), "--seed", "11", "--start", START.isoformat()]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def _last_posting_day(store: Store, org: int) -> date:
    with store.engine.connect() as conn:
        query = select(func.max(t.c.payment_date)).where(t.c.org_id == org)
        found = conn.execute(query).scalar_one()
    assert isinstance(found, date)
    return found


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("drill")
    if request.param == "sqlite":
        yield from _demo_on(f"sqlite:///{folder / 'demo.db'}", folder)
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL half skipped: set {POSTGRES_ENV}")
    schema = f"ptrcm_drill_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_postgres_schema_url(base, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield from _demo_on(_postgres_schema_url(base, schema), folder)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _demo_on(url: str, folder: Path) -> Iterator[Demo]:
    _run_demo(url, folder / "out")
    store = Store.open(url)
    try:
        org = store.organization_id("default")
        assert org is not None
        # The dashboard as the demo's last day shows it: the day its last remittance posted.
        yield Demo(store, org, _last_posting_day(store, org), url)
    finally:
        store.close()


def _figure(demo: Demo, kpi: str, start: date, end: date, **cell: str) -> Decimal | None:
    with demo.store.engine.connect() as conn:
        parts = kpi_parts(Scope(conn, demo.org), drilldown(kpi, start, end, **cell), demo.today)
    return figure(kpi, parts)


@pytest.mark.slow
@pytest.mark.parametrize("tile", TILES)
def test_the_claims_behind_a_tile_add_up_to_the_tile(demo: Demo, tile: str) -> None:
    tiles = {t.key: t.value for t in demo.data().kpi_tiles(demo.period)}
    assert tiles[tile] is not None, "the demo must give every tile a figure"
    assert _figure(demo, tile, demo.period.start, demo.period.end) == tiles[tile]


@pytest.mark.slow
def test_the_denied_dollars_behind_the_denial_rate_are_the_dollar_rate(demo: Demo) -> None:
    from ptrcm.analytics import KpiFilters
    from ptrcm.analytics.claims_kpis import initial_denial_rate
    from ptrcm.analytics.sql import rate

    span = demo.period
    with demo.store.engine.connect() as conn:
        scope = Scope(conn, demo.org)
        parts = kpi_parts(scope, drilldown("denial_rate", span.start, span.end), demo.today)
        kpi = initial_denial_rate(scope, KpiFilters(span.start, span.end))
    assert parts["denied"].rows == kpi.claims.numerator > 0
    assert parts["denied"].measure == kpi.dollars.numerator
    assert parts["adjudicated"].measure == kpi.dollars.denominator
    assert rate(parts["denied"].measure, parts["adjudicated"].measure) == kpi.dollars.rate


@pytest.mark.slow
def test_every_aging_cell_is_the_balance_of_the_claims_behind_it(demo: Demo) -> None:
    rows = demo.data().ar_aging(demo.today)
    assert rows and sum(r.total for r in rows) > 0
    cells = 0
    for row in rows:
        amounts = (row.d0_30, row.d31_60, row.d61_90, row.d91_120, row.d120_plus)
        for bucket, amount in zip(AGE_BUCKETS, amounts, strict=True):
            got = _figure(demo, "ar_aging", demo.today, demo.today,
                          payer_class=row.payer_class, bucket=bucket)  # fmt: skip
            assert got == amount, (row.payer_class, bucket)
            cells += amount != 0
    assert cells >= 3


@pytest.mark.slow
def test_every_denial_reason_bar_is_its_claims_denials(demo: Demo) -> None:
    reasons = demo.data().denial_reasons(demo.period)
    assert reasons
    with demo.store.engine.connect() as conn:
        scope = Scope(conn, demo.org)
        for r in reasons:
            (flt,) = drilldown("denial_reason", demo.period.start, demo.period.end,
                               carc=r.carc).values()  # fmt: skip
            page = list_claims(scope, flt, demo.today)
            assert (page.weight, page.measure) == (r.count, r.amount), r.carc


def _month_end(month: date, last: date) -> date:
    return min((month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
               last)  # fmt: skip


@pytest.mark.slow
def test_every_point_of_the_monthly_charts_is_its_month_of_claims(demo: Demo) -> None:
    data, span = demo.data(), demo.period
    points = data.first_pass_trend(span)
    assert points
    for point in points:
        start = max(point.month, span.start)
        got = _figure(demo, "first_pass_rate", start, _month_end(point.month, span.end))
        assert (got or Decimal(0)) == point.rate, point.month
    days = data.days_in_ar_trend(span)
    assert days
    for point in days:
        end = _month_end(point.month, span.end)
        assert _figure(demo, "days_in_ar", end, end) == point.days, point.month


@pytest.mark.slow
def test_every_week_of_cash_and_visits_is_its_claims_and_visits(demo: Demo) -> None:
    span = demo.period
    weeks = demo.data().cash_and_visits(span)
    assert sum(w.cash for w in weeks) > 0
    for week in weeks:
        start, end = max(week.week_start, span.start), min(week.week_start + timedelta(6), span.end)
        assert _figure(demo, "cash_collected", start, end) == week.cash, week.week_start
        assert _figure(demo, "visits", start, end) == week.visits, week.week_start


@pytest.mark.slow
def test_every_kpi_set_is_listed_and_the_sets_narrow_like_the_kpis(demo: Demo) -> None:
    """Each set of every KPI runs (claims or visits); narrowed by payer, a set holds only
    that payer's claims."""
    span = demo.period
    with demo.store.engine.connect() as conn:
        scope = Scope(conn, demo.org)
        everything = list_claims(scope, ClaimFilter(size=500), demo.today)
        payer = everything.rows[0].payer
        for kpi in DRILLS:
            cell = {"ar_aging": {"payer_class": "medicare", "bucket": "0-30"},
                    "denial_reason": {"carc": "50"}}.get(kpi, {})  # fmt: skip
            for flt in drilldown(kpi, span.start, span.end, **cell).values():
                if flt.kpi is not None and flt.kpi.lists == "visits":
                    continue
                narrowed = ClaimFilter(kpi=flt.kpi, payer=payer, size=500)
                page = list_claims(scope, narrowed, demo.today)
                assert {r.payer for r in page.rows} <= {payer}
                assert page.total <= list_claims(scope, flt, demo.today).total


TILE = re.compile(
    r'<a class="tile-link" href="(/claims\?[^"]+)"[^>]*>[^<]*</a></div>\s*'
    r'<div class="tile-value" data-kpi="([^"]+)" data-value="([^"]*)"'
)
PART = re.compile(
    r'class="drill-part" data-part="([^"]+)" data-lists="([^"]+)" data-rows="(\d+)"'
    r' data-count="(\d+)" data-sum="([^"]+)"'
)
ROW = re.compile(r'class="list-row" data-(?:claim|visit)="[^"]+" data-weight="(\d+)"'
                 r'(?: data-measure="([^"]*)")?')  # fmt: skip


def _walk(client: TestClient, link: str, part: str) -> PartTotal:
    """Every row of one set's list, page by page: its rows, weights and measures summed."""
    rows, weight, measure, page = 0, 0, Decimal(0), 1
    while True:
        html = client.get(f"{link}&part={part}&size=500&page={page}").text
        found = ROW.findall(html)
        rows += len(found)
        weight += sum(int(w) for w, _m in found)
        measure += sum((Decimal(m) if m else Decimal(1) for _w, m in found), Decimal(0))
        if 'rel="next"' not in html:
            return PartTotal(rows, weight, measure)
        page += 1


@pytest.mark.slow
def test_every_tile_links_to_lists_whose_rows_add_up_to_the_tile(demo: Demo) -> None:
    """The dashboard as served: every tile links to the claims behind it; that page's sets
    show their count and sum, and the rows listed under each set (every page) add up to
    that count and sum and, put together as the KPI does, to the tile's own value."""
    app = create_app(WebSettings(demo.url, today=lambda: demo.today))
    span = demo.period
    with TestClient(app) as client:
        signed_in(client)
        board = client.get(f"/?from={span.start}&to={span.end}").text
        tiles = {kpi: (link.replace("&amp;", "&"), value)
                 for link, kpi, value in TILE.findall(board)}  # fmt: skip
        assert sorted(tiles) == sorted(TILES)  # every tile has its link
        for kpi, (link, value) in tiles.items():
            drill = client.get(link)
            assert drill.status_code == 200, kpi
            shown = re.search(r'data-figure="([^"]*)"', drill.text)
            assert shown is not None and shown.group(1) == value != "", kpi
            base = re.sub(r"&part=[^&]*", "", link)
            walked = {}
            for part, lists, rows, count, total in PART.findall(drill.text):
                got = _walk(client, base, part)
                assert (got.rows, got.weight, got.measure) == (
                    int(rows), int(count), Decimal(total)), (kpi, part)  # fmt: skip
                assert lists == "visits" or got.rows > 0, (kpi, part)
                walked[part] = got
            assert figure(kpi, walked) == Decimal(value), kpi
