"""Planner statistics kept current while one transaction grows tables (PostgreSQL).

Every reference between tenant tables is a composite foreign key ``(org_id, x_id)``, and
each insert checks it with ``SELECT 1 FROM parent WHERE org_id = $1 AND id = $2``. The
unique index on ``(org_id, id)`` answers that with one entry; any other index that
starts with ``org_id`` answers it by reading every row of the organization. Without
statistics PostgreSQL cannot tell the two apart: it takes a table it has never analyzed
for a few dozen rows, both plans cost the same, and the smaller index wins the tie — a
deduplicated index such as ``(org_id, birth_date)`` or ``(org_id, transaction_id)``.
Each check then reads the whole organization, and posting a large 835 into a new
database becomes quadratic. Autovacuum cannot help inside one long transaction: it
analyzes a table only after the rows are committed, and the plan of the check is kept for
the connection's life.

``keep_statistics`` runs ``ANALYZE`` on the given tables (and the tables they reference)
whose size on disk has outgrown what the planner last recorded: never analyzed and
larger than a few pages, or twice the pages of the last ``ANALYZE``. ANALYZE samples the
transaction's own uncommitted rows, and it invalidates the cached plans of the checks,
so the next rows are checked through the unique index. Growth is geometric, so a file
of N claims analyzes each table O(log N) times. It skips a table another session is
analyzing (``SKIP_LOCKED``) and a table the session's role does not own (the
least-privilege application role: there autovacuum keeps the statistics), so it never
waits and never fails. SQLite needs none of this: its planner prefers the unique index
for an equality on every column of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

# Below this many 8 kB pages a table's plan does not matter (a few hundred rows).
MIN_PAGES = 16
GROWTH = 2  # analyze again when the table has this many times the analyzed pages

_STALE = text(
    """
    SELECT c.relname
    FROM pg_class c
    WHERE c.oid IN (SELECT to_regclass(n) FROM unnest(CAST(:names AS text[])) AS n)
      AND pg_has_role(c.relowner, 'USAGE')
      AND pg_relation_size(c.oid) / current_setting('block_size')::int
          >= GREATEST(:min_pages, :growth * c.relpages)
    """
)


def with_parents(tables: Iterable[Table]) -> list[Table]:
    """``tables`` and every table their foreign keys point at, each once."""
    found: dict[str, Table] = {}
    for table in tables:
        found.setdefault(table.name, table)
        for fk in table.foreign_key_constraints:
            found.setdefault(fk.referred_table.name, fk.referred_table)
    return list(found.values())


def keep_statistics(conn: Connection, tables: Iterable[Table]) -> list[str]:
    """ANALYZE those of ``tables`` (and their parents) that outgrew their statistics;
    returns their names. A no-op on SQLite."""
    if conn.dialect.name != "postgresql":
        return []
    names = [t.name for t in with_parents(tables)]
    found = conn.execute(_STALE, {"names": names, "min_pages": MIN_PAGES, "growth": GROWTH})
    stale = [str(name) for name in found.scalars()]
    for name in stale:
        conn.exec_driver_sql(f'ANALYZE (SKIP_LOCKED) "{name}"')
    return stale
