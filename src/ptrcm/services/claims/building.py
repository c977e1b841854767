"""Visits become claims: one claim per visit, made once, under the payer's policy.

``make_claim(visit, policy, ...)`` is the one place a visit becomes a claim. Its lines come
from ``charging.charges_under`` (the policy's unit method, discipline and assistant
modifiers, the payer's telehealth modifier); the rest of the claim comes from the visit's
own objects: prior authorization, referring provider, onset date, place of service,
patient and subscriber. It runs when the claim is built, and again only when a fix or a
correction makes a new claim version; everything after that (the 837, the 835 matcher,
expected payment, secondary claims) reads the stored lines (``claim_with_lines``).

The claim id (the 837 CLM01 patient control number) comes from ``domain.claim_ids``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from ptrcm.config import Config
from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.codes import Catalog
from ptrcm.domain.money import Money
from ptrcm.domain.policy import PayerPolicy
from ptrcm.domain.stored_claims import ClaimRecord, LineRecord
from ptrcm.domain.visits import ASSISTANT_CREDENTIALS, Visit
from ptrcm.errors import InputError, RecordProblem
from ptrcm.rules.catalog import all_rules
from ptrcm.rules.engine import Finding, Severity
from ptrcm.rules.policy import PolicyBook, policy_book
from ptrcm.services.claims.charging import charges_under

# What one stored claim can carry: units per line (the claim_lines column and SV104 are
# whole numbers; no therapy MUE comes near four digits) and amounts (NUMERIC(12,2)).
MAX_LINE_UNITS = 9_999
MAX_AMOUNT = Decimal("9999999999.99")
# The finding a claim an 837 cannot carry is held with (rules/claim_data.py).
REQUIRED_DATA_RULE = "C005"


def claim_with_lines(visit: Visit, lines: Sequence[ClaimLine], claim_id: str) -> Claim:
    """The claim for ``visit`` carrying ``lines`` as they are (e.g. the stored lines):
    the header comes from the visit's own objects, no policy is decided here."""
    plan = visit.plan_of_care
    auth = visit.authorization
    return Claim(
        claim_id=claim_id,
        payer_id=visit.payer_id,
        patient_id=visit.patient_id,
        discipline=visit.discipline,
        lines=tuple(lines),
        diagnoses=visit.diagnoses,
        rendering=visit.billing_provider,
        member_id=visit.member_id,
        place_of_service=visit.place_of_service or "11",
        patient=visit.patient,
        subscriber=visit.subscriber,
        referring=visit.referring,
        onset_date=visit.onset_date,
        prior_authorization=auth.number if auth is not None else None,
        location_id=visit.location_id,
        visit_ids=(visit.visit_id,),
        initial_treatment_date=plan.start if plan is not None else None,
        plan_established_date=(plan.certified_on or plan.start) if plan is not None else None,
        episode_visits=visit.episode_visit_number,
        service_date=visit.date_of_service,
    )


def stored_lines(lines: Iterable[LineRecord], rendering_npi: str | None) -> tuple[ClaimLine, ...]:
    """Stored claim lines as the claim carries them: what was billed, nothing recomputed
    (ptrcm's own unit count is the billed count; minutes stay with the visit)."""
    return tuple(
        ClaimLine(
            line_number=ln.line_number,
            date_of_service=ln.date_of_service,
            code=ln.code,
            modifiers=ln.modifiers,
            units=ln.units,
            expected_units=ln.units,
            charge=Money(ln.charge),
            dx_pointers=ln.dx_pointers,
            rendering_npi=rendering_npi,
        )
        for ln in lines
    )


def stored_claim(visit: Visit, claim_id: str, lines: Iterable[LineRecord]) -> Claim:
    """A stored claim as billed: its stored lines, the header from its visit."""
    return claim_with_lines(visit, stored_lines(lines, visit.billing_provider.npi), claim_id)


def as_sent(claim: Claim, record: ClaimRecord) -> Claim:
    """A replacement (frequency 7) or void (8) as stored: its frequency and the payer's
    claim number (REF*F8) are kept in its version's document."""
    frequency = record.document.get("frequency")
    if not frequency:
        return claim
    number = record.document.get("payer_claim_number")
    return replace(claim, frequency=str(frequency), payer_claim_number=number)


def make_claim(
    visit: Visit, policy: PayerPolicy, charge_for: Callable[[str], Money], catalog: Catalog
) -> Claim:
    """The primary claim for one visit under its payer's ``policy``."""
    charges = charges_under(visit, policy, charge_for, catalog)
    return claim_with_lines(visit, charges.lines, claim_id_for(visit.visit_id))


