"""Typed model of an 835 005010X221A1 health care claim payment/advice.

Amounts are ``Money`` (exact cents), quantities ``Decimal``, dates ``date``. ``segment``
fields carry the 1-based segment number the value was read from; they take no part in
equality, so a remittance read back from a written file equals the one written.

``ServicePayment`` and ``ClaimPayment`` are built once per line and claim (tens of thousands
per large file) and are not ``frozen``: a frozen dataclass's ``__init__`` sets each field
through ``object.__setattr__``, measured about 4x slower for these 14-19 field classes (1.1
vs 0.3 µs each). Treat them as immutable all the same; they hash by value
(``unsafe_hash``) so they can still be set members and dict keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ptrcm.domain.money import Money
from ptrcm.x12.common import PersonName, Reference
from ptrcm.x12.errors import Finding

REVERSAL_STATUS = "22"
DENIED_STATUS = "4"


@dataclass(frozen=True, slots=True)
class DateEntry:
    """A DTM segment: qualifier (232/233 claim dates, 472/150/151 service, 050 received...)."""

    qualifier: str
    value: date


@dataclass(frozen=True, slots=True)
class AmountEntry:
    """An AMT segment: qualifier (B6 allowed, AU coverage, F5 patient paid...) and amount."""

    qualifier: str
    amount: Money


@dataclass(frozen=True, slots=True)
class QuantityEntry:
    """A QTY segment: qualifier and quantity."""

    qualifier: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group (CO/PR/OA/PI/CR), CARC reason, amount, optional quantity."""

    group: str
    reason: str
    amount: Money
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Remark:
    """A remark code: LQ (HE = RARC, RX = NCPDP reject) or one from MIA/MOA."""

    qualifier: str
    code: str


@dataclass(frozen=True, slots=True)
class Procedure:
    """A composite procedure: qualifier (HC, NU revenue, ...), code and up to four modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class ServicePayment:
    """One SVC service line (2110) and what came with it."""

    procedure: Procedure
    charge: Money
    paid: Money
    revenue_code: str = ""
    units: Decimal | None = None
    original_procedure: Procedure | None = None
    original_units: Decimal | None = None
    dates: tuple[DateEntry, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    references: tuple[Reference, ...] = ()
    amounts: tuple[AmountEntry, ...] = ()
    quantities: tuple[QuantityEntry, ...] = ()
    remarks: tuple[Remark, ...] = ()
    segment: int = field(default=0, compare=False)

    @property
    def control_number(self) -> str | None:
        """The line item control number the provider sent (REF*6R)."""
        return next((r.value for r in self.references if r.qualifier == "6R"), None)

    @property
    def allowed(self) -> Money | None:
        """The allowed amount (AMT*B6), when the payer sent it."""
        return next((a.amount for a in self.amounts if a.qualifier == "B6"), None)


@dataclass(slots=True, unsafe_hash=True)
class ClaimPayment:
    """One CLP claim (2100) with its adjustments, names, remarks and service lines."""

    patient_control_number: str
    status: str
    charge: Money
    paid: Money
    patient_responsibility: Money | None = None
    filing_indicator: str = ""
    payer_claim_control_number: str = ""
    facility_type: str = ""
    frequency: str = ""
    adjustments: tuple[Adjustment, ...] = ()
    names: tuple[PersonName, ...] = ()
    inpatient: tuple[str, ...] = ()
    outpatient: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateEntry, ...] = ()
    amounts: tuple[AmountEntry, ...] = ()
    quantities: tuple[QuantityEntry, ...] = ()
    lines: tuple[ServicePayment, ...] = ()
    segment: int = field(default=0, compare=False)

    def name(self, entity: str) -> PersonName | None:
        """The NM1 with this entity code (QC patient, IL insured, 74 corrected...)."""
        return next((n for n in self.names if n.entity == entity), None)

    @property
    def is_reversal(self) -> bool:
        """CLP02 = 22: the payer reverses a previous payment of this claim."""
        return self.status == REVERSAL_STATUS

    @property
    def is_denied(self) -> bool:
        """CLP02 = 4: denied."""
        return self.status == DENIED_STATUS

    @property
    def remarks(self) -> tuple[Remark, ...]:
        """Remark codes from MIA (inpatient) and MOA (outpatient) adjudication."""
        return _mia_moa_remarks(self.inpatient, self.outpatient)


def _mia_moa_remarks(mia: tuple[str, ...], moa: tuple[str, ...]) -> tuple[Remark, ...]:
    # MIA05, MIA20-24 and MOA03-07 carry remark codes (positions in the element tuples).
    if not mia and not moa:
        return ()  # most claims: asked for several times while each one posts
    found = [Remark("MIA", mia[i]) for i in (4, 19, 20, 21, 22, 23) if i < len(mia) and mia[i]]
    found += [Remark("MOA", moa[i]) for i in (2, 3, 4, 5, 6) if i < len(moa) and moa[i]]
    return tuple(found)


@dataclass(frozen=True, slots=True)
class ProviderAdjustmentItem:
    """One PLB reason/amount pair; ``reference`` is the part after the component separator."""

    reason: str
    amount: Money
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB segment: provider, fiscal period date and every adjustment pair."""

    provider_id: str
    fiscal_period_end: date | None
    items: tuple[ProviderAdjustmentItem, ...]
    segment: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Party:
    """N1*PR payer or N1*PE payee with address and references."""

    entity: str
    name: str
    id_qualifier: str = ""
    id: str = ""
    address: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postal_code: str = ""
    references: tuple[Reference, ...] = ()
    contacts: tuple[tuple[str, ...], ...] = ()

    @property
    def npi(self) -> str | None:
        """The payee's NPI (N103 = XX)."""
        return self.id if self.id_qualifier == "XX" else None

    @property
    def tin(self) -> str | None:
        """The payee's tax id: N103 = FI, else REF*TJ."""
        if self.id_qualifier == "FI":
            return self.id
        return next((r.value for r in self.references if r.qualifier == "TJ"), None)


@dataclass(frozen=True, slots=True)
class Payment:
    """BPR: handling code, amount, credit/debit, method (CHK/ACH/NON/FWT/BOP), date."""

    handling: str
    amount: Money
    credit_debit: str
    method: str
    payment_date: date | None
    format: str = ""
    details: tuple[str, ...] = ()


TRACE_LENGTH = 50  # TRN02 (and remittance_transactions.trace_number): at most 50 characters


@dataclass(frozen=True, slots=True)
class Trace:
    """TRN: trace type, check or EFT trace number, payer originator id."""

    trace_type: str
    number: str
    originator: str = ""
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set: the payment, payer, payee, claims and provider adjustments."""

    payment: Payment
    trace: Trace | None
    payer: Party
    payee: Party
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateEntry, ...] = ()
    control_number: str = field(default="", compare=False)
    segment: int = field(default=0, compare=False)

    @property
    def production_date(self) -> date | None:
        """DTM*405: the date the payer produced the remittance."""
        return next((d.value for d in self.dates if d.qualifier == "405"), None)


@dataclass(frozen=True, slots=True)
class RemittanceDocument:
    """A whole 835 file: its transaction sets and every finding (envelope, balancing, skips)."""

    source: str | None
    transactions: tuple[Remittance, ...]
    findings: tuple[Finding, ...] = ()
    kind: str = "835"

    @property
    def claims(self) -> tuple[ClaimPayment, ...]:
        """Every claim of every transaction set, in file order."""
        return tuple(c for t in self.transactions for c in t.claims)
