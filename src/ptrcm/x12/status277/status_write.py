"""277 claim status (005010X212) writer: the payer's answer to a 276, claim by claim.

The hierarchy follows the 276 it answers: information source (payer, HL 20), information
receiver (HL 21), service provider (HL 19), then one subscriber level (HL 22) per claim
with the claim's control number (TRN*2), its status (STC category:status, e.g. ``F1:65``
finalized and paid, ``P1:20`` pending in process, ``A4:35`` claim not found), the payer's
claim number (REF*1K) and the service dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ptrcm.domain.money import Money
from ptrcm.x12.envelope import (
    COMPONENT,
    ControlNumbers,
    EnvelopeSettings,
    Transaction,
    amount,
    clean,
    d8,
    interchange,
    segment,
)

VERSION_277 = "005010X212"


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    """The payer's status of one claim a 276 asked about."""

    pcn: str
    category: str  # STC01-1: F1, F2, P1, A4...
    status: str  # STC01-2 (claim status code)
    charge: Money
    paid: Money | None
    first_date: date
    last_date: date
    member_id: str
    patient_last: str
    patient_first: str
    payer_claim_number: str = ""


@dataclass(frozen=True, slots=True)
class StatusParties:
    payer_name: str
    payer_id: str
    receiver_name: str
    receiver_tin: str
    provider_name: str
    provider_npi: str


def _nm1(entity: str, kind: str, name: str, qualifier: str, ident: str, first: str = "") -> str:
    return segment("NM1", entity, kind, clean(name), clean(first), "", "", "", qualifier,
                   clean(ident))  # fmt: skip


def status_277_body(answers: Sequence[StatusAnswer], parties: StatusParties, reference: str,
                    day: date) -> list[str]:  # fmt: skip
    body = [
        segment("BHT", "0010", "08", clean(reference)[:50], d8(day), "0000", "DG"),
        segment("HL", "1", "", "20", "1"),
        _nm1("PR", "2", parties.payer_name, "PI", parties.payer_id),
        segment("HL", "2", "1", "21", "1"),
        _nm1("41", "2", parties.receiver_name, "46", parties.receiver_tin),
        segment("HL", "3", "2", "19", "1"),
        _nm1("1P", "2", parties.provider_name, "XX", parties.provider_npi),
    ]
    for hl, a in enumerate(answers, start=4):
        body.append(segment("HL", str(hl), "3", "22", "0"))
        body.append(_nm1("IL", "1", a.patient_last, "MI", a.member_id or "UNKNOWN",
                         a.patient_first))  # fmt: skip
        body.append(segment("TRN", "2", clean(a.pcn)))
        paid = amount(a.paid) if a.paid is not None else ""
        body.append(segment("STC", f"{a.category}{COMPONENT}{a.status}", d8(day), "",
                            amount(a.charge), paid))  # fmt: skip
        if a.payer_claim_number:
            body.append(segment("REF", "1K", clean(a.payer_claim_number)))
        body.append(segment("REF", "EJ", clean(a.pcn)))
        body.append(segment("DTP", "472", "RD8", f"{d8(a.first_date)}-{d8(a.last_date)}"))
    return body


def write_277(
    answers: Sequence[StatusAnswer], parties: StatusParties, settings: EnvelopeSettings,
    controls: ControlNumbers, reference: str, now: datetime,
) -> str:  # fmt: skip
    """One interchange holding one 277 claim-status answer."""
    body = status_277_body(answers, parties, reference, now.date())
    return interchange([Transaction("277", VERSION_277, body)], "HN", VERSION_277, settings,
                       controls, now)  # fmt: skip
