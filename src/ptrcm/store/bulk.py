"""Writing many rows of one table in one statement, at driver speed, on both databases.

SQLAlchemy's multi-row ``INSERT`` binds and type-converts every value of every row in
Python and, on PostgreSQL, sends a statement with one placeholder per value, which the
server parses anew each time. Posting a large 835 writes about ten rows a claim that way.
``insert_rows`` converts each value once with the column's own SQLAlchemy bind
processor (so money, timestamps and JSON are stored exactly as every other write stores
them) and then:

* PostgreSQL: ``COPY`` of the rows, in text format, into a temporary staging table of
  the session, then one ``INSERT INTO target … SELECT … FROM staging``. ``COPY``
  straight into the target is refused on tables with row-level security, which every
  tenant table has; the ``INSERT`` keeps the tenant policy, the foreign keys, the check
  constraints and the append-only triggers, while psycopg's C code formats the rows
  (an array parameter per column, as before, cost a regular expression per value in
  Python and the server's array parser). The staging table has the target's column
  types (see ``_pg_stage``), so each value goes through the same input function as
  in an ``INSERT``; it has no row-level security (temporary tables are the session's
  own), and it is emptied after each use. Ids, when asked for, are drawn from the
  table's sequence first, so they come back in the rows' order by construction.
* SQLite: one ``executemany`` of a plain ``INSERT`` through the driver. Ids, when asked
  for, are chosen after the table's largest (see ``OrgScoped.insert_with_ids`` for why
  that is safe on SQLite).

Everything runs on the caller's connection, inside its transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Table, func, select, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

__all__ = ["insert_rows"]

_Processor = Callable[[Any], Any] | None


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    ids: bool = False,
) -> list[int]:
    """Insert ``rows`` (every row with the same keys); their new ids in the rows' order
    when ``ids`` is true, else ``[]``. Columns missing from the rows get their column
    default (a constant or a function of no arguments) or NULL."""
    if not rows:
        return []
    dialect = conn.dialect
    names = [n for n in rows[0] if n != "id"]
    columns = [table.c[n] for n in names]
    if any(set(r) - {"id"} != set(names) for r in rows):
        raise ValueError(f"{table.name}: rows with different columns")
    extra = [c for c in table.c if c.name not in names and c.name != "id" and _default(c)]
    values: list[list[Any]] = [
        _converted(proc, [row[n] for row in rows])
        for n, proc in zip(names, _processors(columns, dialect), strict=True)
    ]
    for column, proc in zip(extra, _processors(extra, dialect), strict=True):
        make = _default(column)
        assert make is not None
        values.append([_convert(proc, make()) for _ in rows])
    columns = columns + extra
    new_ids = _new_ids(conn, table, len(rows)) if ids else []
    if ids:
        columns = [table.c.id, *columns]
        values = [new_ids, *values]
    if dialect.name == "postgresql":
        _pg_insert(conn, table, columns, values)
    else:
        sql = (
            f'INSERT INTO "{table.name}" ({", ".join(_q(c.name) for c in columns)})'
            f" VALUES ({', '.join('?' for _ in columns)})"
        )
        conn.exec_driver_sql(sql, list(zip(*values, strict=True)))
    return new_ids


def _q(name: str) -> str:
    return f'"{name}"'


def _default(column: Column[Any]) -> Callable[[], Any] | None:
    """The column's client-side default as a function of no arguments, if it has one."""
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    if getattr(default, "is_scalar", False):
        return lambda: arg
    if getattr(default, "is_callable", False) and callable(arg):
        return lambda: arg(None)  # SQLAlchemy wraps a no-argument function to take a context
    raise ValueError(f"{column.table.name}.{column.name}: give it a value (SQL default)")


def _processors(columns: Sequence[Column[Any]], dialect: Dialect) -> list[_Processor]:
    return [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


def _converted(proc: _Processor, column: list[Any]) -> list[Any]:
    """A column's values converted, each distinct object once: most values of a batch are
    the same object over and over (the organization, the posting's time and source, the
    reader's shared amounts), so they are converted by identity, never by equality
    (``Decimal("1.0") == Decimal("1.00")`` but the two may be stored differently)."""
    if proc is None:
        return column
    done: dict[int, tuple[Any, Any]] = {}  # id -> (the object, kept alive; its value)
    out = []
    for value in column:
        hit = done.get(id(value))
        if hit is None:
            hit = done[id(value)] = (value, proc(value))
        out.append(hit[1])
    return out


def _convert(proc: _Processor, value: Any) -> Any:
    # None goes through the processor too, as in SQLAlchemy (JSON stores it as 'null').
    return value if proc is None else proc(value)


def _new_ids(conn: Connection, table: Table, n: int) -> list[int]:
    if conn.dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return [int(i) for i in conn.execute(query, {"table": table.name, "n": n}).scalars()]
    last = conn.execute(select(func.max(table.c.id))).scalar()
    first = int(last or 0) + 1
    return list(range(first, first + n))


def _pg_insert(
    conn: Connection, table: Table, columns: Sequence[Column[Any]], values: list[list[Any]]
) -> None:
    names = ", ".join(_q(c.name) for c in columns)
    stage = _pg_stage(conn, table, columns)
    copy_sql = f"COPY {stage} ({names}) FROM STDIN"
    driver = conn.connection.driver_connection  # the psycopg connection, same transaction
    assert driver is not None
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in zip(*values, strict=True):
                copy.write_row(row)
    except dbapi_error as error:  # raised as every other statement's errors are
        raise DBAPIError.instance(copy_sql, None, error, dbapi_error) from error
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage}; TRUNCATE {stage}'
    )


def _pg_stage(conn: Connection, table: Table, columns: Sequence[Column[Any]]) -> str:
    """The session's staging table for these columns of ``table``, made if missing (the
    first use in a session, or after the transaction that made it rolled back).

    Its columns have the target's types without their modifiers (``VARCHAR`` for
    ``VARCHAR(32)``, ``NUMERIC`` for ``NUMERIC(12, 2)``), so ``COPY`` only parses and
    the ``INSERT`` applies the modifier, as it would to a parameter: a value too long
    is refused there, in a message that does not quote it, and money rounds exactly as
    ``numeric_in`` with the modifier would. No ``NOT NULL`` either: the target refuses
    a missing value itself."""
    dialect = conn.dialect
    spec = ", ".join(
        f"{_q(c.name)} {_TYPMOD.sub('', c.type.compile(dialect=dialect))}" for c in columns
    )
    key = hashlib.sha256(f"{table.name}({spec})".encode()).hexdigest()[:16]
    stage = f"ptrcm_stage_{key}"
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({spec})")
    return stage


_TYPMOD = re.compile(r"\([^)]*\)")
