"""Money as ``Decimal`` quantized to cents, with one rounding function.

Floats are refused everywhere: a float amount is a bug waiting to lose a cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def round_cents(value: Decimal) -> Decimal:
    """The one rounding function: half-up to the cent (how payers round allowed amounts)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Exact decimal from a str, int or Decimal; floats and booleans are refused."""
    if isinstance(value, bool | float):
        raise TypeError(f"money must not be a {type(value).__name__}; use a decimal string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r}") from None
    else:
        raise TypeError(
            f"money must be a decimal string, int or Decimal, not {type(value).__name__}"
        )
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in US dollars, always exact to the cent."""

    amount: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal; use Money.of()")
        if self.amount != self.amount.quantize(CENT):
            raise ValueError(f"Money must be whole cents: {self.amount}; round explicitly")

    @classmethod
    def of(cls, value: object) -> Money:
        """Money from a decimal string, int or Decimal, rounded to cents with round_cents."""
        if isinstance(value, Money):
            return value
        return cls(round_cents(to_decimal(value)))

    @classmethod
    def zero(cls) -> Money:
        return _ZERO

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount - other.amount)

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        return Money(round_cents(self.amount * factor))

    __rmul__ = __mul__

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount:.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount:.2f}')"


_ZERO = Money(Decimal("0.00"))


def sum_money(amounts: Iterable[Money]) -> Money:
    """Exact sum of an iterable of Money."""
    total = Decimal("0.00")
    for item in amounts:
        if not isinstance(item, Money):
            raise TypeError(f"sum_money takes Money, not {type(item).__name__}")
        total += item.amount
    return Money(total)
