"""In-memory tables for the fakes: rows are dicts with an ``id`` counted up per table, as
the database hands them back.

A unit of work works on a ``copy`` of the committed ``Tables`` and hands its copy back on
commit, so leaving without ``commit`` drops everything written, as a rollback does. The
``Session`` holds the copy while the unit of work's ``with`` block is open; every fake
repository of that unit of work reads and writes through it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ptrcm.errors import InvariantError

Row = dict[str, Any]


@dataclass
class Tables:
    """Rows by table name, the last id given out per table, and named counters."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    last_id: dict[str, int] = field(default_factory=dict)
    writes: int = 0  # rows written or changed since this copy was taken

    def copy(self) -> Tables:
        taken = copy.deepcopy(self)
        taken.writes = 0
        return taken

    def insert(self, table: str, row: Row) -> int:
        """Add a copy of ``row`` with the next id of ``table``; returns that id."""
        new_id = self.last_id.get(table, 0) + 1
        self.last_id[table] = new_id
        self.rows.setdefault(table, []).append({**row, "id": new_id})
        self.writes += 1
        return new_id

    def select(self, table: str, where: Callable[[Row], bool] | None = None) -> list[Row]:
        """Copies of the rows of ``table`` (those ``where`` accepts), in id order."""
        return [dict(r) for r in self.rows.get(table, ()) if where is None or where(r)]

    def get(self, table: str, row_id: int) -> Row | None:
        found = next((r for r in self.rows.get(table, ()) if r["id"] == row_id), None)
        return None if found is None else dict(found)

    def update(self, table: str, row_id: int, **values: Any) -> None:
        for row in self.rows.get(table, ()):
            if row["id"] == row_id:
                row.update(values)
                self.writes += 1


class Session:
    """The tables one unit of work reads and writes, while its ``with`` block is open."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._tables: Tables | None = None

    def open(self, tables: Tables) -> None:
        self._tables = tables

    def close(self) -> None:
        self._tables = None

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            raise InvariantError("unit of work used outside its `with` block")
        return self._tables


class Repository:
    """The base of the fake repositories: the tables of their unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def t(self) -> Tables:
        return self.session.tables
