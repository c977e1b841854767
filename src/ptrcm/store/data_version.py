"""Each organization's data version: a counter every committed unit of work bumps.

Readers that keep results between requests (the web app's read cache, one per worker
process) read the version first and trust an entry only if it was computed at that
version. The bump happens in the writing transaction itself (``UnitOfWork.commit``), so
the new version becomes visible exactly when the write does, to every process, on SQLite
and PostgreSQL alike; under row-level security the row is the organization's own.
"""

from __future__ import annotations

from sqlalchemy import Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ptrcm.store.tables import data_versions
from ptrcm.store.types import utc_now


def bump_data_version(conn: Connection, org_id: int) -> None:
    """Add one to ``org_id``'s version in ``conn``'s transaction (the row is made on the
    organization's first write). Concurrent writers on PostgreSQL queue on the row only
    from this statement to their commit."""
    if _increment(conn, org_id):
        return
    made = conn.execute(
        _insert_new(conn.dialect.name),
        {"org_id": org_id, "version": 1, "created_at": utc_now()},
    )
    if not made.rowcount:  # another first write made the row meanwhile
        _increment(conn, org_id)


def _increment(conn: Connection, org_id: int) -> int:
    done = conn.execute(
        update(data_versions)
        .where(data_versions.c.org_id == org_id)
        .values(version=data_versions.c.version + 1)
    )
    return int(done.rowcount)


def _insert_new(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(data_versions).on_conflict_do_nothing(index_elements=["org_id"])


def data_version(conn: Connection, org_id: int) -> int:
    """``org_id``'s current version (0 before its first write)."""
    found = conn.execute(
        select(data_versions.c.version).where(data_versions.c.org_id == org_id)
    ).scalar_one_or_none()
    return 0 if found is None else int(found)
