"""277CA 005010X214 writer: the payer's claim acknowledgment, claim by claim.

The hierarchy is information source (payer, HL 20) → information receiver (submitter,
HL 21) → billing provider (HL 19) → patient (HL PT), one patient level per claim. An
accepted claim gets ``STC*A1:20`` (accepted for processing) and the payer's claim number
in REF*1K; a rejected one gets ``STC*A7:<status code>`` (rejected at the front end) and
never reaches adjudication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ptrcm.domain.money import Money, sum_money
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

VERSION = "005010X214"
FUNCTIONAL_ID = "HN"


@dataclass(frozen=True, slots=True)
class ClaimAck:
    """What the payer says about one claim at the front end."""

    pcn: str
    charge: Money
    first_date: date
    last_date: date
    patient_last: str
    patient_first: str
    member_id: str
    accepted: bool
    payer_claim_number: str = ""
    status_code: str = "20"  # CSC: 20 accepted for processing; rejections name the problem
    entity: str = ""


@dataclass(frozen=True, slots=True)
class AckParties:
    payer_name: str
    payer_id: str
    submitter_name: str
    submitter_id: str
    provider_name: str
    provider_npi: str
    batch_reference: str


def _stc(ack: ClaimAck, day: date) -> str:
    category = "A1" if ack.accepted else "A7"
    parts = [category, ack.status_code] + ([ack.entity] if ack.entity else [])
    action = "WQ" if ack.accepted else "U"
    return segment("STC", COMPONENT.join(parts), d8(day), action, amount(ack.charge))


def ack_277ca_body(
    claims: Sequence[ClaimAck], parties: AckParties, received: date, processed: date
) -> list[str]:
    """The segments of one 277CA transaction set between ST and SE."""
    accepted = [c for c in claims if c.accepted]
    rejected = [c for c in claims if not c.accepted]
    body = [
        segment(
            "BHT", "0085", "08", clean(parties.batch_reference)[:50], d8(processed), "0000", "TH"
        ),
        segment("HL", "1", "", "20", "1"),
        segment(
            "NM1",
            "AY",
            "2",
            clean(parties.payer_name),
            "",
            "",
            "",
            "",
            "PI",
            clean(parties.payer_id),
        ),
        segment("TRN", "1", clean(parties.batch_reference)[:50]),
        segment("DTP", "050", "D8", d8(received)),
        segment("DTP", "009", "D8", d8(processed)),
        segment("HL", "2", "1", "21", "1"),
        segment(
            "NM1",
            "41",
            "2",
            clean(parties.submitter_name),
            "",
            "",
            "",
            "",
            "46",
            clean(parties.submitter_id),
        ),
        segment("TRN", "2", clean(parties.batch_reference)[:50]),
        segment(
            "STC",
            f"A1{COMPONENT}19",
            d8(processed),
            "WQ",
            amount(sum_money(c.charge for c in claims)),
        ),
        segment("QTY", "90", str(len(accepted))),
        segment("QTY", "AA", str(len(rejected))),
        segment("AMT", "YU", amount(sum_money(c.charge for c in accepted))),
        segment("AMT", "YY", amount(sum_money(c.charge for c in rejected))),
        segment("HL", "3", "2", "19", "1"),
        segment(
            "NM1",
            "85",
            "2",
            clean(parties.provider_name),
            "",
            "",
            "",
            "",
            "XX",
            clean(parties.provider_npi),
        ),
        segment("TRN", "1", clean(parties.batch_reference)[:50]),
        segment("STC", f"A1{COMPONENT}20", "", "WQ", amount(sum_money(c.charge for c in claims))),
    ]
    hl = 3
    for ack in claims:
        hl += 1
        body.append(segment("HL", str(hl), "3", "PT"))
        body.append(
            segment(
                "NM1",
                "QC",
                "1",
                clean(ack.patient_last),
                clean(ack.patient_first),
                "",
                "",
                "",
                "MI",
                clean(ack.member_id) or "UNKNOWN",
            )
        )
        body.append(segment("TRN", "2", clean(ack.pcn)))
        body.append(_stc(ack, processed))
        if ack.accepted and ack.payer_claim_number:
            body.append(segment("REF", "1K", clean(ack.payer_claim_number)))
        period = f"{d8(ack.first_date)}-{d8(ack.last_date)}"
        body.append(segment("DTP", "472", "RD8", period))
    return body


def write_277ca(
    claims: Sequence[ClaimAck], parties: AckParties, settings: EnvelopeSettings,
    controls: ControlNumbers, received: date, now: datetime,
) -> str:  # fmt: skip
    """One interchange holding one 277CA for the claims of one received batch."""
    body = ack_277ca_body(claims, parties, received, now.date())
    return interchange([Transaction("277", VERSION, body)], FUNCTIONAL_ID, VERSION, settings,
                       controls, now)  # fmt: skip
