from __future__ import annotations

from decimal import Decimal

import pytest

from ptrcm.errors import InputError
from ptrcm.services.front_desk.eligibility import coinsurance


def test_a_rate_reads_as_a_percentage_or_a_fraction() -> None:
    assert coinsurance("20%") == Decimal("0.2")
    assert coinsurance(" 0.20 ") == Decimal("0.20")
    assert coinsurance(None) is None


@pytest.mark.parametrize("text", ["x", "120%", "-0.1", "1.5", "NaN", "%"])
def test_anything_but_a_rate_from_0_to_1_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="coinsurance"):
        coinsurance(text)
