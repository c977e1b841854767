"""Episodes of care and what each record's criteria need to know about the rest of it.

An episode is one patient's visits in one discipline, in date order, from the visit whose
``episode_visit_number`` is 1 (or, without counters, a visit billing an initial
evaluation) to the visit before the next one. A visit's treatment day is its
``episode_visit_number`` when the record has it (one visit per treatment day, as the
EMR counts), else its position among the episode's dates.

An episode seen from part-way through (its first visits fall before the audited period)
is judged on what is seen: the progress-report count starts from the record's own
``last_progress_report_visit``, and the certified interval is checked only from the first
certified plan seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ptrcm.domain.codes import Catalog
from ptrcm.domain.visits import Visit

CERTIFIED_DAYS_MAX = 90


@dataclass(frozen=True, slots=True)
class Certified:
    """One certified plan: the interval it covers and when the physician/NPP signed."""

    start: date
    end: date
    signed_on: date


@dataclass(frozen=True, slots=True)
class Episode:
    key: str  # patient/discipline/first visit id: stable across runs
    patient_id: str
    discipline: str
    visits: tuple[Visit, ...]
    days: tuple[int, ...]  # the treatment day of each visit

    @property
    def starts_in_view(self) -> bool:
        return bool(self.days) and self.days[0] == 1

    @property
    def first_date(self) -> date:
        return self.visits[0].date_of_service


@dataclass(frozen=True, slots=True)
class RecordContext:
    """One visit as a criterion sees it: the visit, its episode and the running counts."""

    visit: Visit
    episode: Episode
    day: int
    last_report_day: int  # treatment day of the last report before this visit (0: none)
    certified: tuple[Certified, ...]
    catalog: Catalog

    @property
    def is_first_plan(self) -> bool:
        for v in self.episode.visits:
            if v.documentation and v.documentation.plan_of_care:
                return v is self.visit
        return False

    @property
    def evaluation_codes(self) -> tuple[str, ...]:
        return tuple(
            s.code
            for s in self.visit.services
            if (i := self.catalog.get(s.code)) and i.is_evaluation
        )


def reports(visit: Visit, day: int) -> bool:
    """Whether the visit holds a progress report (a re-evaluation after day 1 counts)."""
    d = visit.documentation
    return d is not None and (
        d.progress_report is not None or (day > 1 and d.evaluation is not None)
    )


def episodes_of(visits: Iterable[Visit], catalog: Catalog) -> list[Episode]:
    """The episodes of ``visits``, ordered by patient, discipline and first date."""
    by_key: dict[tuple[str, str], list[Visit]] = {}
    for v in visits:
        by_key.setdefault((v.patient_id, v.discipline), []).append(v)
    out: list[Episode] = []
    for (patient, discipline), group in sorted(by_key.items()):
        group.sort(key=lambda v: (v.date_of_service, v.episode_visit_number or 0, v.visit_id))
        current: list[Visit] = []
        for v in group:
            if current and _starts_episode(v, current[-1], catalog):
                out.append(_episode(patient, discipline, current))
                current = []
            current.append(v)
        if current:
            out.append(_episode(patient, discipline, current))
    return out


def _starts_episode(v: Visit, previous: Visit, catalog: Catalog) -> bool:
    if v.episode_visit_number is not None and previous.episode_visit_number is not None:
        return v.episode_visit_number < previous.episode_visit_number or (
            v.episode_visit_number == 1 and previous.episode_visit_number != 1
        )
    return any((i := catalog.get(s.code)) and i.evaluation == "eval" for s in v.services)


def _episode(patient: str, discipline: str, visits: Sequence[Visit]) -> Episode:
    days: list[int] = []
    dates: list[date] = []
    for v in visits:
        if v.episode_visit_number is not None:
            days.append(v.episode_visit_number)
        else:
            if v.date_of_service not in dates:
                dates.append(v.date_of_service)
            days.append(len(dates))
    key = f"{patient}/{discipline}/{visits[0].visit_id}"
    return Episode(key, patient, discipline, tuple(visits), tuple(days))


def certified_intervals(episode: Episode) -> tuple[Certified, ...]:
    """Each plan written in the episode with a dated certification: the plan's day through
    its duration or 90 days, whichever is less (MBPM ch. 15 §220.1.3)."""
    out = []
    for v in episode.visits:
        plan = v.documentation.plan_of_care if v.documentation else None
        cert = plan.certification if plan else None
        if plan is None or cert is None or cert.signed_on is None or not cert.name:
            continue
        days = CERTIFIED_DAYS_MAX
        if plan.duration_weeks is not None:
            days = min(days, plan.duration_weeks * 7)
        start = v.date_of_service
        out.append(Certified(start, start + timedelta(days=days), cert.signed_on))
    return tuple(out)


def contexts(episode: Episode, catalog: Catalog) -> list[RecordContext]:
    """Every visit of the episode with the counts its criteria need, in order."""
    certified = certified_intervals(episode)
    first = episode.visits[0]
    first_day = episode.days[0]
    last = 0
    if first_day > 1:  # earlier visits unseen: start from the record's own count
        counted = first.last_progress_report_visit
        last = counted if counted is not None and counted < first_day else first_day - 1
    out = []
    for v, day in zip(episode.visits, episode.days, strict=True):
        out.append(RecordContext(v, episode, day, last, certified, catalog))
        if reports(v, day):
            last = day
    return out
