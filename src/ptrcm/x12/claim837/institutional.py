"""837I institutional claims (005010X223A2, the UB-04's electronic form) for hospital
outpatient departments and agencies (reference §9).

Type of bill defaults to 13x (hospital outpatient); a payer's ``type_of_bill`` override
("74" ORF, "75" CORF, "22"/"23" SNF Part B, "34" HHA, "85" CAH, ...) changes it, and the
claim's frequency code completes it. Each line carries the discipline's revenue code
(0420 PT, 0430 OT, 0440 SLP), the HCPCS code with GP/GO/GN, and its own date of service.
Occurrence codes report onset (11), start of care (35 PT / 44 OT / 45 SLP) and the date
the plan was established or reviewed (29 PT / 17 OT / 30 SLP); value codes 50/51/52
report the visits of the episode through this claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ptrcm.config import PayerConfig
from ptrcm.domain.adjudication import PrimaryAdjudication
from ptrcm.domain.claims import FREQUENCY_ORIGINAL, Claim, ClaimLine
from ptrcm.errors import InputError
from ptrcm.x12.claim837 import loops
from ptrcm.x12.claim837.professional import TAXONOMY, Billing, payer_transactions
from ptrcm.x12.envelope import (
    ControlNumbers,
    EnvelopeSettings,
    amount,
    clean,
    composite,
    d8,
    icd,
    interchange,
    segment,
)
from ptrcm.x12.names import person_name

VERSION_837I = "005010X223A2"
DEFAULT_TYPE_OF_BILL = "13"
DEFAULT_PATIENT_STATUS = "01"
REVENUE_CODE = {"PT": "0420", "OT": "0430", "SLP": "0440"}
START_OF_CARE_OCCURRENCE = {"PT": "35", "OT": "44", "SLP": "45"}
PLAN_OCCURRENCE = {"PT": "29", "OT": "17", "SLP": "30"}
VISITS_VALUE = {"PT": "50", "OT": "51", "SLP": "52"}
ONSET_OCCURRENCE = "11"
HI_MAX = 12


def type_of_bill(payer: PayerConfig) -> str:
    """The first two digits of the type of bill (facility type and bill classification)."""
    raw = str(payer.overrides.get("type_of_bill", DEFAULT_TYPE_OF_BILL)).strip()
    digits = raw.lstrip("0") if len(raw) == 4 else raw
    if len(digits) < 2 or not digits[:2].isdigit():
        raise InputError.one(
            "<config>", None, f"payers.{payer.payer_id}.type_of_bill",
            f"must be a type of bill such as 13 or 131, got {raw!r}",
        )  # fmt: skip
    return digits[:2]


def revenue_code(claim: Claim) -> str:
    """The discipline's revenue code (042x PT, 043x OT, 044x SLP)."""
    return REVENUE_CODE.get(claim.discipline, "0420")


def _hi_segments(claim: Claim) -> list[str]:
    codes = [icd(c) for c in claim.diagnoses]
    segs = [segment("HI", composite("ABK", codes[0]))] if codes else []
    others = codes[1:]
    for start in range(0, min(len(others), 2 * HI_MAX), HI_MAX):
        chunk = others[start : start + HI_MAX]
        segs.append(segment("HI", *(composite("ABF", c) for c in chunk)))
    occurrences = []
    if claim.onset_date is not None:
        occurrences.append(composite("BH", ONSET_OCCURRENCE, "D8", d8(claim.onset_date)))
    start_code = START_OF_CARE_OCCURRENCE.get(claim.discipline)
    if claim.initial_treatment_date is not None and start_code:
        occurrences.append(composite("BH", start_code, "D8", d8(claim.initial_treatment_date)))
    plan_code = PLAN_OCCURRENCE.get(claim.discipline)
    if claim.plan_established_date is not None and plan_code:
        occurrences.append(composite("BH", plan_code, "D8", d8(claim.plan_established_date)))
    if occurrences:
        segs.append(segment("HI", *occurrences))
    value_code = VISITS_VALUE.get(claim.discipline)
    visits = claim.episode_visits or len({line.date_of_service for line in claim.lines})
    if value_code:
        segs.append(segment("HI", composite("BE", value_code, "", "", str(visits))))
    return segs


