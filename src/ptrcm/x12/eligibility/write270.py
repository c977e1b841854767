"""270 eligibility requests (005010X279A1) and 276 claim status requests (005010X212).

Service type codes (EQ01) by discipline, from the X12 service type code list: AE
"Physical Medicine" for PT, AD "Occupational Therapy" for OT, AF "Speech Therapy" for
SLP, and 30 "Health Benefit Plan Coverage" for a generic inquiry. Newer code lists add
PT "Physical Therapy"; payers that support it can be sent it through ``service_types``.

pyx12 ships no 5010 maps for 270/276, so these files are checked by ptrcm's own tests
(envelope counts, HL parents) rather than by the pyx12 oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ptrcm.config import Clinic, PayerConfig
from ptrcm.domain.claims import Claim
from ptrcm.domain.visits import Person
from ptrcm.x12.envelope import (
    ControlNumbers,
    EnvelopeSettings,
    Transaction,
    amount,
    clean,
    d8,
    interchange,
    segment,
)

VERSION_270 = "005010X279A1"
VERSION_276 = "005010X212"
SERVICE_TYPE = {"PT": "AE", "OT": "AD", "SLP": "AF"}
GENERIC_COVERAGE = "30"


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """One patient's coverage question: who, under which member id, for what, on which day.

    ``dependent`` is the patient when the patient is not the subscriber (and has no
    member id of their own); ``subscriber`` is always the card holder.
    """

    trace: str
    subscriber: Person
    member_id: str
    as_of: date
    service_types: tuple[str, ...] = (GENERIC_COVERAGE,)
    dependent: Person | None = None


def service_types_for(discipline: str | None) -> tuple[str, ...]:
    """EQ01 codes for a discipline, or the generic health plan coverage code."""
    code = SERVICE_TYPE.get(discipline or "")
    return (code,) if code else (GENERIC_COVERAGE,)


def _name(qualifier: str, person: Person, member_id: str | None = None) -> str:
    ids = ("", "", "", "MI", clean(member_id)) if member_id else ()
    return segment("NM1", qualifier, "1", clean(person.last_name), clean(person.first_name), *ids)


def _demographics(person: Person) -> list[str]:
    if person.birth_date is None:
        return []
    return [segment("DMG", "D8", d8(person.birth_date), person.sex or "U")]


def _source_and_receiver(payer: PayerConfig, clinic: Clinic) -> list[str]:
    return [
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", clean(payer.name), "", "", "", "", "PI", clean(payer.payer_code)),
        segment("HL", "2", "1", "21", "1"),
        segment("NM1", "1P", "2", clean(clinic.name), "", "", "", "", "XX", clinic.npi),
    ]


def transaction_270(
    inquiries: Sequence[EligibilityInquiry], payer: PayerConfig, clinic: Clinic, now: datetime
) -> Transaction:
    """One 270: the payer (2000A), the clinic (2000B), one subscriber HL per inquiry."""
    body = [
        segment(
            "BHT",
            "0022",
            "13",
            clean(inquiries[0].trace if inquiries else "0"),
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
        ),
        *_source_and_receiver(payer, clinic),
    ]
    hl = 2
    for q in inquiries:
        hl += 1
        subscriber_hl = hl
        body.append(segment("HL", str(hl), "2", "22", "1" if q.dependent else "0"))
        body.append(segment("TRN", "1", clean(q.trace), "1" + clinic.tin))
        body.append(_name("IL", q.subscriber, q.member_id))
        body.extend(_demographics(q.subscriber))
        if q.dependent is not None:
            hl += 1
            body.append(segment("HL", str(hl), str(subscriber_hl), "23", "0"))
            body.append(segment("TRN", "1", clean(q.trace), "1" + clinic.tin))
            body.append(_name("03", q.dependent))
            body.extend(_demographics(q.dependent))
        # The date and the questions belong to the patient: the dependent when there is one.
        body.append(segment("DTP", "291", "D8", d8(q.as_of)))
        body.extend(segment("EQ", code) for code in q.service_types)
    return Transaction("270", VERSION_270, body)


def write_270(
    inquiries: Sequence[EligibilityInquiry], payer: PayerConfig, clinic: Clinic,
    settings: EnvelopeSettings, controls: ControlNumbers, now: datetime,
) -> str:  # fmt: skip
    """A complete 270 file for one payer."""
    tx = transaction_270(inquiries, payer, clinic, now)
    return interchange([tx], "HS", VERSION_270, settings, controls, now)


def transaction_276(
    claims: Sequence[Claim], payer: PayerConfig, clinic: Clinic, now: datetime
) -> Transaction:
    """One 276: payer, information receiver (the clinic by TIN), service provider (the
    clinic by NPI), then per claim the subscriber (and dependent) with the claim's
    control number, charge and service dates."""
    body = [
        segment(
            "BHT",
            "0010",
            "13",
            clean(claims[0].claim_id if claims else "0"),
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
        ),
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", clean(payer.name), "", "", "", "", "PI", clean(payer.payer_code)),
        segment("HL", "2", "1", "21", "1"),
        segment("NM1", "41", "2", clean(clinic.name), "", "", "", "", "46", clinic.tin),
        segment("HL", "3", "2", "19", "1"),
        segment("NM1", "1P", "2", clean(clinic.name), "", "", "", "", "XX", clinic.npi),
    ]
    hl = 3
    for claim in claims:
        patient = claim.patient or Person(first_name="", last_name="")
        dependent = claim.subscriber is not None and claim.subscriber.relationship != "self"
        holder = claim.subscriber.person if claim.subscriber and dependent else patient
        hl += 1
        body.append(segment("HL", str(hl), "3", "22", "1" if dependent else "0"))
        body.extend(_demographics(holder) if not dependent else [])
        body.append(_name("IL", holder, claim.member_id or ""))
        if dependent:
            hl += 1
            body.append(segment("HL", str(hl), str(hl - 1), "23", "0"))
            body.extend(_demographics(patient))
            body.append(_name("QC", patient))
        body.append(segment("TRN", "1", clean(claim.claim_id)))
        if claim.payer_claim_number:
            body.append(segment("REF", "1K", clean(claim.payer_claim_number)))
        body.append(segment("REF", "EJ", clean(claim.claim_id)))
        body.append(segment("AMT", "T3", amount(claim.total_charge)))
        span = f"{d8(claim.first_date)}-{d8(claim.last_date)}"
        body.append(segment("DTP", "472", "RD8", span))
    return Transaction("276", VERSION_276, body)


def write_276(
    claims: Sequence[Claim], payer: PayerConfig, clinic: Clinic,
    settings: EnvelopeSettings, controls: ControlNumbers, now: datetime,
) -> str:  # fmt: skip
    """A complete 276 file asking one payer for the status of the claims."""
    tx = transaction_276(claims, payer, clinic, now)
    return interchange([tx], "HR", VERSION_276, settings, controls, now)
