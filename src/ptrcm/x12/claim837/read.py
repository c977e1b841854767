"""837P/837I files back into ``Claim`` values (round trips, the payer simulator, samples).

``read_837`` tokenizes with ``ptrcm.x12.tokenizer`` (delimiters from each ISA, byte-order
mark, line breaks and indentation, several interchanges and ST sets), splits the envelope
and reads each transaction set (``ptrcm.x12.claim837.transaction``), keeping only what a
``Claim`` holds. What an 837 cannot carry (minutes, expected units, visit ids, location) comes back
empty; ``comparable`` applies the same loss to a claim ptrcm wrote, so a round trip is
checked as ``read_837(write(claims)) == [comparable(c) for c in claims]``.

``read_claims`` is the document form (``read_x12`` uses it): every readable claim, each
claim's service period (DTP*472 D8/RD8 from-through dates) and findings. A segment that
cannot be read skips its claim with an error finding naming the segment; ``read_837`` is
strict and raises ``X12Error`` on the first such finding, since its callers (the payer
simulator, the demo) must not lose a claim silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ptrcm.domain.claims import FREQUENCY_ORIGINAL, Claim
from ptrcm.domain.visits import Provider, Referring
from ptrcm.x12.claim837.drafts import (
    CREDENTIAL_OF_TAXONOMY,
    DISCIPLINE_OF_MODIFIER,
    DISCIPLINE_OF_REVENUE,
    PLAN_REVIEWED,
    RELATIONSHIP_OF_CODE,
    START_OF_CARE,
    ClaimsRead,
    icd,
)
from ptrcm.x12.claim837.professional import TAXONOMY
from ptrcm.x12.claim837.transaction import ClaimSetReader
from ptrcm.x12.envelope import clean
from ptrcm.x12.errors import X12Error
from ptrcm.x12.structure import Envelope, split_envelope
from ptrcm.x12.tokenizer import Tokens, tokenize

__all__ = [
    "CREDENTIAL_OF_TAXONOMY",
    "DISCIPLINE_OF_MODIFIER",
    "DISCIPLINE_OF_REVENUE",
    "PLAN_REVIEWED",
    "RELATIONSHIP_OF_CODE",
    "START_OF_CARE",
    "ClaimsRead",
    "comparable",
    "read_837",
    "read_claims",
]


def read_claims(
    tokens: Tokens, envelope: Envelope, payer_ids: Mapping[str, str] | None = None
) -> ClaimsRead:
    """Every readable claim of every 837 transaction set, with periods and findings.

    Raises ``X12Error`` for a transaction set that is not an 837.
    """
    out = ClaimsRead()
    for span in envelope.transactions:
        if span.set_id != "837":
            raise X12Error(
                f"transaction set {span.set_id} is not an 837",
                segment=span.start + 1,
                segment_id="ST",
                source=tokens.source,
            )
        ClaimSetReader(tokens.segments, span, payer_ids or {}, out).read()
    return out


def read_837(
    text: str | bytes, payer_ids: Mapping[str, str] | None = None, source: str | None = None
) -> list[Claim]:
    """Every claim in an 837P or 837I file. ``payer_ids`` maps a payer code (NM1*PR id)
    back to ptrcm's payer id; unmapped codes are used as the payer id.

    Raises ``X12Error`` (naming the segment) when the file cannot be read or a claim in it
    cannot; warnings (``read_claims``) are not raised.
    """
    tokens = tokenize(text, source)
    found = read_claims(tokens, split_envelope(tokens), payer_ids)
    for finding in found.findings:
        if finding.severity == "error":
            raise X12Error(
                finding.message, segment=finding.segment, segment_id=finding.segment_id,
                source=source,
            )  # fmt: skip
    return found.claims


def comparable(claim: Claim, billing_npi: str, institutional: bool = False) -> Claim:
    """The claim as an 837 carries it: what ``read_837`` gives back for a claim ptrcm
    wrote (names and ids cleaned of delimiters, untransmitted fields emptied)."""
    rendering = claim.rendering
    npi = rendering.npi or billing_npi
    shown = institutional or npi != billing_npi
    rendering = Provider(
        credential=rendering.credential if shown and rendering.credential in TAXONOMY else "",
        npi=npi,
        name=(clean(rendering.name) or None) if shown else None,
    )
    lines = tuple(
        replace(
            line,
            expected_units=line.units,
            minutes=None,
            assistant_minutes=0,
            rendering_npi=npi,
            dx_pointers=() if institutional else line.dx_pointers[:4],
            modifiers=line.modifiers[:4],
        )
        for line in claim.lines
    )
    dependent = claim.subscriber is not None and claim.subscriber.relationship != "self"
    ref = claim.referring
    visits = claim.episode_visits or len({ln.date_of_service for ln in claim.lines})
    return replace(
        claim,
        lines=lines,
        rendering=rendering,
        diagnoses=tuple(icd(c.replace(".", "")) for c in claim.diagnoses[:12]),
        subscriber=claim.subscriber if dependent else None,
        referring=Referring(ref.npi, clean(ref.name) or None) if ref else None,
        place_of_service="11" if institutional else claim.place_of_service,
        payer_claim_number=None
        if claim.frequency == FREQUENCY_ORIGINAL
        else claim.payer_claim_number,
        plan_established_date=claim.plan_established_date if institutional else None,
        episode_visits=visits if institutional else None,
        location_id=None,
        visit_ids=(),
    )
