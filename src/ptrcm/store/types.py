"""Column types that keep money exact and timestamps in UTC on every backend.

SQLite has no exact decimal type (``NUMERIC`` affinity rounds through a float), so money
is stored there as integer cents; PostgreSQL gets ``NUMERIC(12,2)``. Either way Python sees
``Decimal`` quantized to cents. SQLite has no time zones either, so timestamps are stored
there as naive UTC text and handed back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

from ptrcm.domain.money import CENT, Money, to_decimal

MAX_MONEY = Decimal("9999999999.99")


class MoneyType(TypeDecorator[Decimal]):
    """``NUMERIC(12,2)`` on PostgreSQL, integer cents on SQLite; ``Decimal`` in and out.

    Accepts ``Decimal``, ``int``, decimal strings and ``Money``; refuses floats and any
    amount that is not whole cents (rounding is the domain's job, never the store's).
    """

    impl = Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = value.amount if isinstance(value, Money) else to_decimal(value)
        if amount != amount.quantize(CENT):
            raise ValueError(f"money must be whole cents, got {amount}")
        if abs(amount) > MAX_MONEY:
            raise ValueError(f"money out of range for NUMERIC(12,2): {amount}")
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount.quantize(CENT)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):
                # SUM over an empty or mixed set can surface as REAL; refuse silently wrong cents.
                raise TypeError("money column produced a float; query it through MoneyType")
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps; naive datetimes are refused on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"timestamp must be a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("timestamp must be timezone-aware (UTC)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"timestamp column produced {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


def utc_now() -> datetime:
    """The store's default for ``created_at`` columns (callers may pass their own clock)."""
    return datetime.now(UTC)
