"""The base of every org-scoped repository (see ``ptrcm.store.repository``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, select
from sqlalchemy.engine import Connection

from ptrcm.store.bulk import insert_rows

Clock = Callable[[], datetime]
T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list; far below SQLite's bound-parameter limit
TOUCHED_CLAIMS = "ptrcm.touched_claims"


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def touched_claims(conn: Connection) -> set[int]:
    """The claims whose rows this connection's open transaction wrote (see ``touch_claims``).

    Kept in the connection's ``info``; the unit of work empties it when a transaction
    begins, commits or rolls back.
    """
    found: set[int] = conn.info.setdefault(TOUCHED_CLAIMS, set())
    return found


class OrgScoped:
    """Base of repositories: one connection, one organization, one actor, one clock."""

    def __init__(self, conn: Connection, org_id: int, actor: str, clock: Clock) -> None:
        self.conn = conn
        self.org_id = org_id
        self.actor = actor
        self.clock = clock

    def scoped(self, table: Table, *columns: ColumnElement[Any]) -> Select[Any]:
        """``SELECT`` from ``table`` limited to this organization's rows."""
        query = select(*columns) if columns else select(table)
        return query.where(table.c.org_id == self.org_id)

    def new_row(self, **values: Any) -> dict[str, Any]:
        return {"org_id": self.org_id, "created_at": self.clock(), **values}

    def new_rows(self, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``new_row`` for many rows written together: one reading of the clock."""
        base = {"org_id": self.org_id, "created_at": self.clock()}
        return [{**base, **r} for r in rows]

    def touch_claims(self, claim_ids: Iterable[int | None]) -> None:
        """Note claims whose facts a write changed: the unit of work refreshes their
        ``claim_facts`` rows in the same transaction, just before it commits."""
        touched_claims(self.conn).update(int(i) for i in claim_ids if i is not None)

    def insert_with_ids(self, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (already made with ``new_row``) in one statement; their ids in
        the order of ``rows`` (``ptrcm.store.bulk.insert_rows``)."""
        return insert_rows(self.conn, table, rows, ids=True)

    def insert_many(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (already made with ``new_row``) in one statement, no ids back."""
        insert_rows(self.conn, table, rows)
