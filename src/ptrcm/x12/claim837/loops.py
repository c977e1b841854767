"""Loops the 837P (005010X222A1) and 837I (005010X223A2) share: header, billing provider,
subscriber/patient hierarchy, payer, and the COB loops of a secondary claim.

Each function returns segment strings (no terminators) in the order the TR3 requires.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from ptrcm.config import Clinic, PayerConfig
from ptrcm.domain.adjudication import Adjustment, LineAdjudication, PrimaryAdjudication
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.visits import Address, Person
from ptrcm.x12.envelope import EnvelopeSettings, amount, clean, composite, d8, segment

# SBR09 claim filing indicator by payer class; a payer's `filing_indicator` overrides it.
FILING_INDICATOR = {
    "medicare": "MB",
    "medicare_advantage": "16",
    "medicaid": "MC",
    "commercial": "CI",
    "workers_comp": "WC",
    "self_pay": "ZZ",
}
# Institutional claims to Medicare are filed under Part A's indicator.
FILING_INDICATOR_837I = {**FILING_INDICATOR, "medicare": "MA"}
# Patient's relationship to the subscriber: SBR02 (self) or PAT01 (dependent).
RELATIONSHIP_CODE = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
CAS_TRIPLES = 6


def filing_indicator(payer: PayerConfig, institutional: bool = False) -> str:
    """The SBR09 code for a payer: its override, else the table for its class."""
    override = payer.overrides.get("filing_indicator")
    if isinstance(override, str) and override:
        return override
    table = FILING_INDICATOR_837I if institutional else FILING_INDICATOR
    return table.get(payer.payer_class, "ZZ")


def header(
    settings: EnvelopeSettings, payer: PayerConfig, reference: str, now: datetime
) -> list[str]:
    """BHT, submitter (1000A) and receiver (1000B)."""
    return [
        segment(
            "BHT",
            "0019",
            "00",
            clean(reference),
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            "CH",
        ),
        segment(
            "NM1",
            "41",
            "2",
            clean(settings.submitter_name),
            "",
            "",
            "",
            "",
            "46",
            clean(settings.sender_id),
        ),
        segment("PER", "IC", clean(settings.contact_name), "TE", clean(settings.contact_phone)),
        segment("NM1", "40", "2", clean(payer.name), "", "", "", "", "46", clean(payer.payer_code)),
    ]


def address(addr: Address) -> list[str]:
    """N3 and N4 for an address."""
    return [
        segment("N3", clean(addr.line1), clean(addr.line2)),
        segment("N4", clean(addr.city), clean(addr.state), clean(addr.zip)),
    ]


def billing_provider(clinic: Clinic, pay_to: Address | None) -> list[str]:
    """2000A (HL 1) with PRV*BI, 2010AA billing provider and, when different, 2010AB."""
    segs = [
        segment("HL", "1", "", "20", "1"),
        segment("PRV", "BI", "PXC", clean(clinic.taxonomy)),
        segment("NM1", "85", "2", clean(clinic.name), "", "", "", "", "XX", clinic.npi),
        *address(clinic.address),
        segment("REF", "EI", clinic.tin),
    ]
    if pay_to is not None and pay_to != clinic.address:
        segs.append(segment("NM1", "87", "2"))
        segs.extend(address(pay_to))
    return segs


def _person_nm1(qualifier: str, person: Person, member_id: str | None) -> str:
    if member_id is None:
        return segment("NM1", qualifier, "1", clean(person.last_name), clean(person.first_name))
    return segment("NM1", qualifier, "1", clean(person.last_name), clean(person.first_name),
                   "", "", "", "MI", clean(member_id))  # fmt: skip


def _demographics(person: Person) -> list[str]:
    segs = address(person.address) if person.address is not None else []
    if person.birth_date is not None:
        segs.append(segment("DMG", "D8", d8(person.birth_date), person.sex or "U"))
    return segs


def relationship(claim: Claim) -> str:
    """The patient's relationship to the subscriber: "self" unless the visit said otherwise."""
    return claim.subscriber.relationship if claim.subscriber is not None else "self"


