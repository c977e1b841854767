"""A patient statement as a value: who sends it and where payment goes (the letterhead:
clinic name, address and phone, remit-to), whom it is mailed to (the patient's name and
address), its lines (one per billed service, plus payments and refunds), their totals, the
amount due and the due date. Built by
``ptrcm.services.front_desk.statements`` from the ledger and rendered by
``ptrcm.services.front_desk.statement_render``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")
DUE_IN_DAYS = 30


@dataclass(frozen=True, slots=True)
class StatementLine:
    claim: str
    claim_id: int | None
    day: date | None
    description: str
    charge: Decimal = ZERO
    insurance_paid: Decimal = ZERO
    insurance_adjusted: Decimal = ZERO
    patient_share: Decimal = ZERO
    patient_paid: Decimal = ZERO

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim, "claim_id": self.claim_id,
            "date": None if self.day is None else self.day.isoformat(),
            "description": self.description, "charge": str(self.charge),
            "insurance_paid": str(self.insurance_paid),
            "insurance_adjusted": str(self.insurance_adjusted),
            "patient_share": str(self.patient_share), "patient_paid": str(self.patient_paid),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Party:
    """A name and the printed lines of its mailing address (and a phone, for the clinic)."""

    name: str
    address: tuple[str, ...]
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The clinic that sends statements, and where a mailed payment goes."""

    clinic: Party
    remit_to: Party


@dataclass(frozen=True, slots=True)
class StatementTotals:
    charge: Decimal
    insurance_paid: Decimal
    insurance_adjusted: Decimal
    patient_share: Decimal
    patient_paid: Decimal


@dataclass(frozen=True, slots=True)
class Statement:
    patient: str
    statement_date: date
    lines: tuple[StatementLine, ...]
    statement_id: int | None = None
    replaces: int | None = None
    files: tuple[str, ...] = field(default=())
    letterhead: Letterhead | None = None
    addressee: Party | None = None  # the patient, as the envelope reads

    @property
    def totals(self) -> StatementTotals:
        """Each money column summed over the lines (your share plus you paid is due)."""

        def total(column: str) -> Decimal:
            return sum((getattr(ln, column) for ln in self.lines), ZERO)

        return StatementTotals(
            total("charge"), total("insurance_paid"), total("insurance_adjusted"),
            total("patient_share"), total("patient_paid"),
        )  # fmt: skip

    @property
    def amount_due(self) -> Decimal:
        return sum((ln.patient_share + ln.patient_paid for ln in self.lines), ZERO)

    @property
    def due_date(self) -> date:
        return self.statement_date + timedelta(days=DUE_IN_DAYS)
