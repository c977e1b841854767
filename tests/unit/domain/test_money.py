from __future__ import annotations

from decimal import Decimal

import pytest

from ptrcm.domain.money import Money, round_cents, sum_money


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        Money.of(0.1)


def test_money_refuses_unrounded_decimals_unless_rounded_explicitly() -> None:
    with pytest.raises(ValueError):
        Money(Decimal("1.005"))
    assert Money.of("1.005") == Money(Decimal("1.01"))


def test_rounding_is_half_up_to_the_cent() -> None:
    assert round_cents(Decimal("2.345")) == Decimal("2.35")
    assert round_cents(Decimal("-2.345")) == Decimal("-2.35")
    assert round_cents(Decimal("2.344")) == Decimal("2.34")


def test_ten_cents_plus_twenty_cents_is_exactly_thirty() -> None:
    assert Money.of("0.10") + Money.of("0.20") == Money.of("0.30")


def test_multiplying_by_a_rate_rounds_once_to_the_cent() -> None:
    assert Money.of("29.50") * Decimal("0.85") == Money.of("25.08")
    assert Money.of("55.00") * 3 == Money.of("165.00")


def test_sum_money_is_exact_and_rejects_other_types() -> None:
    assert sum_money([Money.of("0.01")] * 100) == Money.of("1.00")
    with pytest.raises(TypeError):
        sum_money([Money.of("1.00"), Decimal("1")])  # type: ignore[list-item]


def test_money_prints_with_two_decimals() -> None:
    assert str(Money.of(5)) == "5.00"
