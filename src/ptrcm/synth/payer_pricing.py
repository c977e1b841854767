"""The simulated payer's money: contract allowed amounts, cost sharing and the 835 claim.

Allowed amounts come from ``domain.contracts`` (fee schedule scaled by the profile, MPPR
across the member's claims of the day and CQ/CO 85% for Medicare-like payers, lesser of
charge). A share of paid lines is
quietly allowed below the contract (a bigger CO-45) — the underpayments a practice has to
find. The patient's share follows the profile's terms line by line: deductible (PR-1,
remembered per member and year), copay once per date of service (PR-3), coinsurance
(PR-2). Sequestration (CO-253) comes off the payer's part. Under a profile with
``therapy_threshold`` each paid line's allowed amount adds to the member's year-to-date
therapy amount, which the adjudicator compares with the KX threshold. Every line balances:
charge − adjustments = paid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.contracts import Contract, default_contract, expected_allowed
from ptrcm.domain.fees import default_fee_schedule
from ptrcm.domain.money import Money, round_cents, sum_money
from ptrcm.synth.payer_profile import PayerProfile
from ptrcm.synth.payer_rules import Decision, Denial, PayerState, draw, threshold_group
from ptrcm.x12.common import PersonName, Reference
from ptrcm.x12.remit835.model import (
    Adjustment,
    AmountEntry,
    ClaimPayment,
    DateEntry,
    Procedure,
    Remark,
    ServicePayment,
)

FILING_INDICATOR = {
    "medicare": "MB", "medicare_advantage": "16", "medicaid": "MC", "commercial": "CI",
    "workers_comp": "WC",
}  # fmt: skip
ZERO = Money.zero()


def profile_contract(profile: PayerProfile, payer_id: str) -> Contract:
    """The payer's contract: the reference schedule scaled by the profile's percentage."""
    base = default_fee_schedule()
    pct = profile.percent_of_fee_schedule
    schedule = base if pct == 1 else base.scaled(pct, f"{base.name} x {pct}")
    return default_contract(
        payer_id,
        profile.payer_class,
        schedule,
        sequestration_rate=profile.sequestration_rate,
    )


@dataclass(slots=True)
class _Share:
    deductible_left: Money
    copay_days: set[date]


def _line_split(
    allowed: Money, day: date, share: _Share, profile: PayerProfile
) -> tuple[Money, Money, Money]:
    """(deductible, copay, coinsurance) of one line, in that order."""
    deductible = min(share.deductible_left, allowed, key=lambda m: m.amount)
    share.deductible_left = share.deductible_left - deductible
    rest = allowed - deductible
    copay = ZERO
    if profile.copay.amount > 0 and day not in share.copay_days and rest.amount > 0:
        copay = min(profile.copay, rest, key=lambda m: m.amount)
        share.copay_days.add(day)
    rest = rest - copay
    coinsurance = Money(round_cents(rest.amount * profile.coinsurance))
    return deductible, copay, coinsurance


def _remarks(denial: Denial) -> tuple[Remark, ...]:
    return tuple(Remark("HE", code) for code in denial.rarcs)


def _service(
    ln: ClaimLine, paid: Money, adjustments: tuple[Adjustment, ...], allowed: Money | None,
    remarks: tuple[Remark, ...] = (),
) -> ServicePayment:  # fmt: skip
    return ServicePayment(
        procedure=Procedure("HC", ln.code, ln.modifiers),
        charge=ln.charge,
        paid=paid,
        units=Decimal(ln.units),
        dates=(DateEntry("472", ln.date_of_service),),
        adjustments=adjustments,
        references=(Reference("6R", str(ln.line_number)),),
        amounts=() if allowed is None else (AmountEntry("B6", allowed),),
        remarks=remarks,
    )


def _count_threshold(
    state: PayerState, profile: PayerProfile, claim: Claim, ln: ClaimLine, allowed: Money
) -> None:
    """Add a paid line's allowed amount to the member's year-to-date therapy amount."""
    group = threshold_group(ln)
    if not profile.therapy_threshold or group is None:
        return
    key = f"{claim.member_id}/{claim.first_date.year}/{group}"
    state.therapy_ytd[key] = str(Money.of(state.therapy_ytd.get(key, "0.00")) + allowed)


def price_claim(
    claim: Claim,
    decision: Decision,
    profile: PayerProfile,
    contract: Contract,
    state: PayerState,
    seed: int,
    received: date,
    payer_claim_number: str,
    overturned: bool = False,
    others: Sequence[ClaimLine] = (),
) -> ClaimPayment:
    """The 835 claim for an adjudicated claim (``overturned``: an appeal won, pay it all).

    ``others``: the member's lines of the same dates on the other claims this payer has
    received, so MPPR keeps one full-PE unit per member and day across claims.
    """
    expected = {e.line_number: e.allowed for e in expected_allowed(claim.lines, contract, others)}
    key = f"{claim.member_id}/{claim.first_date.year}"
    met = Money.of(state.deductible_paid.get(key, "0.00"))
    share = _Share(max(profile.deductible - met, ZERO, key=lambda m: m.amount), set())
    start_left = share.deductible_left
    lines: list[ServicePayment] = []
    denials: Mapping[int, Denial] = {} if overturned else decision.line_denials
    whole = None if overturned else decision.claim_denial
    for ln in claim.lines:
        denial = whole or denials.get(ln.line_number)
        if denial is not None:
            adj = (Adjustment("CO", denial.carc, ln.charge),)
            lines.append(_service(ln, ZERO, adj, None, _remarks(denial)))
            continue
        allowed = expected[ln.line_number]
        if not overturned and draw(seed, "under", claim.claim_id, ln.line_number) < (
            profile.underpayment_rate
        ):
            allowed = Money(round_cents(allowed.amount * (1 - profile.underpayment_cut)))
        _count_threshold(state, profile, claim, ln, allowed)
        ded, copay, coins = _line_split(allowed, ln.date_of_service, share, profile)
        payer_part = allowed - ded - copay - coins
        seq = Money(round_cents(payer_part.amount * contract.sequestration_on(ln.date_of_service)))
        adjustments = [Adjustment("CO", "45", ln.charge - allowed)]
        if seq.amount:
            adjustments.append(Adjustment("CO", "253", seq))
        adjustments += [
            Adjustment("PR", code, amount)
            for code, amount in (("1", ded), ("3", copay), ("2", coins))
            if amount.amount
        ]
        kept = tuple(a for a in adjustments if a.amount.amount or a.reason == "45")
        lines.append(_service(ln, payer_part - seq, kept, allowed))
    state.deductible_paid[key] = str(met + (start_left - share.deductible_left))
    paid = sum_money(s.paid for s in lines)
    patient = sum_money(a.amount for s in lines for a in s.adjustments if a.group == "PR")
    person = claim.patient or (claim.subscriber.person if claim.subscriber else None)
    status = "4" if paid.is_zero() and patient.is_zero() else "1"
    return ClaimPayment(
        patient_control_number=claim.claim_id,
        status=status,
        charge=claim.total_charge,
        paid=paid,
        patient_responsibility=patient,
        filing_indicator=FILING_INDICATOR.get(profile.payer_class, "CI"),
        payer_claim_control_number=payer_claim_number,
        facility_type=claim.place_of_service or "11",
        frequency="1",
        names=(
            PersonName(
                "QC",
                person.last_name if person else "PATIENT",
                person.first_name if person else "",
                id_qualifier="MI",
                id=claim.member_id or "",
            ),
        ),
        dates=(DateEntry("050", received),),
        lines=tuple(lines),
    )