def subscriber_hierarchy(
    claim: Claim,
    payer: PayerConfig,
    hl: int,
    responsibility: str,
    institutional: bool = False,
) -> tuple[list[str], int]:
    """2000B (+ 2010BA, 2010BB) and, for a dependent patient, 2000C (+ 2010CA).

    Returns the segments and the last HL number used.
    """
    rel = relationship(claim)
    patient = claim.patient or Person(first_name="", last_name="")
    dependent = rel != "self" and claim.subscriber is not None
    subscriber = claim.subscriber.person if dependent and claim.subscriber else patient
    sbr02 = "" if dependent else RELATIONSHIP_CODE["self"]
    segs = [
        segment("HL", str(hl), "1", "22", "1" if dependent else "0"),
        segment(
            "SBR",
            responsibility,
            sbr02,
            "",
            "",
            "",
            "",
            "",
            "",
            filing_indicator(payer, institutional),
        ),
        _person_nm1("IL", subscriber, claim.member_id or ""),
        *_demographics(subscriber),
        segment("NM1", "PR", "2", clean(payer.name), "", "", "", "", "PI", clean(payer.payer_code)),
    ]
    if not dependent:
        return segs, hl
    segs.extend(
        [
            segment("HL", str(hl + 1), str(hl), "23", "0"),
            segment("PAT", RELATIONSHIP_CODE.get(rel, "G8")),
            _person_nm1("QC", patient, None),
            *_demographics(patient),
        ]
    )
    return segs, hl + 1


def cas(adjustments: Iterable[Adjustment]) -> list[str]:
    """CAS segments: one per group code, at most six reason triples each."""
    by_group: dict[str, list[Adjustment]] = defaultdict(list)
    for adj in adjustments:
        by_group[adj.group].append(adj)
    segs = []
    for group, items in by_group.items():
        for start in range(0, len(items), CAS_TRIPLES):
            elements = [group]
            for adj in items[start : start + CAS_TRIPLES]:
                qty = "" if adj.quantity is None else str(adj.quantity)
                elements.extend([clean(adj.reason), amount(adj.amount), qty])
            segs.append(segment("CAS", *elements))
    return segs


def other_payer(
    claim: Claim,
    adjudication: PrimaryAdjudication,
    primary: PayerConfig,
    institutional: bool = False,
) -> list[str]:
    """2320 (other subscriber: the primary's SBR, CAS, AMT*D, OI, MOA), 2330A and 2330B."""
    rel = relationship(claim)
    patient = claim.patient or Person(first_name="", last_name="")
    subscriber = claim.subscriber.person if claim.subscriber is not None else patient
    segs = [
        segment(
            "SBR",
            "P",
            RELATIONSHIP_CODE.get(rel, "G8"),
            "",
            "",
            "",
            "",
            "",
            "",
            filing_indicator(primary, institutional),
        ),
        *cas(adjudication.adjustments),
        segment("AMT", "D", amount(adjudication.paid)),
        segment("OI", "", "", "Y", "", "", "Y"),
    ]
    if adjudication.remark_codes:
        remarks = [clean(r) for r in adjudication.remark_codes[:5]]
        segs.append(segment("MOA", "", "", *remarks))
    segs.append(_person_nm1("IL", subscriber, adjudication.member_id))
    segs.append(
        segment(
            "NM1", "PR", "2", clean(primary.name), "", "", "", "", "PI", clean(primary.payer_code)
        )
    )
    if adjudication.payer_claim_number:
        segs.append(segment("REF", "F8", clean(adjudication.payer_claim_number)))
    return segs


def line_adjudication(
    line: ClaimLine,
    decided: LineAdjudication,
    primary: PayerConfig,
    adjudication: PrimaryAdjudication,
    qualifier: str = "HC",
    revenue_code: str = "",
) -> list[str]:
    """2430: SVD (paid amount and units), line CAS and DTP*573 adjudication date."""
    procedure = composite(qualifier, clean(line.code), *(clean(m) for m in line.modifiers))
    return [
        segment(
            "SVD",
            clean(primary.payer_code),
            amount(decided.paid),
            procedure,
            revenue_code,
            str(decided.units),
        ),
        *cas(decided.adjustments),
        segment("DTP", "573", "D8", d8(adjudication.paid_date)),
    ]
