"""835 005010X221A1 writer: ``Remittance`` models (the reader's own classes) to X12 text.

The envelope (ISA/GS/ST/SE/GE/IEA with matching counts and control numbers) comes from
``ptrcm.x12.envelope``. Segments follow the TR3 order; CAS triplets of one group are
packed six to a segment. Reading a written file gives back equal models.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from ptrcm.x12.common import Reference
from ptrcm.x12.envelope import (
    COMPONENT,
    ControlNumbers,
    EnvelopeSettings,
    Transaction,
    amount,
    d8,
    interchange,
    segment,
)
from ptrcm.x12.remit835.model import (
    Adjustment,
    AmountEntry,
    ClaimPayment,
    DateEntry,
    Party,
    Procedure,
    QuantityEntry,
    Remittance,
    ServicePayment,
)

VERSION = "005010X221A1"
FUNCTIONAL_ID = "HP"
_TRIPLETS_PER_CAS = 6


def _quantity(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _procedure(proc: Procedure | None) -> str:
    if proc is None:
        return ""
    return COMPONENT.join((proc.qualifier, proc.code, *proc.modifiers))


def _cas(adjustments: Sequence[Adjustment], out: list[str]) -> None:
    """CAS segments: consecutive adjustments of one group share a segment, six at most."""
    i = 0
    while i < len(adjustments):
        group = adjustments[i].group
        elements = ["CAS", group]
        taken = 0
        while i < len(adjustments) and adjustments[i].group == group and taken < _TRIPLETS_PER_CAS:
            adj = adjustments[i]
            elements += [adj.reason, amount(adj.amount), _quantity(adj.quantity)]
            taken += 1
            i += 1
        out.append(segment(*elements))


def _details(
    refs: Sequence[Reference],
    dates: Sequence[DateEntry],
    amounts: Sequence[AmountEntry],
    quantities: Sequence[QuantityEntry],
    out: list[str],
) -> None:
    out.extend(segment("REF", r.qualifier, r.value) for r in refs)
    out.extend(segment("DTM", d.qualifier, d8(d.value)) for d in dates)
    out.extend(segment("AMT", a.qualifier, amount(a.amount)) for a in amounts)
    out.extend(segment("QTY", q.qualifier, _quantity(q.quantity)) for q in quantities)


def _party(party: Party, out: list[str]) -> None:
    out.append(segment("N1", party.entity, party.name, party.id_qualifier, party.id))
    if party.address:
        out.append(segment("N3", *party.address))
    if party.city or party.state or party.postal_code:
        out.append(segment("N4", party.city, party.state, party.postal_code))
    out.extend(segment("REF", r.qualifier, r.value) for r in party.references)
    out.extend(segment("PER", *c) for c in party.contacts)


def _line(line: ServicePayment, out: list[str]) -> None:
    out.append(
        segment(
            "SVC",
            _procedure(line.procedure),
            amount(line.charge),
            amount(line.paid),
            line.revenue_code,
            _quantity(line.units),
            _procedure(line.original_procedure),
            _quantity(line.original_units),
        )
    )
    out.extend(segment("DTM", d.qualifier, d8(d.value)) for d in line.dates)
    _cas(line.adjustments, out)
    out.extend(segment("REF", r.qualifier, r.value) for r in line.references)
    out.extend(segment("AMT", a.qualifier, amount(a.amount)) for a in line.amounts)
    out.extend(segment("QTY", q.qualifier, _quantity(q.quantity)) for q in line.quantities)
    out.extend(segment("LQ", r.qualifier, r.code) for r in line.remarks)


def _claim(claim: ClaimPayment, out: list[str]) -> None:
    responsibility = claim.patient_responsibility
    out.append(
        segment(
            "CLP",
            claim.patient_control_number,
            claim.status,
            amount(claim.charge),
            amount(claim.paid),
            "" if responsibility is None else amount(responsibility),
            claim.filing_indicator,
            claim.payer_claim_control_number,
            claim.facility_type,
            claim.frequency,
        )
    )
    _cas(claim.adjustments, out)
    for n in claim.names:
        out.append(
            segment(
                "NM1",
                n.entity,
                n.entity_type,
                n.last,
                n.first,
                n.middle,
                "",
                n.suffix,
                n.id_qualifier,
                n.id,
            )
        )
    if claim.inpatient:
        out.append(segment("MIA", *claim.inpatient))
    if claim.outpatient:
        out.append(segment("MOA", *claim.outpatient))
    _details(claim.references, claim.dates, claim.amounts, claim.quantities, out)
    for line in claim.lines:
        _line(line, out)


def remittance_body(remit: Remittance) -> list[str]:
    """The segments of one 835 transaction set between ST and SE."""
    pay = remit.payment
    details = list(pay.details) + [""] * (10 - len(pay.details))
    out = [
        segment(
            "BPR",
            pay.handling,
            amount(pay.amount),
            pay.credit_debit,
            pay.method,
            pay.format,
            *details[:10],
            d8(pay.payment_date) if pay.payment_date else "",
        )
    ]
    if remit.trace is not None:
        t = remit.trace
        out.append(segment("TRN", t.trace_type, t.number, t.originator, t.reference))
    out.extend(segment("REF", r.qualifier, r.value) for r in remit.references)
    out.extend(segment("DTM", d.qualifier, d8(d.value)) for d in remit.dates)
    _party(remit.payer, out)
    _party(remit.payee, out)
    if remit.claims:
        out.append("LX*1")
    for claim in remit.claims:
        _claim(claim, out)
    for plb in remit.provider_adjustments:
        elements = [
            "PLB",
            plb.provider_id,
            d8(plb.fiscal_period_end) if plb.fiscal_period_end else "",
        ]
        for item in plb.items:
            reason = f"{item.reason}{COMPONENT}{item.reference}" if item.reference else item.reason
            elements += [reason, amount(item.amount)]
        out.append(segment(*elements))
    return out


def write_835(
    remittances: Sequence[Remittance],
    settings: EnvelopeSettings,
    controls: ControlNumbers,
    now: datetime,
) -> str:
    """One interchange holding one 835 transaction set per remittance."""
    # ST03 is "not used" in 005010X221A1: the version travels in GS08 only.
    transactions = [Transaction("835", "", remittance_body(r)) for r in remittances]
    return interchange(transactions, FUNCTIONAL_ID, VERSION, settings, controls, now)
