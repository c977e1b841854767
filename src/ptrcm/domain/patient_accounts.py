"""A patient's account on one screen: who the patient is and how they are covered, every
visit and claim, what payers paid and adjusted, what the patient paid, statements,
estimates, authorizations and plans of care, and the balances.

Assembled by ``ptrcm.services.front_desk.accounts`` from the store through a port; every
value here is plain data (no rows, no SQL) so a page, a JSON answer or a test reads the
same account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.domain.lifecycle import OPEN_AR

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class CoverageLine:
    payer: str
    payer_name: str | None
    payer_class: str | None
    rank: str
    member_id: str | None
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class AccountVisit:
    visit: str
    date_of_service: date
    discipline: str
    payer: str
    location: str | None
    therapist: str | None
    codes: tuple[tuple[str, int | None], ...]  # (code, units billed)
    claim: str | None  # the claim whose service dates hold the visit (same payer)


@dataclass(frozen=True, slots=True)
class AccountClaim:
    claim: str
    payer: str
    state: str
    first_dos: date
    last_dos: date
    charge: Decimal
    payer_paid: Decimal
    patient_paid: Decimal
    contractual: Decimal
    patient_responsibility: Decimal
    denied: Decimal
    balance: Decimal  # insurance balance: charge less payer payments and non-denial adjustments


@dataclass(frozen=True, slots=True)
class PayerPayment:
    claim: str
    payer: str | None
    paid_on: date | None
    status: str  # CLP02
    charge: Decimal
    paid: Decimal
    trace: str | None  # check or EFT number


@dataclass(frozen=True, slots=True)
class AccountAdjustment:
    claim: str
    posted_on: date | None
    group: str
    carc: str
    amount: Decimal
    code: str | None  # the service line's code; None for a claim-level adjustment


@dataclass(frozen=True, slots=True)
class PatientPaymentLine:
    received_on: date
    amount: Decimal
    method: str
    claim: str | None  # None: on account


@dataclass(frozen=True, slots=True)
class AccountStatement:
    number: int
    statement_date: date
    due_date: date | None
    balance: Decimal
    state: str
    replaces: int | None


@dataclass(frozen=True, slots=True)
class AccountEstimate:
    date_of_service: date
    status: str  # estimated | benefits_not_verified
    visit_estimate: Decimal | None
    plan_low: Decimal | None
    plan_high: Decimal | None


@dataclass(frozen=True, slots=True)
class AccountAuthorization:
    number: str | None
    payer: str | None
    discipline: str | None
    visits_authorized: int | None
    visits_used: int | None
    start: date | None
    end: date | None

    @property
    def visits_left(self) -> int | None:
        if self.visits_authorized is None:
            return None
        return self.visits_authorized - (self.visits_used or 0)


@dataclass(frozen=True, slots=True)
class AccountPlan:
    discipline: str
    start: date
    certified_on: date | None
    through: date | None
    visits_planned: int | None
    events: tuple[tuple[str, date], ...]  # (kind, date), oldest first


@dataclass(frozen=True, slots=True)
class PatientAccount:
    mrn: str
    first_name: str | None
    last_name: str | None
    birth_date: date | None
    sex: str
    address: tuple[str, ...]  # mailing lines, empty when none is on file
    coverages: tuple[CoverageLine, ...]
    visits: tuple[AccountVisit, ...]
    claims: tuple[AccountClaim, ...]
    payer_payments: tuple[PayerPayment, ...]
    adjustments: tuple[AccountAdjustment, ...]
    patient_payments: tuple[PatientPaymentLine, ...]
    statements: tuple[AccountStatement, ...]
    estimates: tuple[AccountEstimate, ...]
    authorizations: tuple[AccountAuthorization, ...]
    plans_of_care: tuple[AccountPlan, ...]
    patient_balance: Decimal  # the ledger's: patient responsibility, payments, refunds

    @property
    def insurance_balance(self) -> Decimal:
        """What payers may still pay: the balances of the claims in A/R (open states)."""
        return sum((c.balance for c in self.claims if c.state in OPEN_AR), ZERO)

    @property
    def display_name(self) -> str:
        return ", ".join(p for p in (self.last_name, self.first_name) if p) or self.mrn
