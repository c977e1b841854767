"""837P professional claims (005010X222A1, the CMS-1500's electronic form).

One file holds one interchange and one functional group; each payer gets its own
transaction set (its own receiver, 1000B). Every claim gets its own subscriber HL (2000B,
plus 2000C when the patient is a dependent). A claim of more than 50 service lines (the
TR3's 2400 limit) is split into claims of at most 50 lines whose patient control numbers
carry a "-1", "-2", ... suffix; each line keeps its original number in REF*6R.

A claim with a ``PrimaryAdjudication`` is a secondary claim: SBR01 is S, and the primary
payer's decision travels in 2320/2330A/2330B and, per line, 2430.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ptrcm.config import Clinic, PayerConfig
from ptrcm.domain.adjudication import PrimaryAdjudication
from ptrcm.domain.claims import FREQUENCY_ORIGINAL, Claim, ClaimLine
from ptrcm.domain.visits import Address
from ptrcm.errors import InputError
from ptrcm.x12.claim837 import loops
from ptrcm.x12.envelope import (
    ControlNumbers,
    EnvelopeSettings,
    Transaction,
    amount,
    clean,
    composite,
    d8,
    icd,
    interchange,
    segment,
)
from ptrcm.x12.names import person_name

VERSION_837P = "005010X222A1"
MAX_LINES_837P = 50
MAX_DIAGNOSES = 12
# Provider taxonomy (PRV*PE) by rendering credential; unknown credentials send no PRV.
TAXONOMY = {
    "PT": "225100000X",
    "PTA": "225200000X",
    "OT": "225X00000X",
    "OTA": "224Z00000X",
    "SLP": "235Z00000X",
}


@dataclass(frozen=True, slots=True)
class Billing:
    """Who bills and to whom: the clinic, the payers by id, an optional pay-to address and
    the primary payer's adjudication of each secondary claim (keyed by claim id)."""

    clinic: Clinic
    payers: Mapping[str, PayerConfig]
    pay_to: Address | None = None
    adjudications: Mapping[str, PrimaryAdjudication] = field(default_factory=dict)

    def payer(self, claim: Claim) -> PayerConfig:
        """The payer a claim goes to; ``InputError`` when the configuration lacks it."""
        found = self.payers.get(claim.payer_id)
        if found is None:
            raise InputError.one(
                "<config>", None, f"payers.{claim.payer_id}",
                f"claim {claim.claim_id} names payer {claim.payer_id!r}, not configured",
            )  # fmt: skip
        return found

    def primary_of(self, claim: Claim) -> tuple[PrimaryAdjudication, PayerConfig] | None:
        """The primary adjudication and payer of a secondary claim, or None for a primary."""
        adjudication = self.adjudications.get(claim.claim_id)
        if adjudication is None:
            return None
        primary = self.payers.get(adjudication.payer_id)
        if primary is None:
            raise InputError.one(
                "<config>", None, f"payers.{adjudication.payer_id}",
                f"claim {claim.claim_id}: primary payer {adjudication.payer_id!r} not configured",
            )  # fmt: skip
        return adjudication, primary


def split_claim(claim: Claim, max_lines: int = MAX_LINES_837P) -> tuple[Claim, ...]:
    """The claim itself when it has at most ``max_lines`` lines, otherwise consecutive
    parts of at most ``max_lines`` lines with ids suffixed "-1", "-2", ..."""
    if len(claim.lines) <= max_lines:
        return (claim,)
    parts = []
    for index, start in enumerate(range(0, len(claim.lines), max_lines), start=1):
        chunk = claim.lines[start : start + max_lines]
        parts.append(replace(claim, claim_id=f"{claim.claim_id}-{index}", lines=chunk))
    return tuple(parts)


def _diagnoses(claim: Claim) -> str:
    codes = [icd(c) for c in claim.diagnoses[:MAX_DIAGNOSES]]
    parts = [composite("ABK" if i == 0 else "ABF", c) for i, c in enumerate(codes)]
    return segment("HI", *parts)


def _claim_dates_and_refs(claim: Claim) -> list[str]:
    segs = []
    if claim.onset_date is not None:
        segs.append(segment("DTP", "431", "D8", d8(claim.onset_date)))
    if claim.initial_treatment_date is not None:
        segs.append(segment("DTP", "454", "D8", d8(claim.initial_treatment_date)))
    if claim.prior_authorization:
        segs.append(segment("REF", "G1", clean(claim.prior_authorization)))
    if claim.frequency != FREQUENCY_ORIGINAL and claim.payer_claim_number:
        segs.append(segment("REF", "F8", clean(claim.payer_claim_number)))
    segs.append(segment("REF", "EA", clean(claim.patient_id)))
    return segs


