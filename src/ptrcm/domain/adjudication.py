"""What the primary payer decided on a claim: the input of a secondary (COB) claim.

A secondary 837 carries the primary payer's adjudication so the secondary payer can pay its
share: claim-level adjustments (2320 CAS), the amount paid (AMT*D) and, per service line,
the paid amount, paid units and adjustments (2430 SVD/CAS). An 835 reader maps one
remittance claim (CLP) onto ``PrimaryAdjudication``; lines are keyed by the claim line
number ptrcm sent in REF*6R, with the procedure code as a check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ptrcm.domain.money import Money, sum_money

ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triple: group code (CO, PR, OA, PI, CR), CARC reason code, amount."""

    group: str
    reason: str
    amount: Money
    quantity: int | None = None

    def __post_init__(self) -> None:
        if self.group not in ADJUSTMENT_GROUPS:
            raise ValueError(f"adjustment group must be one of {sorted(ADJUSTMENT_GROUPS)}")
        if not self.reason or len(self.reason) > 5:
            raise ValueError("adjustment reason must be a CARC code of 1 to 5 characters")


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """The primary payer's decision on one service line."""

    line_number: int
    code: str
    paid: Money
    units: int
    adjustments: tuple[Adjustment, ...] = ()
    modifiers: tuple[str, ...] = ()

    @property
    def adjusted(self) -> Money:
        return sum_money(a.amount for a in self.adjustments)


@dataclass(frozen=True, slots=True)
class PrimaryAdjudication:
    """The primary payer's adjudication of one claim, as a secondary claim reports it."""

    payer_id: str
    member_id: str
    paid_date: date
    paid: Money
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[LineAdjudication, ...] = ()
    payer_claim_number: str | None = None
    remark_codes: tuple[str, ...] = ()

    def line(self, line_number: int) -> LineAdjudication | None:
        """The adjudication of the claim line with this number, if the payer reported one."""
        for item in self.lines:
            if item.line_number == line_number:
                return item
        return None

    @property
    def patient_responsibility(self) -> Money:
        """Everything the primary payer put in group PR, claim and line level together."""
        return sum_money(a.amount for a in _all(self.adjustments, self.lines) if a.group == "PR")

    def unbalanced_by(self, total_charge: Money) -> Money:
        """Charge minus adjustments minus payment; zero when the adjudication balances."""
        adjusted = sum_money(a.amount for a in _all(self.adjustments, self.lines))
        return total_charge - adjusted - self.paid


def _all(
    claim_level: tuple[Adjustment, ...], lines: Iterable[LineAdjudication]
) -> Iterable[Adjustment]:
    yield from claim_level
    for line in lines:
        yield from line.adjustments
