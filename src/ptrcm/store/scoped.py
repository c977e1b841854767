"""The base of every org-scoped repository (see ``ptrcm.store.repository``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, select
from sqlalchemy.engine import Connection

Clock = Callable[[], datetime]
T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list; far below SQLite's bound-parameter limit


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
