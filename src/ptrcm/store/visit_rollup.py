"""Visits per date of service, payer and location (``visit_rollup``), kept with the visits.

The dashboard counts the visits of a period by payer and location (visits tile, net
revenue per visit) and by day (the cash-and-visits chart); at a million visits that is a
pass over some hundred thousand index entries per period. The rollup holds the same counts
a day at a time, a few rows per day. The visit writer (``ptrcm.store.visits``) moves the
visits it writes, in the same transaction: ``move_visits(-1)`` takes the rows of visits
about to change out, ``move_visits(+1)`` puts the rows of the visits as written in
(upserts that add the signed counts; rows left with no visit are deleted), so the kept rows
equal ``rebuild_visit_rollup``. A visit with no location counts under ``NO_LOCATION``.
The rollup has no therapist: readers filtered by therapist count the visits themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from ptrcm.store.scoped import chunks
from ptrcm.store.tables.clinical import NO_LOCATION, visit_rollup, visits

COLUMNS = [c.name for c in visit_rollup.columns]


def _counts(org_id: int, ids: Sequence[int] | None, sign: int = 1) -> Select[Any]:
    """The rollup rows of the organization's visits (of ``ids`` only, when given)."""
    place = func.coalesce(visits.c.location_id, NO_LOCATION)
    keys = [visits.c.org_id, visits.c.date_of_service, visits.c.payer_id, place]
    where = [visits.c.org_id == org_id]
    if ids is not None:
        # ``org_id + 0``: no index can answer it, so SQLite looks the ids up by primary key
        # instead of scanning the organization's covering index of visits (1 M entries).
        where = [(visits.c.org_id + 0) == org_id, visits.c.id.in_(ids)]
    counted = func.count() if sign == 1 else func.count() * literal(sign)
    return select(*keys, counted).where(*where).group_by(*keys)


def move_visits(conn: Connection, org_id: int, ids: Sequence[int], sign: int) -> None:
    """Add (``sign`` +1) or take out (-1) the visits ``ids`` as they are stored now."""
    if not ids:
        return
    maker = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    key = [c.name for c in visit_rollup.primary_key.columns]
    for part in chunks(ids):
        statement = maker(visit_rollup).from_select(COLUMNS, _counts(org_id, part, sign))
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=key,
                set_={"visits": visit_rollup.c.visits + statement.excluded.visits},
            )
        )
    if sign < 0:
        vr = visit_rollup
        conn.execute(delete(vr).where(vr.c.org_id == org_id, vr.c.visits == 0))


def rebuild_visit_rollup(conn: Connection, org_id: int) -> None:
    """Delete and re-count the organization's rollup rows from its visits."""
    conn.execute(delete(visit_rollup).where(visit_rollup.c.org_id == org_id))
    conn.execute(insert(visit_rollup).from_select(COLUMNS, _counts(org_id, None)))