def _providers(claim: Claim, clinic: Clinic) -> list[str]:
    segs = []
    ref = claim.referring
    if ref is not None and (ref.npi or ref.name):
        last, first = person_name(ref.name)
        ids = ("", "", "", "XX", ref.npi) if ref.npi else ()
        segs.append(segment("NM1", "DN", "1", last or "UNKNOWN", first, *ids))
    rendering = claim.rendering
    if rendering.npi and rendering.npi != clinic.npi:
        last, first = person_name(rendering.name)
        segs.append(
            segment("NM1", "82", "1", last or "UNKNOWN", first, "", "", "", "XX", rendering.npi)
        )
        taxonomy = TAXONOMY.get(rendering.credential)
        if taxonomy:
            segs.append(segment("PRV", "PE", "PXC", taxonomy))
    return segs


def _service_line(
    position: int,
    line: ClaimLine,
    claim: Claim,
    primary: tuple[PrimaryAdjudication, PayerConfig] | None,
) -> list[str]:
    procedure = composite("HC", clean(line.code), *(clean(m) for m in line.modifiers[:4]))
    pointers = composite(*(str(p) for p in line.dx_pointers[:4]))
    segs = [
        segment("LX", str(position)),
        segment("SV1", procedure, amount(line.charge), "UN", str(line.units), "", "", pointers),
        segment("DTP", "472", "D8", d8(line.date_of_service)),
        segment("REF", "6R", str(line.line_number)),
    ]
    if primary is not None:
        adjudication, payer = primary
        decided = adjudication.line(line.line_number)
        if decided is not None:
            segs.extend(loops.line_adjudication(line, decided, payer, adjudication))
    return segs


def claim_segments(claim: Claim, billing: Billing) -> list[str]:
    """Loop 2300 (claim) through its 2400 service lines, for one claim of ≤ 50 lines."""
    primary = billing.primary_of(claim)
    pos = composite(claim.place_of_service, "B", claim.frequency)
    segs = [
        segment(
            "CLM",
            clean(claim.claim_id),
            amount(claim.total_charge),
            "",
            "",
            pos,
            "Y",
            "A",
            "Y",
            "Y",
        ),
        *_claim_dates_and_refs(claim),
        _diagnoses(claim),
        *_providers(claim, billing.clinic),
    ]
    if primary is not None:
        segs.extend(loops.other_payer(claim, primary[0], primary[1]))
    for position, line in enumerate(claim.lines, start=1):
        segs.extend(_service_line(position, line, claim, primary))
    return segs


def group_by_payer(claims: Sequence[Claim]) -> dict[str, list[Claim]]:
    """Claims by payer id, in the order payers first appear."""
    grouped: dict[str, list[Claim]] = {}
    for claim in claims:
        grouped.setdefault(claim.payer_id, []).append(claim)
    return grouped


def payer_transactions(
    claims: Sequence[Claim],
    billing: Billing,
    settings: EnvelopeSettings,
    now: datetime,
    version: str,
    body_for: Callable[[Claim, PayerConfig], list[str]],
    *,
    institutional: bool = False,
    prepare: Callable[[Claim], Iterable[Claim]] = lambda claim: (claim,),
) -> list[Transaction]:
    """One 837 transaction set per payer: header, billing provider, then each claim's
    subscriber/patient hierarchy and ``body_for`` segments. ``prepare`` may split a claim
    (837P: more lines than the guide allows)."""
    transactions = []
    for payer_id, group in group_by_payer(claims).items():
        payer = billing.payers.get(payer_id)
        if payer is None:
            billing.payer(group[0])  # raises the InputError naming the payer
            continue
        reference = f"{payer.payer_code}{now.strftime('%Y%m%d%H%M')}"
        body = loops.header(settings, payer, reference, now)
        body.extend(loops.billing_provider(billing.clinic, billing.pay_to))
        hl = 1
        for claim in [part for original in group for part in prepare(original)]:
            responsibility = "S" if claim.claim_id in billing.adjudications else "P"
            segs, hl = loops.subscriber_hierarchy(
                claim, payer, hl + 1, responsibility, institutional
            )
            body.extend(segs)
            body.extend(body_for(claim, payer))
        transactions.append(Transaction("837", version, body))
    if not transactions:
        raise InputError.one("<claims>", None, None, "no claims to write")
    return transactions


def write_837p(
    claims: Sequence[Claim], billing: Billing, settings: EnvelopeSettings,
    controls: ControlNumbers, now: datetime,
) -> str:  # fmt: skip
    """A complete 837P file for the claims: one transaction set per payer, long claims
    split, control numbers from ``controls``, ``now`` as the creation time."""
    transactions = payer_transactions(
        claims, billing, settings, now, VERSION_837P,
        lambda claim, _payer: claim_segments(claim, billing), prepare=split_claim,
    )  # fmt: skip
    return interchange(transactions, "HC", VERSION_837P, settings, controls, now)
