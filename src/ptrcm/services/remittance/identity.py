"""What makes a remittance "the same payment": the identity a duplicate is caught by.

A payer re-sends an 835 with a new envelope (ISA13/GS06), a file gains a trailing newline,
one file repeats a check: the bytes differ, the money does not. So duplicates are found by
business identity, not by the file's SHA-256:

* a **payment** (one 835 transaction set) is its payer (TRN03, else the N1*PR id, else
  its name) + TRN02, the check or EFT trace number + BPR02, the amount + BPR16, the date.
  A payer never issues the same check number twice for the same amount on the same day.
  A transaction without a TRN has no identity and is never called a duplicate.
* a **claim payment** (one CLP) is CLP01, our patient control number + CLP07, the payer's
  claim control number + CLP02, the status + CLP04, the amount paid. The amount is part of
  it because a payer that reprocesses a claim under the same control number (an appeal
  won, say) pays a different amount: a new adjudication, not a copy. Reversals (CLP02 =
  22, a negative payment or a CR adjustment) are never duplicates, and a reversed claim
  payment no longer blocks its identity: the payer may pay the claim again after taking
  it back.

``PostedRegister`` holds the identities already posted (loaded from the store for the
file's traces and claims, then grown while the file posts), and answers with where the
original was posted so the duplicate's exception item can name it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.x12.remit835.model import TRACE_LENGTH, ClaimPayment, Remittance

REVERSAL = "22"
PAYER_LENGTH = 80  # remittance_transactions.payer_key
ANY_PAYER = ""  # a payment stored before payers were recorded: matches every payer


@dataclass(frozen=True, slots=True)
class PaymentKey:
    payer: str
    trace: str
    amount: Decimal
    day: date | None


@dataclass(frozen=True, slots=True)
class ClaimKey:
    pcn: str
    payer_claim: str
    status: str
    paid: Decimal


def is_reversal(claim: ClaimPayment) -> bool:
    """The payer takes back an earlier decision: status 22, a negative payment or a CR
    adjustment (the reversal test of ``domain.denials.claim_outcome``)."""
    if claim.status == REVERSAL or claim.paid.amount < 0:
        return True
    lines = (a for line in claim.lines for a in line.adjustments)
    return any(a.group == "CR" for a in claim.adjustments) or any(a.group == "CR" for a in lines)


def payer_key(remit: Remittance) -> str:
    """Who paid: TRN03 (the payer's originating company id), else N1*PR's id, else name."""
    originator = remit.trace.originator if remit.trace is not None else ""
    return (originator or remit.payer.id or remit.payer.name)[:PAYER_LENGTH]


def payment_key(remit: Remittance) -> PaymentKey | None:
    if remit.trace is None or not remit.trace.number:
        return None
    pay = remit.payment
    trace = remit.trace.number[:TRACE_LENGTH]
    return PaymentKey(payer_key(remit), trace, pay.amount.amount, pay.payment_date)


def claim_key(claim: ClaimPayment) -> ClaimKey:
    return ClaimKey(
        claim.patient_control_number[:38],
        claim.payer_claim_control_number[:50],
        claim.status[:2],
        claim.paid.amount,
    )


def describe_payment(remit: Remittance) -> str:
    trace = "no TRN" if remit.trace is None else f"TRN {remit.trace.number}"
    day = remit.payment.payment_date
    return f"835 payment {trace} of {remit.payment.amount} on {day or 'no date'}"


def describe_claim(claim: ClaimPayment) -> str:
    return (
        f"835 claim {claim.patient_control_number} (payer claim"
        f" {claim.payer_claim_control_number or '-'}, status {claim.status},"
        f" paid {claim.paid})"
    )


@dataclass(slots=True)
class PostedRegister:
    """Identities already posted, each with where it was posted."""

    payments: dict[PaymentKey, str] = field(default_factory=dict)
    # (CLP01, CLP07) -> live claim payment identities of that claim -> where posted
    claims: dict[tuple[str, str], dict[ClaimKey, str]] = field(default_factory=dict)

    @classmethod
    def from_store(
        cls, payments: Iterable[Mapping[str, Any]], claim_payments: Iterable[Mapping[str, Any]]
    ) -> PostedRegister:
        """The register of stored transactions and claim payments (oldest first)."""
        register = cls()
        for p in payments:
            key = PaymentKey(
                p["payer_key"] or ANY_PAYER, p["trace_number"], p["payment_amount"],
                p["payment_date"],
            )  # fmt: skip
            register.payments[key] = f"{p['file_name']} ST{p['st_control']} (transaction {p['id']})"
        register.load_claims(claim_payments)
        return register

    def load_claims(
        self,
        claim_payments: Iterable[Mapping[str, Any]],
        own: tuple[int, str] | None = None,
        unbalanced: Collection[str] = (),
    ) -> None:
        """Replace the claim identities with those of stored claim payments (oldest first).

        ``own`` is the id and name of the file being posted: its claim payments already
        written are named as ``add_claim`` named them, and those whose claim did not
        balance (their segment refs in ``unbalanced``) are left out as ``add_claim`` left
        them out, so a file posted a chunk of claims at a time, reloading the register for
        each chunk, finds the duplicates a whole-file register would."""
        self.claims = {}
        for c in claim_payments:
            claim = ClaimKey(c["pcn"], c["payer_claim_number"] or "", c["status_code"],
                           c["paid_amount"])  # fmt: skip
            if own is not None and c.get("file_id") == own[0]:
                if c["segment_ref"] in unbalanced:
                    continue
                where = f"{own[1]} {c['segment_ref']}"
            else:
                where = f"{c['file_name']} {c['segment_ref']} (claim payment {c['id']})"
            reversal = claim.status == REVERSAL or claim.paid < 0
            self._claim(claim, where, reversal=reversal)

    def payment_duplicate(self, remit: Remittance) -> str | None:
        """Where this payment was posted before, or None."""
        key = payment_key(remit)
        if key is None:
            return None
        found = self.payments.get(key)
        if found is None:
            found = self.payments.get(PaymentKey(ANY_PAYER, key.trace, key.amount, key.day))
        return found

    def add_payment(self, remit: Remittance, where: str) -> None:
        key = payment_key(remit)
        if key is not None:
            self.payments[key] = where

    def claim_duplicate(self, claim: ClaimPayment) -> str | None:
        """Where this claim payment was posted before and not reversed since, or None."""
        if is_reversal(claim):
            return None
        key = claim_key(claim)
        return self.claims.get((key.pcn, key.payer_claim), {}).get(key)

    def add_claim(self, claim: ClaimPayment, where: str) -> None:
        self._claim(claim_key(claim), where, reversal=is_reversal(claim))

    def _claim(self, key: ClaimKey, where: str, *, reversal: bool) -> None:
        same_claim = (key.pcn, key.payer_claim)
        if reversal:
            self.claims.pop(same_claim, None)  # reversed: it may be paid again
        else:
            self.claims.setdefault(same_claim, {})[key] = where
