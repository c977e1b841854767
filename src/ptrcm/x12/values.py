"""Element value conversions shared by the readers: amounts, dates, quantities, composites.

Each converter raises ``ValueError`` on a malformed value; readers turn that into a
finding naming the segment. ``ValueCache`` memoises the immutable results per file, since
amounts, dates and procedure codes repeat many times in a large remittance.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from ptrcm.domain.money import CENT, Money


def parse_amount(text: str) -> Money:
    """Money from an X12 R element ("800", "-1.08", "12.5"); sub-cent values are refused."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"amount {text!r} is not a finite number")
    try:
        cents = value.quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is too large") from None
    if cents != value:
        raise ValueError(f"amount {text!r} is not whole cents")
    return Money(cents)


# No unit, day or visit count of a claim comes near it; stored quantities (an integer, a
# NUMERIC(15, 2)) hold it on both databases.
QUANTITY_LIMIT = Decimal(10**9)


def parse_quantity(text: str) -> Decimal:
    """A decimal quantity (units, visits); refuses non-numbers."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"quantity {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"quantity {text!r} is not a finite number")
    if abs(value) >= QUANTITY_LIMIT:
        raise ValueError(f"quantity {text[:20]!r} is out of range (units, days and visits)")
    return value


def parse_date(text: str) -> date:
    """A CCYYMMDD date."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"date {text!r} is not CCYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"date {text!r} is not a calendar date") from None


def parse_period(text: str) -> tuple[date, date]:
    """A date or CCYYMMDD-CCYYMMDD range (RD8) as (start, end)."""
    first, _, last = text.partition("-")
    start = parse_date(first)
    return start, parse_date(last) if last else start


class ValueCache:
    """Memoised conversions for one file (values are immutable, so sharing is safe)."""

    __slots__ = ("_amounts", "_dates")

    def __init__(self) -> None:
        self._amounts: dict[str, Money] = {}
        self._dates: dict[str, date] = {}

    def amount(self, text: str) -> Money:
        """Money for an amount element (cached)."""
        found = self._amounts.get(text)
        if found is None:
            found = self._amounts[text] = parse_amount(text)
        return found

    def optional_amount(self, text: str) -> Money | None:
        """Money, or None for an empty element."""
        return self.amount(text) if text else None

    def date(self, text: str) -> date:
        """A CCYYMMDD date (cached)."""
        found = self._dates.get(text)
        if found is None:
            found = self._dates[text] = parse_date(text)
        return found
