"""835 balancing, exact to the cent (no tolerance), reported as findings.

* service line: SVC02 charge − Σ line CAS = SVC03 paid;
* claim: CLP03 charge − Σ claim CAS − Σ every line's CAS = CLP04 paid;
* transaction: Σ CLP04 paid − Σ PLB amounts = BPR02 (total actual provider payment).

(005010X221A1 section 1.10.2, balancing.) A finding names the CLP, SVC or BPR segment.
"""

from __future__ import annotations

from decimal import Decimal

from ptrcm.x12.errors import Finding
from ptrcm.x12.remit835.model import ClaimPayment, Remittance

_ZERO = Decimal(0)


def claim_findings(claim: ClaimPayment, found: list[Finding]) -> None:
    """Append the balancing failures of one claim and its service lines to ``found``."""
    # Plain loops, not sum() over generators: this runs once per claim and line of a file.
    adjusted = _ZERO
    for adj in claim.adjustments:
        adjusted += adj.amount.amount
    for line in claim.lines:
        line_adjusted = _ZERO
        for adj in line.adjustments:
            line_adjusted += adj.amount.amount
        adjusted += line_adjusted
        if line.charge.amount - line_adjusted != line.paid.amount:
            found.append(
                Finding(
                    "error",
                    f"service line {line.procedure.code} of claim {claim.patient_control_number}"
                    f" does not balance: charge {line.charge} − adjustments {line_adjusted:.2f}"
                    f" ≠ paid {line.paid}",
                    line.segment or None,
                    "SVC",
                )
            )
    if claim.charge.amount - adjusted != claim.paid.amount:
        found.append(
            Finding(
                "error",
                f"claim {claim.patient_control_number} does not balance: charge {claim.charge}"
                f" − adjustments {adjusted:.2f} ≠ paid {claim.paid}",
                claim.segment or None,
                "CLP",
            )
        )


def balance_findings(remit: Remittance) -> list[Finding]:
    """Every balancing failure of one remittance (empty when it balances to the cent)."""
    found: list[Finding] = []
    paid = Decimal(0)
    for claim in remit.claims:
        paid += claim.paid.amount
        claim_findings(claim, found)
    found.extend(transaction_findings(remit, paid))
    return found


def transaction_findings(remit: Remittance, paid: Decimal) -> list[Finding]:
    """The transaction's own balance, given the sum of its claims' CLP04 (``paid``): a
    reader that hands claims out as it goes keeps the sum instead of the claims."""
    provider = sum(
        (i.amount.amount for p in remit.provider_adjustments for i in p.items), Decimal(0)
    )
    if paid - provider == remit.payment.amount.amount:
        return []
    return [
        Finding(
            "error",
            f"transaction {remit.control_number or '?'} does not balance: claims paid"
            f" {paid:.2f} − provider adjustments {provider:.2f} ≠ BPR02 {remit.payment.amount}",
            remit.segment + 1 if remit.segment else None,
            "BPR",
        )
    ]
