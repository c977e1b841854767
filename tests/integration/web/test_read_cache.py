"""The web's read cache over a real store (SQLite and PostgreSQL): a hit answers what a
fresh read answers, a committed write is seen by the next read of every process, and no
organization or scope is answered from another's entries."""

from __future__ import annotations

from datetime import date

import pytest

from ptrcm.store.data_version import data_version
from ptrcm.store.repository import Store
from ptrcm.web.deps import WebSettings
from ptrcm.web.ports import Period, QueueName
from ptrcm.web.store_data import StoreData, StoreWebData
from tests.integration.analytics.clinic import Clinic
from tests.integration.analytics.conftest import build_march
from tests.integration.postgres_roles import deployment

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def _tiles(tiles: object) -> dict[str, object]:
    return {t.key: (t.value, t.previous) for t in tiles}  # type: ignore[attr-defined]


def _web(store: Store, db_url: str) -> StoreWebData:
    return StoreWebData(WebSettings(db_url, today=lambda: date(2026, 3, 31)), store)


def _clinic(store: Store, slug: str) -> tuple[int, Clinic]:
    org = store.create_organization(slug, slug)
    with store.engine.begin() as conn:
        clinic = Clinic(conn, org)
        build_march(clinic)
    return org, clinic


def test_a_hit_answers_what_a_fresh_read_answers(store: Store, db_url: str) -> None:
    org, _ = _clinic(store, "web")
    web = _web(store, db_url)
    board = web.for_scope(org).dashboard
    first = _tiles(board.kpi_tiles(MARCH))
    second = _tiles(board.kpi_tiles(MARCH))
    assert web.cache.hits == 1 and web.cache.misses == 1
    assert first == second == _tiles(StoreData(store, org).kpi_tiles(MARCH))
    assert list(board.ar_aging(MARCH.end)) == list(StoreData(store, org).ar_aging(MARCH.end))
    queues = web.for_scope(org).queues
    assert queues.queue_totals(QueueName.denials) == queues.queue_totals(QueueName.denials)
    assert web.cache.hits == 2


def test_a_committed_write_is_seen_by_the_next_read(store: Store, db_url: str) -> None:
    org, clinic = _clinic(store, "web")
    web, other_worker = _web(store, db_url), _web(store, db_url)
    board = web.for_scope(org).dashboard
    visits = _tiles(board.kpi_tiles(MARCH))["visits"][0]
    # A write that bypasses the units of work bumps nothing: the cache still answers.
    with store.engine.begin() as conn:
        clinic.conn = conn
        clinic.patient("P-raw")
        clinic.visit("V-raw", "P-raw", "MCR", "2026-03-21", "MAIN", "ANA")
    assert _tiles(board.kpi_tiles(MARCH))["visits"][0] == visits
    with store.connect(org) as conn:
        before = data_version(conn, org)
    with store.unit_of_work(org, "test") as uow:  # what every service write goes through
        clinic.conn = uow.connection
        clinic.patient("P-new")
        clinic.visit("V-new", "P-new", "MCR", "2026-03-22", "MAIN", "ANA")
        uow.commit()
    with store.connect(org) as conn:
        assert data_version(conn, org) == before + 1
    fresh = _tiles(StoreData(store, org).kpi_tiles(MARCH))
    assert fresh["visits"][0] == visits + 2  # type: ignore[operator]
    assert _tiles(board.kpi_tiles(MARCH)) == fresh
    assert _tiles(other_worker.for_scope(org).dashboard.kpi_tiles(MARCH)) == fresh


def test_an_organization_with_nothing_then_its_first_write(store: Store, db_url: str) -> None:
    org = store.create_organization("empty", "Empty")
    web = _web(store, db_url)
    status = web.for_scope(org).status
    assert status.has_data() is False and status.has_data() is False
    with store.unit_of_work(org, "test") as uow:
        clinic = Clinic(uow.connection, org)
        build_march(clinic)
        uow.commit()
    assert status.has_data() is True


def test_organizations_and_scopes_never_share_entries(store: Store, db_url: str) -> None:
    a, _ = _clinic(store, "alpha")
    b = store.create_organization("beta", "Beta")
    with store.engine.begin() as conn:
        small = Clinic(conn, b)
        small.payer("MCR", "medicare")
        small.location("MAIN")
        small.provider("BEN", "2222222227")
        small.patient("P-B")
        small.visit("V-B", "P-B", "MCR", "2026-03-02", "MAIN", "BEN")
    web = _web(store, db_url)
    alpha = _tiles(web.for_scope(a).dashboard.kpi_tiles(MARCH))
    beta = _tiles(web.for_scope(b).dashboard.kpi_tiles(MARCH))
    assert web.cache.misses == 2 and web.cache.hits == 0
    assert beta == _tiles(StoreData(store, b).kpi_tiles(MARCH)) != alpha
    assert beta["visits"][0] == 1 and alpha["visits"][0] == 6
    # A therapist's scope of the same organization is an entry of its own.
    web.for_scope(a, provider=1).dashboard.kpi_tiles(MARCH)
    web.for_scope(a, provider=1).queues.queue(QueueName.denials, 0, 5)
    web.for_scope(a).queues.queue(QueueName.denials, 0, 5)
    assert web.cache.misses == 5 and web.cache.hits == 0


@pytest.mark.postgres
def test_the_app_role_bumps_and_reads_only_its_own_organizations_version() -> None:
    with deployment() as found:
        owner = Store.open(found.owner_url)
        try:
            a = owner.create_organization("clinic-a", "A")
            b = owner.create_organization("clinic-b", "B")
        finally:
            owner.close()
        store = Store.open(found.app_url)
        try:
            for org, writes in ((a, 2), (b, 1)):
                for _ in range(writes):
                    with store.unit_of_work(org, "user:ana") as uow:
                        uow.commit()
            with store.connect(a) as conn:
                mine, theirs = data_version(conn, a), data_version(conn, b)
            with store.connect(b) as conn:
                assert data_version(conn, b) == 1
        finally:
            store.close()
    assert (mine, theirs) == (2, 0)  # row-level security: b's row is not there for a
