"""Value types of the documentation a visit may carry (docs/visit-format.md).

Optional elements of the visit interchange, one per kind of record Medicare reviews
(MBPM Pub 100-02 ch. 15 §220.3): the evaluation, the plan of care as written and
certified, the progress report and the daily (treatment) note. A visit without them is
still a complete visit for billing; the chart audit (``domain/chart_audit``) scores what
they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

COMPLEXITIES = frozenset({"low", "moderate", "high"})
GOAL_TERMS = frozenset({"short", "long"})
GOAL_STATUSES = frozenset({"met", "progressing", "not_met", "discontinued"})


@dataclass(frozen=True, slots=True)
class Signature:
    """Who signed (or certified) a record, with credential and date; npi for a physician."""

    name: str | None = None
    credential: str | None = None
    signed_on: date | None = None
    npi: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.name and self.credential and self.signed_on)


@dataclass(frozen=True, slots=True)
class Measure:
    """A test or measure: its value at evaluation, or baseline and current at a report."""

    name: str
    value: str | None = None
    baseline: str | None = None
    current: str | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """A functional goal: measurable when it names the measure and the target."""

    text: str
    measure: str | None = None
    target: str | None = None
    term: str = "long"
    status: str | None = None

    @property
    def measurable(self) -> bool:
        return bool(self.measure and self.target)


@dataclass(frozen=True, slots=True)
class Intervention:
    """One intervention of a daily note: the code, its minutes, what was done."""

    code: str
    minutes: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    history: str | None = None
    systems_review: str | None = None
    tests_and_measures: tuple[Measure, ...] = ()
    functional_limitations: str | None = None
    complexity: str | None = None
    signature: Signature | None = None


@dataclass(frozen=True, slots=True)
class CarePlanDocument:
    """The plan of care as written: diagnoses, goals, type, amount, frequency, duration."""

    diagnoses: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()
    treatment_types: tuple[str, ...] = ()
    amount_per_day: int | None = None
    frequency_per_week: int | None = None
    duration_weeks: int | None = None
    signature: Signature | None = None  # the therapist who wrote it
    certification: Signature | None = None  # the physician/NPP who certified it


@dataclass(frozen=True, slots=True)
class ProgressReport:
    measures: tuple[Measure, ...] = ()
    goals: tuple[Goal, ...] = ()
    justification: str | None = None
    signature: Signature | None = None


@dataclass(frozen=True, slots=True)
class DailyNote:
    interventions: tuple[Intervention, ...] = ()
    total_timed_minutes: int | None = None
    total_treatment_minutes: int | None = None
    response: str | None = None
    signature: Signature | None = None
    supervision: str | None = None  # how the therapist supervised an assistant's visit


@dataclass(frozen=True, slots=True)
class Documentation:
    """What was documented on one date of service; each element is optional."""

    evaluation: Evaluation | None = None
    plan_of_care: CarePlanDocument | None = None
    progress_report: ProgressReport | None = None
    daily_note: DailyNote | None = None
