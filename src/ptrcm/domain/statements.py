"""A patient statement as a value: its lines (one per billed service, plus payments and
refunds), the amount due and the due date. Built by
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
class Statement:
    patient: str
    statement_date: date
    lines: tuple[StatementLine, ...]
    statement_id: int | None = None
    replaces: int | None = None
    files: tuple[str, ...] = field(default=())

    @property
    def amount_due(self) -> Decimal:
        return sum((ln.patient_share + ln.patient_paid for ln in self.lines), ZERO)

    @property
    def due_date(self) -> date:
        return self.statement_date + timedelta(days=DUE_IN_DAYS)
