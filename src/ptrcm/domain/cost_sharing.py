"""The patient's share of an allowed amount: deductible, copay, coinsurance, out-of-pocket cap.

These are the patient's plan terms, separate from the payer's contract (which decides the
allowed amount, see ``contracts``). Reference §6: Medicare pays 80% of the allowed amount
after the Part B deductible and the 20% coinsurance is the patient's (PR-2).

Order of operations for each date of service, oldest first (docs/expected-payment.md):

1. deductible: the patient pays up to the deductible still open;
2. copay: a fixed amount per date of service, at most what is left after the deductible;
3. coinsurance: the rate times what is left, rounded once with ``round_cents``;
4. out-of-pocket cap: when the patient's share would pass the out-of-pocket amount still
   open, the excess goes back to the payer (taken off coinsurance first, then copay, then
   deductible).

Rounding: coinsurance is the only term that multiplies by a rate, so it is the only one
rounded; everything else is a subtraction of cent amounts and stays exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.domain.money import Money, round_cents, sum_money
from ptrcm.domain.trace import Step

MEDICARE_COINSURANCE = Decimal("0.20")
SOURCE_TERMS = "patient plan terms (benefits / eligibility response)"
NO_MONEY = Money(Decimal("0.00"))


def check_rate(name: str, rate: Decimal) -> None:
    """Refuse a rate that is not a Decimal between 0 and 1 (floats never reach the math)."""
    if not isinstance(rate, Decimal) or isinstance(rate, bool):
        raise TypeError(f"{name} must be a Decimal, not {type(rate).__name__}")
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError(f"{name} must be between 0 and 1, got {rate}")


def _check_money(name: str, value: Money) -> None:
    if value.amount < 0:
        raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True, slots=True)
class PatientTerms:
    """What the patient's plan makes them pay; ``oop_remaining`` None means no cap is known."""

    deductible_remaining: Money = NO_MONEY
    coinsurance_rate: Decimal = Decimal("0")
    copay: Money = NO_MONEY
    oop_remaining: Money | None = None

    def __post_init__(self) -> None:
        check_rate("coinsurance_rate", self.coinsurance_rate)
        _check_money("deductible_remaining", self.deductible_remaining)
        _check_money("copay", self.copay)
        if self.oop_remaining is not None:
            _check_money("oop_remaining", self.oop_remaining)

    @classmethod
    def medicare(cls, deductible_remaining: Money) -> PatientTerms:
        """Original Medicare Part B: deductible, then 20% coinsurance, no copay, no cap."""
        return cls(deductible_remaining=deductible_remaining, coinsurance_rate=MEDICARE_COINSURANCE)


@dataclass(frozen=True, slots=True)
class DayShare:
    """The patient's share on one date of service.

    ``deductible``, ``copay`` and ``coinsurance`` are what the patient owes after the
    out-of-pocket cap; ``oop_relief`` is how much the cap took off them.
    """

    date_of_service: date
    allowed: Money
    deductible: Money
    copay: Money
    coinsurance: Money
    oop_relief: Money

    @property
    def patient(self) -> Money:
        """What the patient owes for the day (the terms are already net of the cap)."""
        return self.deductible + self.copay + self.coinsurance

    @property
    def payer(self) -> Money:
        """The payer's share before any reduction of the payment itself (sequestration)."""
        return self.allowed - self.patient


@dataclass(frozen=True, slots=True)
class PatientShare:
    """The patient's share over one or more dates of service, with the trace."""

    days: tuple[DayShare, ...]
    steps: tuple[Step, ...]
    deductible_remaining_after: Money
    oop_remaining_after: Money | None

    @property
    def allowed(self) -> Money:
        return sum_money(d.allowed for d in self.days)

    @property
    def deductible(self) -> Money:
        return sum_money(d.deductible for d in self.days)

    @property
    def copay(self) -> Money:
        return sum_money(d.copay for d in self.days)

    @property
    def coinsurance(self) -> Money:
        return sum_money(d.coinsurance for d in self.days)

    @property
    def oop_relief(self) -> Money:
        return sum_money(d.oop_relief for d in self.days)

    @property
    def total(self) -> Money:
        return sum_money(d.patient for d in self.days)

    @property
    def payer(self) -> Money:
        return sum_money(d.payer for d in self.days)


def apply_patient_terms(
    allowed_by_day: Iterable[tuple[date, Money]], terms: PatientTerms
) -> PatientShare:
    """Split each day's allowed amount between payer and patient (reference §6).

    Days are taken in date order (the deductible is met by the earliest service); several
    amounts for the same date are added first, because a copay is owed once per date of
    service. The steps trace the payer's running share: it starts at the allowed amount,
    the deductible, copay and coinsurance lower it, and the out-of-pocket cap raises it.
    """
    merged: dict[date, Money] = {}
    for day, amount in allowed_by_day:
        if amount.amount < 0:
            raise ValueError("an allowed amount must not be negative")
        merged[day] = merged.get(day, Money.zero()) + amount
    deductible_left = terms.deductible_remaining
    oop_left = terms.oop_remaining
    days: list[DayShare] = []
    steps: list[Step] = []
    for day in sorted(merged):
        share, day_steps = _one_day(day, merged[day], terms, deductible_left, oop_left)
        deductible_left = deductible_left - share.deductible
        if oop_left is not None:
            oop_left = oop_left - share.patient
        days.append(share)
        steps.extend(day_steps)
    return PatientShare(tuple(days), tuple(steps), deductible_left, oop_left)


def _one_day(
    day: date,
    allowed: Money,
    terms: PatientTerms,
    deductible_left: Money,
    oop_left: Money | None,
) -> tuple[DayShare, list[Step]]:
    steps: list[Step] = []
    payer = allowed
    deductible = min(deductible_left, payer)
    steps.append(
        _step("deductible", payer, payer - deductible, day, f"{deductible} toward the deductible")
    )
    payer = payer - deductible
    copay = min(terms.copay, payer)
    if terms.copay.amount > 0:
        steps.append(_step("copay", payer, payer - copay, day, f"{copay} copay"))
    payer = payer - copay
    coinsurance = Money(round_cents(payer.amount * terms.coinsurance_rate))
    steps.append(
        _step(
            "coinsurance",
            payer,
            payer - coinsurance,
            day,
            f"{terms.coinsurance_rate} x {payer} = {coinsurance}, rounded once to the cent",
        )
    )
    payer = payer - coinsurance
    relief = Money.zero()
    patient = deductible + copay + coinsurance
    if oop_left is not None and patient > oop_left:
        relief = patient - oop_left
        steps.append(
            _step(
                "out_of_pocket_cap",
                payer,
                payer + relief,
                day,
                f"out-of-pocket amount left was {oop_left}; {relief} moves back to the payer",
            )
        )
        # The relief comes off the last term first: coinsurance, then copay, then deductible.
        left = relief
        taken = min(left, coinsurance)
        coinsurance, left = coinsurance - taken, left - taken
        taken = min(left, copay)
        copay, left = copay - taken, left - taken
        deductible = deductible - left
    return DayShare(day, allowed, deductible, copay, coinsurance, relief), steps


def _step(term: str, before: Money, after: Money, day: date, detail: str) -> Step:
    return Step(term, before.amount, after.amount, SOURCE_TERMS, f"{day.isoformat()}: {detail}")
