"""The expected outcome of a whole claim: allowed, payer payment, patient share (§6).

Line allowed amounts come from ``contracts.expected_allowed``; the patient's terms
(``cost_sharing``) apply per date of service; sequestration reduces the payer's payment
last. See docs/expected-payment.md for the order of operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.contracts import (
    SOURCE_SEQUESTRATION,
    Contract,
    LineExpectation,
    expected_allowed,
)
from ptrcm.domain.cost_sharing import PatientShare, PatientTerms, apply_patient_terms
from ptrcm.domain.money import Money, round_cents, sum_money
from ptrcm.domain.trace import Step
from ptrcm.errors import InvariantError


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """The expected outcome of a claim: allowed, payer payment, patient share, adjustments.

    ``charge == payer_payment + patient_responsibility + contractual + sequestration``
    holds to the cent; it is checked when the value is built.
    """

    claim_id: str
    charge: Money
    allowed: Money
    lines: tuple[LineExpectation, ...]
    patient: PatientShare
    payment_before_sequestration: Money
    sequestration: Money
    payer_payment: Money
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        balance = self.payer_payment + self.patient_responsibility
        balance = balance + self.contractual + self.sequestration
        if balance != self.charge:
            raise InvariantError(f"claim {self.claim_id}: expected payment does not balance")

    @property
    def patient_responsibility(self) -> Money:
        return self.patient.total

    @property
    def contractual(self) -> Money:
        """Charge above the allowed amount: the provider's contractual write-off (CO-45)."""
        return self.charge - self.allowed


def expected_claim_payment(
    claim: Claim,
    contract: Contract,
    patient_terms: PatientTerms,
    others: Iterable[ClaimLine] = (),
) -> ClaimPayment:
    """Expected allowed, payer payment and patient responsibility of a claim (§6).

    Allowed amounts come from ``expected_allowed``; the patient's terms apply per date of
    service (``apply_patient_terms``); sequestration then reduces the payer's payment,
    never the allowed amount or the patient's share, and is rounded once per claim.
    """
    lines = expected_allowed(claim.lines, contract, others)
    allowed = sum_money(item.allowed for item in lines)
    patient = apply_patient_terms(
        ((i.date_of_service, i.allowed) for i in lines), terms=patient_terms
    )
    before = allowed - patient.total
    rate = contract.sequestration_on(claim.first_date) if claim.lines else Decimal(0)
    sequestration = Money(round_cents(before.amount * rate))
    payment = before - sequestration
    steps = [
        Step("allowed", Decimal(0), allowed.amount, "sum of the line allowed amounts"),
        *patient.steps,
        Step(
            "sequestration",
            before.amount,
            payment.amount,
            SOURCE_SEQUESTRATION,
            f"{rate} x {before} = {sequestration}, rounded once per claim"
            f" (date of service {claim.first_date.isoformat()})"
            if claim.lines
            else "no lines",
        ),
    ]
    return ClaimPayment(
        claim_id=claim.claim_id,
        charge=claim.total_charge,
        allowed=allowed,
        lines=lines,
        patient=patient,
        payment_before_sequestration=before,
        sequestration=sequestration,
        payer_payment=payment,
        steps=tuple(steps),
    )
