"""One patient's story: episodes, appointments and documented visits, oldest first.

Episodes may begin up to six weeks before the period so the clinic is in a steady state
on its first day; those earlier visits count for every counter (KX year-to-date amounts,
annual visits, authorizations, progress reports) but are not written out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ptrcm.domain.codes import Catalog
from ptrcm.synth.clinic import ClinicData, Patient, Therapist, choose_weighted, make_patient
from ptrcm.synth.schedule import (
    KEPT,
    Appointment,
    Episode,
    StartSampler,
    next_open,
    schedule_episode,
)
from ptrcm.synth.tables import Condition, Tables, kx_group
from ptrcm.synth.visits import (
    REEVAL,
    EpisodeState,
    Facts,
    Ledger,
    allowed_amount,
    document_services,
    kx_state,
    lines_for,
    new_authorization,
    new_plan,
    rendering_for,
    settle_units,
    threshold_for,
)

Record = dict[str, Any]
WARM_UP_DAYS = 42
# Telehealth modifier by payer class (Medicare: 95 only on institutional claims).
TELEHEALTH_MODIFIER = {
    "medicaid": "GT",
    "medicare_advantage": "95",
    "commercial": "95",
    "workers_comp": "95",
    "self_pay": "95",
}
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    clinic: ClinicData
    tables: Tables
    catalog: Catalog
    fees: dict[str, Decimal]
    period_start: date
    period_end: date
    sampler: StartSampler


@dataclass(slots=True)
class Documented:
    episode: Episode
    appointment: Appointment
    record: Record
    facts: Facts


@dataclass(slots=True)
class Story:
    patient: Patient
    episodes: list[Episode] = field(default_factory=list)
    states: list[EpisodeState] = field(default_factory=list)
    visits: list[Documented] = field(default_factory=list)


def _conditions_for(world: World, patient: Patient) -> list[tuple[str, int]]:
    out = []
    for c in world.tables.conditions:
        lo, hi = c.ages
        if lo <= patient.age <= hi and (c.workers_comp or patient.payer_id != "WORKERS_COMP"):
            out.append((c.id, c.weight))
    return out


def _episode(
    rng: random.Random, world: World, patient: Patient, cond: Condition, start: date, k: int
) -> Episode:
    clinic = world.clinic
    cred = cond.discipline
    loc = next(x for x in clinic.locations if x.location_id == patient.location_id)
    if not clinic.clinicians(loc.location_id, cred):
        loc = clinic.locations[0]
    therapist = rng.choice(clinic.clinicians(loc.location_id, cred))
    assistant = None
    helpers = clinic.clinicians(loc.location_id, cred + "A") if cred in ("PT", "OT") else ()
    if helpers and rng.random() < 0.45:
        assistant = rng.choice(helpers)
    dx = list(rng.choice(cond.dx))
    for extra in cond.extra:
        if len(dx) < 4 and extra not in dx and rng.random() < 0.35:
            dx.append(extra)
    lo, hi = cond.visits
    return Episode(
        episode_id=f"E-{patient.number:06d}-{k}",
        condition=cond,
        location=loc,
        therapist=therapist,
        assistant=assistant,
        referrer=rng.choice(clinic.referrers),
        eval_code=choose_weighted(rng, cond.evals),
        diagnoses=dx,
        start=start,
        onset=start - timedelta(days=rng.randint(*cond.onset)),
        target_visits=rng.randint(lo, hi),
        per_week=rng.randint(*cond.per_week),
    )


def plan_episodes(rng: random.Random, world: World, patient: Patient) -> list[Episode]:
    """The patient's episodes, scheduled: a first one, companions, maybe a later one."""
    choices = _conditions_for(world, patient)
    start = world.sampler.sample(rng)
    episodes: list[Episode] = []
    first = world.tables.condition(choose_weighted(rng, choices))
    plan = [(first, start)]
    disciplines = {first.discipline}
    for comp_id, p in first.companions:
        comp = world.tables.condition(comp_id)
        if comp.discipline not in disciplines and rng.random() < p:
            disciplines.add(comp.discipline)
            plan.append((comp, start + timedelta(days=len(plan) + rng.randint(0, 3))))
    for cond, day in plan:
        ep = _episode(rng, world, patient, cond, day, len(episodes) + 1)
        schedule_episode(rng, world.clinic, patient, ep, world.period_end)
        episodes.append(ep)
    last = max((a.day for ep in episodes for a in ep.appointments), default=start)
    if rng.random() < 0.15:
        again = next_open(last + timedelta(days=rng.randint(21, 150)))
        if again <= world.period_end - timedelta(days=5):
            cond = world.tables.condition(choose_weighted(rng, choices))
            ep = _episode(rng, world, patient, cond, again, len(episodes) + 1)
            schedule_episode(rng, world.clinic, patient, ep, world.period_end)
            episodes.append(ep)
    return episodes


