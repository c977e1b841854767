"""Plan-of-care deadlines: signature, recertification, progress reports, discharge.

Reference §5 (MBPM ch. 15 §220): the initial certification is timely when signed within
30 days of the first treatment; a certification lasts the plan's duration or 90 calendar
days, whichever is less; a progress report is due at least once every 10 treatment days
(day 1 is the first day of the episode, evaluation days count). A treatment day is one
calendar day with treatment. Alerts start at the eighth treatment day of a reporting
period, so the report can be planned for the visit that reaches the tenth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ptrcm.domain.caps import Alert

SIGN_WITHIN_DAYS = 30
CERT_MAX_DAYS = 90
PROGRESS_EVERY = 10
PROGRESS_ALERT_FROM = 8
RECERT_ALERT_DAYS = 14
#: What can happen to a plan of care, as recorded in its history.
PLAN_EVENTS = ("signed", "progress_report", "re_evaluation", "discharge")


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What is known about one plan of care on one day."""

    discipline: str
    start: date
    through: date | None
    signed_on: date | None
    treatment_days: tuple[date, ...]  # distinct days with treatment, any order
    progress_reports: tuple[date, ...] = ()
    re_evaluations: tuple[date, ...] = ()
    discharged_on: date | None = None
    scheduled: tuple[date, ...] = ()  # future appointment days

    @property
    def certification_end(self) -> date:
        """Last day covered: the plan's end or 90 calendar days from its start, if earlier."""
        limit = self.start + timedelta(days=CERT_MAX_DAYS - 1)
        return limit if self.through is None else min(self.through, limit)


def reporting_period_days(facts: PlanFacts, up_to: date) -> list[date]:
    """Treatment days since the last progress report or re-evaluation, up to ``up_to``."""
    resets = [d for d in (*facts.progress_reports, *facts.re_evaluations) if d <= up_to]
    after = max(resets) if resets else None
    days = sorted(
        {
            d
            for d in facts.treatment_days
            if facts.start <= d <= up_to and (after is None or d > after)
        }
    )
    return days


def progress_report_due(facts: PlanFacts, today: date) -> tuple[int, date | None]:
    """(treatment days in the current period, the day the tenth falls on or None).

    The tenth day is a kept day when it is past; otherwise the scheduled appointment that
    will be the tenth, if there are enough of them.
    """
    days = reporting_period_days(facts, today)
    if len(days) >= PROGRESS_EVERY:
        return len(days), days[PROGRESS_EVERY - 1]
    ahead = sorted(d for d in set(facts.scheduled) if d > today and d not in days)
    needed = PROGRESS_EVERY - len(days)
    return len(days), ahead[needed - 1] if len(ahead) >= needed else None


def plan_alerts(facts: PlanFacts, today: date) -> list[Alert]:
    """Signature, recertification, progress report and discharge alerts for one plan."""
    if facts.discharged_on is not None and facts.discharged_on <= today:
        return []
    alerts: list[Alert] = []
    label = f"{facts.discipline} plan of care from {facts.start}"
    if facts.signed_on is None:
        due = _first_treatment(facts) + timedelta(days=SIGN_WITHIN_DAYS)
        alerts.append(
            Alert(
                "poc_signature",
                f"{label} is not signed by the physician",
                due,
                "send the plan of care for signature and track its return",
                blocking=today > due,
            )
        )
    end = facts.certification_end
    if today > end:
        alerts.append(
            Alert(
                "poc_expired",
                f"{label} was certified through {end}",
                end,
                "re-evaluate and recertify, or write the discharge note",
                blocking=True,
            )
        )
    elif (end - today).days <= RECERT_ALERT_DAYS:
        alerts.append(Alert("poc_recert", f"{label} ends {end}", end, "recertify the plan of care"))
    count, report_due = progress_report_due(facts, today)
    if count >= PROGRESS_ALERT_FROM:
        alerts.append(
            Alert(
                "progress_report",
                f"{label}: treatment day {count} since the last progress report",
                report_due,
                "the therapist writes a progress report by the tenth treatment day",
            )
        )
    return alerts


def _first_treatment(facts: PlanFacts) -> date:
    days = [d for d in facts.treatment_days if d >= facts.start]
    return min(days) if days else facts.start


def booking_plan_alerts(facts: PlanFacts | None, day: date) -> list[Alert]:
    """Plan-of-care alerts for a visit proposed on ``day`` (the visit itself counts)."""
    if facts is None:
        return [
            Alert(
                "poc_missing",
                "no plan of care covers this date",
                day,
                "book an evaluation, or get the plan of care established first",
                blocking=True,
            )
        ]
    with_visit = PlanFacts(
        facts.discipline,
        facts.start,
        facts.through,
        facts.signed_on,
        (*facts.treatment_days, day),
        facts.progress_reports,
        facts.re_evaluations,
        facts.discharged_on,
    )
    alerts = [a for a in plan_alerts(with_visit, day) if a.kind != "progress_report"]
    count = len(reporting_period_days(with_visit, day))
    if count >= PROGRESS_EVERY:
        alerts.append(
            Alert(
                "progress_report",
                f"this visit is treatment day {count} since the last progress report",
                day,
                "the therapist writes the progress report at this visit",
            )
        )
    return alerts


def treatment_dates(days: Sequence[date]) -> tuple[date, ...]:
    return tuple(sorted(set(days)))
