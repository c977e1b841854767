"""Episodes of care and their appointments: calendar, seasonality, attendance.

Attendance is drawn per appointment. The no-show probability is a discipline base rate
(PT about 11 %, reference §10) times factors for the hour, weekday, location, therapist,
payer, the patient and how far into the episode the visit is; late cancellations follow
the same factors more weakly, and ordinary cancellations rise over the year-end holidays.
New episodes start less often in late December and more often in January.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from ptrcm.synth.clinic import ClinicData, Location, Patient, Referrer, Therapist
from ptrcm.synth.tables import Condition

KEPT, NO_SHOW, LATE_CANCEL, CANCELLED = "kept", "no_show", "late_cancel", "cancelled"
BASE_NO_SHOW = {"PT": 0.093, "OT": 0.085, "SLP": 0.075}
BASE_LATE_CANCEL = 0.055
BASE_CANCEL = 0.045
HOUR_FACTOR = {
    7: 1.25,
    8: 1.1,
    9: 0.9,
    10: 0.85,
    11: 0.9,
    12: 1.0,
    13: 0.95,
    14: 0.95,
    15: 1.0,
    16: 1.1,
    17: 1.2,
    18: 1.3,
}
WEEKDAY_FACTOR = (1.15, 0.95, 0.92, 1.0, 1.12)
PAYER_FACTOR = {
    "MEDICARE": 0.75,
    "MEDICARE_ADV": 0.8,
    "MEDICAID": 1.55,
    "COMMERCIAL": 1.0,
    "WORKERS_COMP": 1.1,
    "SELF_PAY": 1.35,
}
MONTH_START_FACTOR = (1.3, 1.05, 1.05, 1.0, 1.0, 0.95, 0.9, 0.95, 1.0, 1.0, 0.9, 0.8)
WEEKDAY_PATTERNS = {1: ((1,), (2,), (3,)), 2: ((0, 2), (0, 3), (1, 3), (2, 4)), 3: ((0, 2, 4),)}


@cache
def holidays(year: int) -> frozenset[date]:
    """Days the clinic is closed besides weekends (US federal-style holidays)."""

    def nth_weekday(month: int, weekday: int, n: int) -> date:
        d = date(year, month, 1)
        d += timedelta(days=(weekday - d.weekday()) % 7)
        return d + timedelta(weeks=n - 1)

    last_may = date(year, 5, 31)
    memorial = last_may - timedelta(days=last_may.weekday())
    return frozenset(
        {
            date(year, 1, 1),
            memorial,
            date(year, 7, 4),
            nth_weekday(9, 0, 1),
            nth_weekday(11, 3, 4),
            date(year, 12, 24),
            date(year, 12, 25),
        }
    )


def is_open(day: date) -> bool:
    """True on a weekday that is not a clinic holiday."""
    return day.weekday() < 5 and day not in holidays(day.year)


def next_open(day: date) -> date:
    while not is_open(day):
        day += timedelta(days=1)
    return day


def holiday_season(day: date) -> bool:
    return (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 2)


class StartSampler:
    """Draws episode start days over a window with seasonal weights (by bisection)."""

    def __init__(self, first: date, last: date) -> None:
        self.days: list[date] = []
        self.cumulative: list[float] = []
        total = 0.0
        day = first
        while day <= last:
            if is_open(day):
                w = MONTH_START_FACTOR[day.month - 1]
                if day.month == 12 and day.day >= 18:
                    w *= 0.4
                elif day.month == 1 and day.day <= 14:
                    w *= 1.3
                total += w
                self.days.append(day)
                self.cumulative.append(total)
            day += timedelta(days=1)
        if not self.days:
            raise ValueError("the period has no open clinic day")
        self.total = total

    def sample(self, rng: random.Random) -> date:
        i = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.days[min(i, len(self.days) - 1)]


@dataclass(slots=True)
class Appointment:
    day: date
    hour: int
    minute: int
    therapist: Therapist
    status: str
    kind: str  # evaluation | treatment
    visit_id: str | None = None


@dataclass(slots=True)
class Episode:
    episode_id: str
    condition: Condition
    location: Location
    therapist: Therapist
    assistant: Therapist | None
    referrer: Referrer
    eval_code: str
    diagnoses: list[str]
    start: date
    onset: date
    target_visits: int
    per_week: int
    status: str = "active"
    appointments: list[Appointment] = field(default_factory=list)

    @property
    def discipline(self) -> str:
        return self.condition.discipline


def draw_status(
    rng: random.Random,
    ep: Episode,
    patient: Patient,
    day: date,
    hour: int,
    therapist: Therapist,
    visit_index: int,
) -> str:
    """Kept, no-show, late cancellation or cancellation for one appointment."""
    f = (
        HOUR_FACTOR[hour]
        * WEEKDAY_FACTOR[day.weekday()]
        * ep.location.noshow_factor
        * therapist.noshow_factor
        * patient.noshow_factor
        * PAYER_FACTOR[patient.payer_id]
    )
    if visit_index > 8:
        f *= 1.15
    if visit_index == 0:
        f *= 0.7
    p_ns = BASE_NO_SHOW[ep.discipline] * f
    p_lc = BASE_LATE_CANCEL * (0.5 + 0.5 * f)
    p_c = BASE_CANCEL * (2.5 if holiday_season(day) else 1.0)
    x = rng.random()
    if x < p_ns:
        return NO_SHOW
    if x < p_ns + p_lc:
        return LATE_CANCEL
    if x < p_ns + p_lc + p_c:
        return CANCELLED
    return KEPT


def _slot(rng: random.Random, patient: Patient) -> tuple[int, int]:
    hour = min(18, max(7, patient.preferred_hour + rng.choice((-1, 0, 0, 0, 1))))
    return hour, rng.choice((0, 0, 15, 30, 30, 45))


def _clinician(rng: random.Random, clinic: ClinicData, ep: Episode, kind: str) -> Therapist:
    if kind == "treatment" and ep.assistant is not None and rng.random() < 0.5:
        return ep.assistant
    if rng.random() < 0.08:
        peers = clinic.clinicians(ep.location.location_id, ep.therapist.credential)
        return rng.choice(peers) if peers else ep.therapist
    return ep.therapist


def schedule_episode(
    rng: random.Random, clinic: ClinicData, patient: Patient, ep: Episode, until: date
) -> None:
    """Fill ``ep.appointments`` from its evaluation to discharge, drop-out or ``until``."""
    day = next_open(ep.start)
    while day <= until:  # the evaluation, rescheduled after a missed appointment
        hour, minute = _slot(rng, patient)
        status = draw_status(rng, ep, patient, day, hour, ep.therapist, 0)
        ep.appointments.append(Appointment(day, hour, minute, ep.therapist, status, "evaluation"))
        if status == KEPT:
            break
        if rng.random() < 0.2:
            ep.status = "not_started"
            return
        day = next_open(day + timedelta(days=rng.randint(2, 6)))
    else:
        return
    ep.start = day
    weekdays = rng.choice(WEEKDAY_PATTERNS[ep.per_week])
    kept, missed = 1, 0
    day += timedelta(days=1)
    while kept < ep.target_visits and day <= until:
        if day.weekday() in weekdays and is_open(day):
            hour, minute = _slot(rng, patient)
            who = _clinician(rng, clinic, ep, "treatment")
            status = draw_status(rng, ep, patient, day, hour, who, kept)
            ep.appointments.append(Appointment(day, hour, minute, who, status, "treatment"))
            if status == KEPT:
                kept, missed = kept + 1, 0
            elif status == NO_SHOW:
                missed += 1
                if rng.random() < 0.08 * missed:
                    ep.status = "dropped"
                    return
        day += timedelta(days=1)
    ep.status = "discharged" if kept >= ep.target_visits else "active"
