"""Visits become claims: one claim per visit, to the visit's payer (or its secondary).

Lines come from ``charge_visit`` (the payer's unit method, discipline and assistant
modifiers); the rest of the claim comes from the visit's own objects: prior authorization,
referring provider, onset date, place of service, patient and subscriber. The claim id
(the 837 CLM01 patient control number) is derived from the visit id so that building the
same visit twice gives the same id, and a remittance can be matched back to the visit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace

from ptrcm.config import Config
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.codes import Catalog
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.charging import charge_visit

CLAIM_ID_MAX = 20
# Room left for the "-N" suffix a split claim gets (837P allows 50 lines per claim).
CLAIM_ID_BASE_MAX = 17
TELEHEALTH_POS = frozenset({"02", "10"})
TELEHEALTH_MODIFIERS = frozenset({"95", "GT", "GQ", "FQ"})
DEFAULT_TELEHEALTH_MODIFIER = "95"
_UNSAFE = re.compile(r"[^A-Z0-9-]")


def claim_id_for(visit_id: str) -> str:
    """The patient control number for a visit: the visit id itself when it is X12-safe
    (letters, digits, hyphen) and at most 17 characters, otherwise a cleaned prefix plus
    a short hash of the full id, so distinct visit ids keep distinct claim ids."""
    cleaned = _UNSAFE.sub("", visit_id.upper())
    if cleaned == visit_id and 0 < len(cleaned) <= CLAIM_ID_BASE_MAX:
        return cleaned
    digest = hashlib.sha256(visit_id.encode("utf-8")).hexdigest()[:6].upper()
    return f"{cleaned[: CLAIM_ID_BASE_MAX - 7]}-{digest}" if cleaned else f"V-{digest}"


def is_telehealth(visit: Visit) -> bool:
    """A visit furnished by telehealth: POS 02/10 or an explicit ``"telehealth": true``."""
    return visit.place_of_service in TELEHEALTH_POS or visit.extra.get("telehealth") is True


def _with_telehealth_modifier(line: ClaimLine, modifier: str) -> ClaimLine:
    if not modifier or TELEHEALTH_MODIFIERS & set(line.modifiers) or len(line.modifiers) >= 4:
        return line
    return replace(line, modifiers=(*line.modifiers, modifier))


def build_claim(visit: Visit, config: Config, catalog: Catalog) -> Claim:
    """The primary claim for one visit (raises ``InputError`` for an unknown payer)."""
    charges = charge_visit(visit, config, catalog)
    payer = config.payer(visit.payer_id)
    lines = charges.lines
    if is_telehealth(visit) and payer is not None:
        modifier = str(payer.overrides.get("telehealth_modifier", DEFAULT_TELEHEALTH_MODIFIER))
        lines = tuple(_with_telehealth_modifier(line, modifier) for line in lines)
    plan = visit.plan_of_care
    auth = visit.authorization
    return Claim(
        claim_id=claim_id_for(visit.visit_id),
        payer_id=visit.payer_id,
        patient_id=visit.patient_id,
        discipline=visit.discipline,
        lines=lines,
        diagnoses=visit.diagnoses,
        rendering=visit.rendering,
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
    )


def build_secondary_claim(visit: Visit, config: Config, catalog: Catalog) -> Claim:
    """The claim to the visit's secondary payer: the primary claim's lines, the secondary
    payer and member id. The primary payer's adjudication travels beside it to the writer."""
    if visit.secondary is None:
        raise InputError.one(
            config.source, None, "secondary", f"visit {visit.visit_id} has no secondary payer"
        )
    primary = build_claim(visit, config, catalog)
    return replace(primary, payer_id=visit.secondary.payer_id, member_id=visit.secondary.member_id)


def build_claims(
    visits: Iterable[Visit], config: Config, catalog: Catalog, source: str = "<visits>"
) -> list[Claim]:
    """Claims for every visit, or one ``InputError`` naming each visit that cannot be
    billed (unknown payer, nothing billable, missing data an 837 requires)."""
    claims: list[Claim] = []
    problems: list[RecordProblem] = []
    for visit in visits:
        try:
            claim = build_claim(visit, config, catalog)
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
    if not claim.rendering.npi:
        bad("rendering.npi", "a claim needs the rendering provider's NPI")
    return found