def build_claim(visit: Visit, config: Config, catalog: Catalog) -> Claim:
    """One visit's claim under its payer's policy (raises ``InputError`` for an unknown
    payer), under the config's ``PolicyBook`` (built once per config)."""
    return make_claim(visit, policy_book(config).policy_for(visit), config.charge_for, catalog)


def secondary_claim(primary: Claim, payer_id: str, member_id: str | None) -> Claim:
    """The claim to a secondary payer: the primary claim's lines (same line numbers, so
    REF*6R keys the primary's line decisions), the secondary payer and member id. The
    primary payer's adjudication travels beside it to the writer."""
    return replace(primary, payer_id=payer_id, member_id=member_id)


def build_claims(
    visits: Iterable[Visit], config: Config, catalog: Catalog, source: str = "<visits>"
) -> list[Claim]:
    """Claims for every visit, or one ``InputError`` naming each visit that cannot be
    billed (unknown payer, nothing billable, missing data an 837 requires)."""
    book = PolicyBook(config)
    claims: list[Claim] = []
    problems: list[RecordProblem] = []
    for visit in visits:
        try:
            claim = make_claim(visit, book.policy_for(visit), config.charge_for, catalog)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(claim_problems(claim, source))
        claims.append(claim)
    if problems:
        raise InputError(problems)
    return claims


def claim_problems(claim: Claim, source: str) -> list[RecordProblem]:
    """What an 837 needs that this claim lacks, one problem per missing field."""
    visit = claim.visit_ids[0] if claim.visit_ids else claim.claim_id
    found: list[RecordProblem] = []

    def bad(field: str, message: str) -> None:
        found.append(RecordProblem(source, None, field, f"visit {visit}: {message}"))

    if not claim.lines:
        bad("services", "no billable service (every line came out at zero units)")
    if not claim.diagnoses:
        bad("diagnoses", "a claim needs at least one diagnosis")
    if not claim.member_id:
        bad("member_id", "a claim needs the subscriber's member id")
    if claim.patient is None:
        bad("patient", "a claim needs the patient's name, birth date and sex")
    elif claim.patient.birth_date is None:
        bad("patient.birth_date", "a claim needs the patient's birth date")
    dependent = claim.subscriber is not None and claim.subscriber.relationship != "self"
    if dependent and claim.patient is not None and claim.patient.address is None:
        bad("patient.address", "a dependent patient's address is required on an 837")
    missing = _rendering_problem(claim)
    if missing is not None:
        bad(*missing)
    for line in claim.lines:
        if line.units > MAX_LINE_UNITS:
            bad("services.units", f"line {line.line_number} {line.code}: {line.units} units"
                f" is more than one claim line can carry ({MAX_LINE_UNITS})")  # fmt: skip
    if claim.total_charge.amount > MAX_AMOUNT:
        bad("services", f"the claim's charges exceed {MAX_AMOUNT} (check units and charges)")
    return found


def held_copy(claim: Claim, problems: Sequence[RecordProblem]) -> Claim:
    """The held copy of a claim: without lines when a line cannot be stored as billed."""
    if any(p.field in ("services", "services.units") for p in problems):
        return replace(claim, lines=())
    return claim


def held_findings(claim: Claim, problems: Sequence[RecordProblem]) -> list[Finding]:
    """C005 findings for what an 837 needs that the claim lacks (ids only, no PHI)."""
    visit = claim.visit_ids[0] if claim.visit_ids else claim.claim_id
    prefix = f"visit {visit}: "
    rule = next(r for r in all_rules() if r.id == REQUIRED_DATA_RULE)
    return [
        Finding(
            visit,
            None,
            None,
            rule.id,
            Severity.ERROR,
            p.message.removeprefix(prefix),
            None,
            rule.source,
            "",
        )
        for p in problems
    ]


def _rendering_problem(claim: Claim) -> tuple[str, str] | None:
    """(field, message) when the claim cannot name its rendering provider.

    An assistant's services are billed under the supervising therapist (MBPM ch. 15
    §230.1): a claim whose provider is still the PTA/OTA lacks the visit's supervising.
    """
    if claim.rendering.credential in ASSISTANT_CREDENTIALS:
        return "supervising", "an assistant's services are billed under the supervising therapist"
    if not claim.rendering.npi:
        return "rendering.npi", "a claim needs the rendering provider's NPI"
    return None