def simulate_patient(world: World, number: int) -> Story:
    """Generate one patient from the seed and the patient's number alone."""
    rng = random.Random(f"ptrcm-synth/{world.seed}/patient/{number}")
    patient = make_patient(rng, world.clinic, world.tables, number, world.period_start)
    story = Story(patient)
    story.episodes = plan_episodes(rng, world, patient)
    story.states = [EpisodeState() for _ in story.episodes]
    limit = world.clinic.payers[patient.payer_id].visit_limit_per_year
    ledger = Ledger(world.period_start.year, patient.prior_ytd_allowed, limit)
    kept = sorted(
        (a.day, i, j)
        for i, ep in enumerate(story.episodes)
        for j, a in enumerate(ep.appointments)
        if a.status == KEPT
    )
    ended: set[int] = set()
    evals_on: dict[date, bool] = {}
    for day, i, j in kept:
        if i in ended:
            continue
        ep = story.episodes[i]
        doc = document_visit(
            rng, world, patient, ep, story.states[i], ledger, ep.appointments[j], evals_on
        )
        if doc is None:  # annual visit limit reached: the episode ends here
            ended.add(i)
            ep.status = "benefits_exhausted"
            ep.appointments = [a for a in ep.appointments if a.day < day]
            continue
        story.visits.append(doc)
    return story


def _kind(ep: Episode, state: EpisodeState, day: date) -> str:
    if state.number == 1:
        return "evaluation"
    plan = state.plan
    if plan is not None and (date.fromisoformat(plan["through"]) - day).days <= 6:
        return "re-evaluation"
    if state.number >= ep.target_visits:
        return "discharge"
    return "treatment"


def _advance(
    rng: random.Random, ep: Episode, state: EpisodeState, day: date, evals_on: dict[date, bool]
) -> tuple[str, bool, str | None]:
    """Count the visit; returns its kind, whether a progress report is written, re-eval code."""
    state.number += 1
    n = state.number
    kind = _kind(ep, state, day)
    report = kind in ("evaluation", "re-evaluation") or n - state.last_report >= state.report_every
    if report:
        state.last_report = n
        state.report_every = rng.randint(6, 9)
    if kind in ("evaluation", "re-evaluation"):
        initial = kind == "evaluation"
        state.plan = new_plan(rng, ep, day, initial)
        state.plan_initial = initial
        state.plans.append({**state.plan, "kind": "initial" if initial else "recertification"})
    reeval = None
    if kind == "re-evaluation" and not evals_on.get(day):
        reeval = REEVAL.get(ep.discipline)
    if kind == "evaluation" or reeval is not None:
        evals_on[day] = True
    return kind, report, reeval


