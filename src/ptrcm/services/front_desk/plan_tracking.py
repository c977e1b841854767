"""Plans of care as the store knows them: certification, signature, progress reports,
re-evaluations and discharge, turned into dated alerts (``ptrcm.domain.care_plans``).

Treatment days are the days of the patient's kept visits in the plan's discipline; a
visit billing a re-evaluation code (97164 PT, 97168 OT) counts as a re-evaluation.
Events the visits cannot show (the physician's signature, a progress report, discharge)
are recorded in ``plan_of_care_events``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ptrcm.domain.caps import Alert
from ptrcm.domain.care_plans import PLAN_EVENTS, PlanFacts, plan_alerts
from ptrcm.errors import InputError
from ptrcm.services.ports import FrontDeskStore, Row

RE_EVALUATION_CODES = frozenset({"97164", "97168"})
LOOKAHEAD_DAYS = 60


def plan_facts(repo: FrontDeskStore, plan: Row, today: date) -> PlanFacts:
    """What the store says about one plan of care, as of ``today``."""
    patient_id = int(plan["patient_id"])
    discipline = plan["discipline"]
    kept = [v for v in repo.kept_visits(patient_id) if v["discipline"] == discipline]
    codes = repo.visit_codes([int(v["id"]) for v in kept])
    days = tuple(v["date_of_service"] for v in kept if v["date_of_service"] <= today)
    re_evals = [
        v["date_of_service"]
        for v in kept
        if any(code in RE_EVALUATION_CODES for code, _u in codes[int(v["id"])])
    ]
    events = repo.plan_events(int(plan["id"]))
    signed = [e["on_date"] for e in events if e["kind"] == "signed"]
    start = datetime.combine(today + timedelta(days=1), time.min, UTC)
    booked = repo.appointments(start, start + timedelta(days=LOOKAHEAD_DAYS), patient_id)
    scheduled = tuple(
        a["scheduled_start"].date() for a in booked if a["discipline"] in (None, discipline)
    )
    discharged = [e["on_date"] for e in events if e["kind"] == "discharge"]
    return PlanFacts(
        discipline=discipline,
        start=plan["start_date"],
        through=plan["through"],
        signed_on=min(signed) if signed else plan["certified_on"],
        treatment_days=days,
        progress_reports=tuple(
            sorted(
                {e["on_date"] for e in events if e["kind"] == "progress_report"}
                | documented_progress_reports(kept)
            )
        ),
        re_evaluations=tuple(
            [*re_evals, *(e["on_date"] for e in events if e["kind"] == "re_evaluation")]
        ),
        discharged_on=min(discharged) if discharged else None,
        scheduled=scheduled,
    )


def documented_progress_reports(kept: list[Row]) -> set[date]:
    """Days the visit records say a progress report was written.

    A visit numbered ``n`` of its episode that names its last report at visit ``L``
    (``last_progress_report_visit``) points back ``n - L`` treatment days, one kept visit
    each, within one discipline's visits in date order.
    """
    out: set[date] = set()
    for index, visit in enumerate(kept):
        record = visit["record"] or {}
        n, last = record.get("episode_visit_number"), record.get("last_progress_report_visit")
        if not (isinstance(n, int) and isinstance(last, int) and 0 < last <= n):
            continue
        if index - (n - last) >= 0:
            out.add(kept[index - (n - last)]["date_of_service"])
    return out


def current_plan(repo: FrontDeskStore, patient_id: int, discipline: str, day: date) -> Row | None:
    """The latest plan of the discipline that started on or before ``day``."""
    plans = [
        p
        for p in repo.plans_of_care(patient_id)
        if p["discipline"] == discipline and p["start_date"] <= day
    ]
    return plans[-1] if plans else None


def patient_plan_alerts(repo: FrontDeskStore, patient_id: int, today: date) -> list[Alert]:
    """Alerts of the current plan of each discipline of the patient."""
    latest: dict[str, Row] = {}
    for plan in repo.plans_of_care(patient_id):
        if plan["start_date"] <= today:
            latest[plan["discipline"]] = plan
    alerts: list[Alert] = []
    for plan in latest.values():
        alerts += plan_alerts(plan_facts(repo, plan, today), today)
    return alerts


def record_event(
    repo: FrontDeskStore,
    patient: str,
    discipline: str,
    kind: str,
    on_date: date,
    note: str | None = None,
) -> int:
    """Record a signature, progress report, re-evaluation or discharge on the current plan."""
    if kind not in PLAN_EVENTS:
        raise InputError.one("--kind", None, "kind", f"must be one of {', '.join(PLAN_EVENTS)}")
    patient_id = repo.patient_id(patient)
    if patient_id is None:
        raise InputError.one("--patient", None, "patient", f"{patient!r} is not on file")
    plan = current_plan(repo, patient_id, discipline, on_date)
    if plan is None:
        raise InputError.one("--patient", None, "plan", f"no {discipline} plan of care on file")
    return repo.add_plan_event(int(plan["id"]), kind, on_date, note)
