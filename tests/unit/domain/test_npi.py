"""NPI check digit: Luhn over the nine identifier digits with the 80840 prefix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptrcm.domain.npi import make_npi, npi_check_digit, npi_is_valid

BASES = st.integers(min_value=100_000_000, max_value=299_999_999).map(str)


def test_the_cms_example_1234567893_is_valid() -> None:
    assert npi_is_valid("1234567893")


def test_make_npi_appends_the_check_digit_3_to_123456789() -> None:
    assert make_npi("123456789") == "1234567893"
    assert make_npi(123456789) == "1234567893"
    assert npi_check_digit("123456789") == "3"


@pytest.mark.parametrize(
    "npi", ["1234567890", "1234567894", "123456789", "12345678933", "0234567893", "12345678a3"]
)
def test_wrong_check_digit_length_first_digit_or_characters_are_invalid(npi: str) -> None:
    assert not npi_is_valid(npi)


@pytest.mark.parametrize("base", ["023456789", "12345678", "1234567890", "12345678x"])
def test_make_npi_refuses_a_base_that_cannot_be_an_npi(base: str) -> None:
    with pytest.raises(ValueError):
        make_npi(base)


@given(BASES)
def test_every_made_npi_is_valid(base: str) -> None:
    assert npi_is_valid(make_npi(base))


@given(BASES, st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_after_the_first_breaks_the_check(
    base: str, position: int, delta: int
) -> None:
    npi = make_npi(base)
    digit = (int(npi[position]) + delta) % 10
    assert not npi_is_valid(npi[:position] + str(digit) + npi[position + 1 :])
