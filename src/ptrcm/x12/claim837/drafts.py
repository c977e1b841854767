"""The claim and line drafts of the 837 reader, with the code tables and element converters
that fill them, and the step that turns a finished draft into ``Claim`` lines.

Everything here is pure. Converters raise ``ValueError`` with a message naming the value;
the reader turns that into a finding naming the segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Person, Provider, Referring
from ptrcm.x12.claim837.professional import TAXONOMY
from ptrcm.x12.errors import Finding
from ptrcm.x12.values import parse_date, parse_period, parse_quantity

CREDENTIAL_OF_TAXONOMY = {v: k for k, v in TAXONOMY.items()}
RELATIONSHIP_OF_CODE = {"18": "self", "01": "spouse", "19": "child", "G8": "other"}
DISCIPLINE_OF_MODIFIER = {"GP": "PT", "GO": "OT", "GN": "SLP"}
DISCIPLINE_OF_REVENUE = {"042": "PT", "043": "OT", "044": "SLP"}
START_OF_CARE = frozenset({"35", "44", "45"})
PLAN_REVIEWED = frozenset({"29", "17", "30"})
# HI qualifiers of diagnosis codes: ICD-10 (ABK principal, ABF other) and ICD-9 (BK, BF).
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})
# NM101 entity codes the 837P/837I loops use; any other is reported (a warning).
ENTITY_CODES = frozenset(
    {"41", "40", "85", "87", "PE", "IL", "PR", "QC", "DN", "P3", "82", "77", "DQ", "71", "72",
     "ZZ", "PW", "45", "DK", "QB", "FA", "TL", "36", "GB"}
)  # fmt: skip
# Characters a sender sometimes uses as component separator whatever ISA16 says.
COMMON_COMPONENTS = (">", ":", "^", "|", "\\")

Period = tuple[date, date]


def el(seg: list[str], i: int) -> str:
    """Element ``i`` of a segment, "" when the segment is shorter."""
    return seg[i] if len(seg) > i else ""


def dtp_period(seg: list[str]) -> Period | None:
    """The dates of a DTP (or DMG-like) qualifier/format/value triple: D8 is one day, RD8 a
    from-through range, DT a date and time (the date is kept); other formats give None."""
    fmt, value = el(seg, 2), el(seg, 3)
    if fmt == "D8":
        day = parse_date(value)
        return day, day
    if fmt == "RD8":
        start, end = parse_period(value)
        if end < start:
            raise ValueError(f"date range {value!r} ends before it starts")
        return start, end
    if fmt == "DT":
        day = parse_date(value[:8])
        return day, day
    return None


def icd(code: str) -> str:
    """A diagnosis code with its dot (E-codes of ICD-9 keep four characters before it)."""
    head = 4 if code.startswith("E") and code[1:].isdigit() else 3
    return f"{code[:head]}.{code[head:]}" if len(code) > head else code


def units_of(text: str) -> tuple[int, bool]:
    """SV1-04/SV2-05 units as a whole number, and whether a fraction was dropped."""
    quantity = parse_quantity(text)
    if quantity < 0:
        raise ValueError(f"units {text!r} are negative")
    whole = int(quantity)
    return whole, whole != quantity


def full_name(seg: list[str]) -> str | None:
    """First and last name of an NM1 (None for ptrcm's "UNKNOWN" placeholder)."""
    last, first = el(seg, 3), el(seg, 4)
    if last == "UNKNOWN" and not first:
        return None
    return f"{first} {last}".strip() or None


def person_of(seg: list[str]) -> Person:
    """The person an NM1 names."""
    return Person(first_name=el(seg, 4), last_name=el(seg, 3))


@dataclass(slots=True)
class LineDraft:
    """A service line (2400) being read."""

    segment: int
    code: str = ""
    modifiers: tuple[str, ...] = ()
    charge: Money | None = None
    units: int = 0
    revenue: str = ""
    pointers: tuple[int, ...] = ()
    period: Period | None = None
    number: int | None = None


@dataclass(slots=True)
class ClaimDraft:
    """A claim (2300) being read; ``broken`` once a segment of it could not be read."""

    claim_id: str
    place: str
    frequency: str
    segment: int
    diagnoses: list[str] = field(default_factory=list)
    lines: list[LineDraft] = field(default_factory=list)
    rendering: Provider | None = None
    referring: Referring | None = None
    onset: date | None = None
    initial: date | None = None
    plan: date | None = None
    visits: int | None = None
    authorization: str | None = None
    payer_claim: str | None = None
    patient_id: str = ""
    period: Period | None = None
    broken: bool = False


def place_occurrence(claim: ClaimDraft, code: str, day: date) -> None:
    """An 837I occurrence code (HI*BH): onset (11), start of care, plan reviewed."""
    if code == "11":
        claim.onset = day
    elif code in START_OF_CARE:
        claim.initial = day
    elif code in PLAN_REVIEWED:
        claim.plan = day


@dataclass
class ClaimsRead:
    """What the reader found: claims, each claim's service period, findings."""

    claims: list[Claim] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def claim_lines(draft: ClaimDraft, npi: str | None) -> tuple[tuple[ClaimLine, ...], Period]:
    """The finished lines and the claim's service period (first to last day).

    A line without its own DTP*472 takes the claim's dates (DTP*472 or *434 in 2300).
    """
    lines: list[ClaimLine] = []
    periods: list[Period] = []
    for position, item in enumerate(draft.lines, start=1):
        period = item.period or draft.period
        if period is None:
            raise ValueError(f"service line {position} has no date of service (DTP*472)")
        if item.charge is None:
            raise ValueError(f"service line {position} has no charge")
        periods.append(period)
        lines.append(
            ClaimLine(
                line_number=item.number if item.number is not None else position,
                date_of_service=period[0],
                code=item.code,
                modifiers=item.modifiers,
                units=item.units,
                expected_units=item.units,
                charge=item.charge,
                dx_pointers=item.pointers,
                rendering_npi=npi,
            )
        )
    if not lines:
        raise ValueError("the claim has no service lines (LX/SV1/SV2)")
    return tuple(lines), (min(p[0] for p in periods), max(p[1] for p in periods))


def discipline_of(draft: ClaimDraft) -> str:
    """PT, OT or SLP from the revenue codes (837I) or the GP/GO/GN modifiers; else ""."""
    for item in draft.lines:
        if item.revenue[:3] in DISCIPLINE_OF_REVENUE:
            return DISCIPLINE_OF_REVENUE[item.revenue[:3]]
    for item in draft.lines:
        for modifier in item.modifiers:
            if modifier in DISCIPLINE_OF_MODIFIER:
                return DISCIPLINE_OF_MODIFIER[modifier]
    return ""