def document_visit(
    rng: random.Random,
    world: World,
    patient: Patient,
    ep: Episode,
    state: EpisodeState,
    ledger: Ledger,
    appt: Appointment,
    evals_on: dict[date, bool],
) -> Documented | None:
    """The clean record of one kept appointment, or None when the annual limit is used up."""
    payer = world.clinic.payers[patient.payer_id]
    day = appt.day
    used_year = ledger.year_visits.get(day.year, 0)
    limit = payer.visit_limit_per_year
    if limit is not None and used_year >= limit:
        return None
    kind, report, reeval = _advance(rng, ep, state, day, evals_on)
    who = rendering_for(ep, appt, report or kind != "treatment")
    appt.therapist = who
    medicare = payer.payer_class in ("medicare", "medicare_advantage")
    telehealth = kind == "treatment" and rng.random() < (0.08 if ep.discipline == "SLP" else 0.01)
    taken = ledger.codes_on.get(day, [])
    docs, untimed_minutes = document_services(
        rng, ep, kind, medicare, telehealth, who.is_assistant, taken, reeval
    )
    method = payer.unit_method
    docs, result = settle_units(docs, method, world.catalog)
    pointers = [1, 2] if len(ep.diagnoses) > 1 else [1]
    lines = lines_for(docs, ep.discipline, result.units, False, pointers, day)
    timed = result.total_timed_minutes
    allowed = allowed_amount(lines, world.fees)
    ytd = kx_state(ledger, payer, day, ep.discipline)
    threshold = threshold_for(payer, day.year)
    kx = ytd is not None and threshold is not None and ytd + allowed > threshold
    tele_modifier = TELEHEALTH_MODIFIER.get(payer.payer_class) if telehealth else None
    for line in lines:
        if kx:
            line["modifiers"].append("KX")
        if tele_modifier is not None:
            line["modifiers"].append(tele_modifier)
    if ytd is not None:
        key = (day.year, kx_group(ep.discipline))
        ledger.ytd[key] = ledger.ytd.get(key, Decimal(0)) + allowed
    ledger.codes_on[day] = [*taken, *(ln["code"] for ln in lines)]
    record: Record = {
        "visit_id": "",
        "patient_id": patient.patient_id,
        "date_of_service": day.isoformat(),
        "payer_id": patient.payer_id,
        "member_id": patient.member_id,
        "place_of_service": ("10" if ep.discipline == "SLP" else "02") if telehealth else "11",
        "location_id": ep.location.location_id,
        "discipline": ep.discipline,
        "rendering": who.rendering,
        **_supervising(world.clinic, who),
        "referring": ep.referrer.record,
        "diagnoses": list(ep.diagnoses),
        "services": lines,
        "total_timed_minutes": timed,
        "total_treatment_minutes": timed + untimed_minutes,
        "plan_of_care": state.plan,
        "episode_visit_number": state.number,
        "last_progress_report_visit": state.last_report,
    }
    _payer_objects(rng, record, payer.auth_required, patient, state, ledger, day, used_year)
    if ytd is not None:
        record["kx_ytd_allowed"] = str(ytd.quantize(CENT))
    record["onset_date"] = ep.onset.isoformat()
    record["patient"] = patient.record
    if patient.subscriber is not None:
        record["subscriber"] = patient.subscriber
    if patient.secondary is not None:
        record["secondary"] = patient.secondary
    record["visit_type"] = kind
    facts = Facts(method, payer, ytd, threshold, kx, state.plan_initial, tuple(taken))
    return Documented(ep, appt, record, facts)


def _payer_objects(
    rng: random.Random,
    record: Record,
    auth_required: bool,
    patient: Patient,
    state: EpisodeState,
    ledger: Ledger,
    day: date,
    used_year: int,
) -> None:
    """Authorization, benefits, coverage and eligibility, counted before this visit."""
    if auth_required:
        auth = state.auth
        stale = auth is None or state.auth_used >= auth["visits_authorized"]
        if auth is None or stale or day.isoformat() > auth["end"]:
            auth = state.auth = new_authorization(rng, patient, day)
            state.auths.append(auth)
            state.auth_used = 0
        record["authorization"] = {**auth, "visits_used": state.auth_used}
        state.auth_used += 1
    limit = ledger.visit_limit
    if limit is not None:
        record["benefits"] = {
            "visit_limit": limit,
            "visits_used": used_year,
            "plan_year_start": f"{day.year}-01-01",
        }
    ledger.year_visits[day.year] = used_year + 1
    if ledger.verified is None or (day - ledger.verified).days > 27:
        ledger.verified = day - timedelta(days=rng.randint(0, 3))
    record["coverage"] = {"active": True, "start": patient.coverage_start.isoformat()}
    record["eligibility_verified_on"] = ledger.verified.isoformat()


def _supervising(clinic: ClinicData, who: Therapist) -> Record:
    """An assistant's visit names the supervising therapist (MBPM ch. 15 §230.1)."""
    if not who.is_assistant or who.supervisor_id is None:
        return {}
    sup = next(t for t in clinic.therapists if t.therapist_id == who.supervisor_id)
    return {"supervising": sup.rendering}
