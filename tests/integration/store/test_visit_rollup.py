"""The visits per day (``visit_rollup``) kept by the visit writer equal a recount, and the
dashboard's visit counts read from it equal the counts over ``visits``.

Visits are imported, then re-imported with their payer, date of service and location
changed (one losing its location, one gaining one), some left as they are, and a second
organization's visits beside them; after each import the kept rows equal
``rebuild_visit_rollup``'s, and ``revenue.visit_counts`` and ``activity.visits_by_day``
equal the same counts taken over ``visits`` for every filter the rollup answers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select

from ptrcm.analytics import KpiFilters, Scope
from ptrcm.analytics.activity import visits_by_day
from ptrcm.analytics.filters import visit_conds, visits_in
from ptrcm.analytics.revenue import visit_counts
from ptrcm.domain.intake import SourcedVisit
from ptrcm.store.repository import Store
from ptrcm.store.tables import visit_rollup, visits
from ptrcm.store.visit_rollup import rebuild_visit_rollup
from tests.builders.visits import parse, record
from tests.e2e.cli import ptrcm

FILTERS: list[dict[str, str]] = [
    {},
    {"payer": "MEDICARE"},
    {"payer_class": "commercial"},
    {"location": "MAIN"},
    {"location": "NORTH", "payer": "BCBS"},
]


def _record(n: int, dos: str, payer: str, location: str | None) -> dict[str, Any]:
    return record(
        visit_id=f"V-{n}", patient_id=f"P-{n % 4}", date_of_service=dos, payer_id=payer,
        location_id=location,
    )  # fmt: skip


FIRST = [
    _record(1, "2026-03-02", "MEDICARE", "MAIN"),
    _record(2, "2026-03-02", "MEDICARE", "MAIN"),
    _record(3, "2026-03-02", "BCBS", "NORTH"),
    _record(4, "2026-03-03", "BCBS", None),
    _record(5, "2026-03-04", "MEDICARE", "NORTH"),
    _record(6, "2026-03-04", "AETNA", "MAIN"),
]
SECOND = [
    _record(1, "2026-03-05", "MEDICARE", "MAIN"),  # moved a day
    _record(2, "2026-03-02", "BCBS", "MAIN"),  # another payer
    _record(3, "2026-03-02", "BCBS", None),  # lost its location
    _record(4, "2026-03-03", "BCBS", "MAIN"),  # gained one
    _record(5, "2026-03-04", "MEDICARE", "NORTH"),  # unchanged
    _record(7, "2026-03-04", "AETNA", "MAIN"),  # new
]


def _import(store: Store, org_id: int, records: list[dict[str, Any]]) -> None:
    with store.unit_of_work(org_id, "test") as work:
        work.visits.upsert([SourcedVisit(parse(r), "test", n) for n, r in enumerate(records)])
        work.commit()


def _rows(conn: Connection, org_id: int) -> list[tuple[Any, ...]]:
    vr = visit_rollup
    query = select(vr).where(vr.c.org_id == org_id).order_by(*vr.primary_key.columns)
    return [tuple(r) for r in conn.execute(query)]


def _check(store: Store, org_id: int) -> None:
    with store.engine.begin() as conn:
        kept = _rows(conn, org_id)
        rebuild_visit_rollup(conn, org_id)
        assert kept == _rows(conn, org_id)
        conn.rollback()
    with store.engine.connect() as conn:
        scope = Scope(conn, org_id)
        for narrow in FILTERS:
            f = KpiFilters(date(2026, 3, 1), date(2026, 3, 31), **narrow)
            counted = select(visits.c.payer_id, visits.c.location_id, func.count()).where(
                *visits_in(scope, f)
            )
            by_place = counted.group_by(visits.c.payer_id, visits.c.location_id)
            expected = {(p, loc): n for p, loc, n in conn.execute(by_place)}
            assert visit_counts(scope, f) == expected, narrow
            days = select(visits.c.date_of_service, func.count()).where(
                *visit_conds(scope, f), visits.c.date_of_service.between(f.start, f.end)
            )
            per_day = dict(conn.execute(days.group_by(visits.c.date_of_service)).all())
            assert visits_by_day(scope, f) == per_day, narrow


def test_the_kept_visit_rollup_equals_a_recount(store: Store) -> None:
    org = store.ensure_organization("rollup")
    other = store.ensure_organization("other")
    _import(store, org, FIRST)
    _import(store, other, FIRST[:3])
    with store.engine.begin() as conn:  # a payer class to filter on
        conn.exec_driver_sql(
            "UPDATE payers SET payer_class = 'commercial' WHERE external_id = 'BCBS'"
        )
    _check(store, org)
    _import(store, org, SECOND)
    _check(store, org)
    _check(store, other)
    _import(store, org, SECOND)  # the same again: nothing written
    _check(store, org)
    with store.engine.connect() as conn:
        assert sum(r[-1] for r in _rows(conn, org)) == 7
        assert sum(r[-1] for r in _rows(conn, other)) == 3


def test_ptrcm_db_refresh_facts_rebuilds_a_damaged_visit_rollup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    store = Store.open(url)
    try:
        org = store.ensure_organization("default")
        _import(store, org, FIRST)
        with store.engine.begin() as conn:
            kept = _rows(conn, org)
            conn.execute(delete(visit_rollup).where(visit_rollup.c.visits > 1))  # damaged
            assert _rows(conn, org) != kept
        done = ptrcm("db", "refresh-facts", "--db", url)
        assert done.returncode == 0, done.stderr
        with store.engine.connect() as conn:
            assert _rows(conn, org) == kept
    finally:
        store.close()
