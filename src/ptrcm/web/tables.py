"""Tables shown on pages and exported as CSV: columns, sorting, cells and CSV text.

A table is a sequence of row objects (the dataclasses of ``ptrcm.web.ports``) and a tuple
of columns naming their attributes. Pages sort on the server (``?sort=col&dir=desc``), so a
header is a plain link that works without JavaScript; htmx only swaps the table in place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any
from urllib.parse import urlencode

from ptrcm.web import formatting as f


class Kind(StrEnum):
    text = "text"
    money = "money"
    percent = "percent"
    integer = "integer"
    decimal = "decimal"
    date = "date"


NUMERIC = frozenset({Kind.money, Kind.percent, Kind.integer, Kind.decimal})


@dataclass(frozen=True, slots=True)
class Column:
    """An attribute of the row shown under ``label``; ``link`` formats an href from the row."""

    key: str
    label: str
    kind: Kind = Kind.text
    link: str | None = None
    flag: str | None = None  # a boolean attribute that highlights the cell when true


@dataclass(frozen=True, slots=True)
class Header:
    label: str
    href: str
    state: str  # "asc", "desc" or "" when the table is not sorted by this column
    numeric: bool


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None
    numeric: bool
    flagged: bool


@dataclass(frozen=True, slots=True)
class TableView:
    """Everything a template needs to draw one sortable, exportable table."""

    table_id: str
    title: str
    headers: tuple[Header, ...]
    rows: tuple[tuple[Cell, ...], ...]
    csv_url: str
    empty: str


def value_of(row: object, key: str) -> Any:
    return getattr(row, key)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, 0)
    if isinstance(value, Enum):
        return (0, str(value.value))
    return (0, value)


def sort_rows(
    rows: Sequence[object], columns: Sequence[Column], key: str | None, descending: bool
) -> list[object]:
    """Rows ordered by one column (unknown columns leave the order alone); blanks go last."""
    if key is None or key not in {c.key for c in columns}:
        return list(rows)
    present = [r for r in rows if value_of(r, key) is not None]
    blank = [r for r in rows if value_of(r, key) is None]
    ordered = sorted(present, key=lambda r: _sort_key(value_of(r, key)), reverse=descending)
    return ordered + blank


def display(value: Any, kind: Kind) -> str:
    """The text a person reads in a cell."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind is Kind.money:
        return f.money(value)
    if kind is Kind.percent:
        return f.percent(value)
    if kind is Kind.integer:
        return f.number(value)
    if kind is Kind.date and isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def build_table(
    table_id: str,
    title: str,
    rows: Sequence[object],
    columns: Sequence[Column],
    *,
    page_url: str,
    query: Mapping[str, str],
    csv_url: str,
    empty: str = "Nothing here.",
) -> TableView:
    """Sort ``rows`` by the ``sort``/``dir`` query parameters and format every cell."""
    sort = query.get("sort")
    descending = query.get("dir", "asc") == "desc"
    ordered = sort_rows(rows, columns, sort, descending)
    headers = []
    for col in columns:
        active = col.key == sort
        next_dir = "asc" if active and descending else "desc"
        if not active and col.kind not in NUMERIC:
            next_dir = "asc"
        params = {**query, "sort": col.key, "dir": next_dir}
        state = ("desc" if descending else "asc") if active else ""
        headers.append(
            Header(col.label, f"{page_url}?{urlencode(params)}", state, col.kind in NUMERIC)
        )
    body = tuple(tuple(_cell(row, col) for col in columns) for row in ordered)
    return TableView(table_id, title, tuple(headers), body, csv_url, empty)


def _cell(row: object, col: Column) -> Cell:
    value = value_of(row, col.key)
    href = None
    if col.link and value is not None:
        href = col.link.format_map({k: _url_part(v) for k, v in _fields(row).items()})
    flagged = bool(col.flag and value_of(row, col.flag))
    return Cell(display(value, col.kind), href, col.kind in NUMERIC, flagged)


def _fields(row: object) -> dict[str, Any]:
    return {name: getattr(row, name) for name in getattr(row, "__slots__", ())}


def _url_part(value: Any) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> str:
    """Raw values for spreadsheets: Decimal as written, dates ISO; text never a formula."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | date):
        return str(value) if not isinstance(value, date) else value.isoformat()
    text = " ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Sequence[object], columns: Sequence[Column]) -> str:
    """CSV with the column keys as the header row, one line per row."""
    return "".join(csv_lines(rows, columns))


def csv_lines(rows: Iterable[object], columns: Sequence[Column]) -> Iterator[str]:
    """The same CSV a line at a time, reading ``rows`` as it goes (for streamed exports)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Sequence[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line([c.key for c in columns])
    for row in rows:
        yield line([_csv_value(value_of(row, c.key)) for c in columns])
