"""A step of an expected-payment calculation, kept as data so every amount can be explained."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Step:
    """One term applied to a running amount: what it was before, after, and why.

    ``before`` and ``after`` are exact decimals: intermediate amounts are not rounded, only
    the steps named ``round`` (and the terms that produce a cent amount, such as
    coinsurance) go through ``round_cents``. ``source`` names the policy or the parameter
    the term comes from (see docs/expected-payment.md).
    """

    term: str
    before: Decimal
    after: Decimal
    source: str
    detail: str = ""

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    def explain(self) -> str:
        """One line a biller or a patient can read."""
        text = f"{self.term}: {show(self.before)} -> {show(self.after)} ({self.source})"
        return f"{text}; {self.detail}" if self.detail else text


def show(value: Decimal) -> str:
    """An amount as text without rounding it: cents when exact, every digit otherwise."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return f"{value:.2f}"
    return str(value)