def _providers(claim: Claim) -> list[str]:
    segs = []
    rendering = claim.rendering
    if rendering.npi:
        last, first = person_name(rendering.name)
        segs.append(
            segment("NM1", "71", "1", last or "UNKNOWN", first, "", "", "", "XX", rendering.npi)
        )
        taxonomy = TAXONOMY.get(rendering.credential)
        if taxonomy:
            segs.append(segment("PRV", "AT", "PXC", taxonomy))
    ref = claim.referring
    if ref is not None and (ref.npi or ref.name):
        last, first = person_name(ref.name)
        ids = ("", "", "", "XX", ref.npi) if ref.npi else ()
        segs.append(segment("NM1", "DN", "1", last or "UNKNOWN", first, *ids))
    return segs


def _service_line(
    position: int,
    line: ClaimLine,
    revenue: str,
    primary: tuple[PrimaryAdjudication, PayerConfig] | None,
) -> list[str]:
    procedure = composite("HC", clean(line.code), *(clean(m) for m in line.modifiers[:4]))
    segs = [
        segment("LX", str(position)),
        segment("SV2", revenue, procedure, amount(line.charge), "UN", str(line.units)),
        segment("DTP", "472", "D8", d8(line.date_of_service)),
        segment("REF", "6R", str(line.line_number)),
    ]
    if primary is not None:
        adjudication, payer = primary
        decided = adjudication.line(line.line_number)
        if decided is not None:
            segs.extend(loops.line_adjudication(line, decided, payer, adjudication, "HC", revenue))
    return segs


def claim_segments(claim: Claim, payer: PayerConfig, billing: Billing) -> list[str]:
    """Loop 2300 (institutional claim) through its 2400 service lines."""
    primary = billing.primary_of(claim)
    bill = composite(type_of_bill(payer), "A", claim.frequency)
    status = str(payer.overrides.get("patient_status", DEFAULT_PATIENT_STATUS))
    span = f"{d8(claim.first_date)}-{d8(claim.last_date)}"
    segs = [
        segment(
            "CLM",
            clean(claim.claim_id),
            amount(claim.total_charge),
            "",
            "",
            bill,
            "",
            "A",
            "Y",
            "Y",
        ),
        segment("DTP", "434", "RD8", span),
        segment("CL1", "", "", clean(status)),
    ]
    if claim.prior_authorization:
        segs.append(segment("REF", "G1", clean(claim.prior_authorization)))
    if claim.frequency != FREQUENCY_ORIGINAL and claim.payer_claim_number:
        segs.append(segment("REF", "F8", clean(claim.payer_claim_number)))
    segs.append(segment("REF", "EA", clean(claim.patient_id)))
    segs.extend(_hi_segments(claim))
    segs.extend(_providers(claim))
    if primary is not None:
        segs.extend(loops.other_payer(claim, primary[0], primary[1], institutional=True))
    revenue = revenue_code(claim)
    for position, line in enumerate(claim.lines, start=1):
        segs.extend(_service_line(position, line, revenue, primary))
    return segs


def write_837i(
    claims: Sequence[Claim], billing: Billing, settings: EnvelopeSettings,
    controls: ControlNumbers, now: datetime,
) -> str:  # fmt: skip
    """A complete 837I file: one transaction set per payer, numbers from ``controls``."""
    transactions = payer_transactions(
        claims, billing, settings, now, VERSION_837I,
        lambda claim, payer: claim_segments(claim, payer, billing), institutional=True,
    )  # fmt: skip
    return interchange(transactions, "HC", VERSION_837I, settings, controls, now)
