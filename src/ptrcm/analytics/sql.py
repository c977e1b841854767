"""Portable SQL pieces for the KPI queries: day arithmetic, money sums, rates, percentiles.

SQLite keeps dates as ISO text and timestamps as naive UTC text; PostgreSQL has real
``date`` and ``timestamptz``. The small constructs here (and ``day_diff``, ``utc_day`` and
``least`` in ``ptrcm.store.day_sql``, which the read model shares) compile to the right
expression on each backend, so every KPI is one query that runs unchanged on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, case, func, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ptrcm.store.types import MoneyType

RATE_PLACES = Decimal("0.0001")
DAY_PLACES = Decimal("0.1")
ZERO = Decimal("0.00")


class utc_hour(FunctionElement[str]):
    """``YYYY-MM-DD HH`` of a timestamp in UTC: an hour bucket to convert to local time."""

    type = String()
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _utc_hour_sqlite(element: utc_hour, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(utc_hour, "postgresql")
def _utc_hour_pg(element: utc_hour, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"to_char(timezone('UTC', {inner}), 'YYYY-MM-DD HH24')"


def money_sum(expr: ColumnElement[Any]) -> ColumnElement[Decimal]:
    """``SUM`` of a money expression, zero when there are no rows, read back as Decimal."""
    return type_coerce(func.coalesce(func.sum(expr), 0), MoneyType())


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def start_of(day: date) -> datetime:
    """Midnight UTC opening ``day``; timestamp ranges are ``[start_of(a), start_of(b + 1))``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """Midnight UTC after ``day`` (exclusive upper bound)."""
    return start_of(day + timedelta(days=1))


def rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """``numerator / denominator`` to four places; ``None`` when there is nothing to divide."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def nearest_rank(histogram: Iterable[tuple[int, int]], fraction: Decimal) -> int | None:
    """The nearest-rank percentile of values given as ``(value, count)`` pairs.

    The value at rank ``ceil(fraction * n)`` in ascending order (the median of 1, 2, 9, 10
    is 2; its 90th percentile is 10). ``None`` for an empty histogram.
    """
    pairs = sorted((int(v), int(n)) for v, n in histogram if n)
    total = sum(n for _, n in pairs)
    if not total:
        return None
    wanted = max(1, int((fraction * total).to_integral_value(rounding="ROUND_CEILING")))
    seen = 0
    for value, count in pairs:
        seen += count
        if seen >= wanted:
            return value
    return pairs[-1][0]
