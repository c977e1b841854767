"""Claims and claim lines as value types (the claim lifecycle lives in services/store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ptrcm.domain.money import Money, sum_money
from ptrcm.domain.visits import Person, Provider, Referring, Subscriber

FREQUENCY_ORIGINAL = "1"
FREQUENCY_REPLACEMENT = "7"
FREQUENCY_VOID = "8"


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One billed procedure line: one code per date of service (reference §1.1)."""

    line_number: int
    date_of_service: date
    code: str
    modifiers: tuple[str, ...]
    units: int
    expected_units: int
    charge: Money
    dx_pointers: tuple[int, ...]
    minutes: int | None = None
    assistant_minutes: int = 0
    rendering_npi: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim to one payer for one patient (837P/837I)."""

    claim_id: str
    payer_id: str
    patient_id: str
    discipline: str
    lines: tuple[ClaimLine, ...]
    diagnoses: tuple[str, ...]
    rendering: Provider
    member_id: str | None = None
    place_of_service: str = "11"
    frequency: str = FREQUENCY_ORIGINAL
    payer_claim_number: str | None = None
    patient: Person | None = None
    subscriber: Subscriber | None = None
    referring: Referring | None = None
    onset_date: date | None = None
    prior_authorization: str | None = None
    location_id: str | None = None
    visit_ids: tuple[str, ...] = ()
    # Plan of care facts an 837 reports (DTP*454 on 837P; occurrence/value codes on 837I).
    initial_treatment_date: date | None = None
    plan_established_date: date | None = None
    episode_visits: int | None = None
    # The visit's date of service: the claim's dates when it has no line (a held claim).
    service_date: date | None = field(default=None, compare=False)

    @property
    def total_charge(self) -> Money:
        return sum_money(line.charge for line in self.lines)

    @property
    def first_date(self) -> date:
        if not self.lines:
            return self._undated()
        return min(line.date_of_service for line in self.lines)

    @property
    def last_date(self) -> date:
        if not self.lines:
            return self._undated()
        return max(line.date_of_service for line in self.lines)

    def _undated(self) -> date:
        if self.service_date is None:
            raise ValueError(f"claim {self.claim_id} has no line and no date of service")
        return self.service_date
