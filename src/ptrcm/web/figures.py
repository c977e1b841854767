"""The figures the report pages show beside the dashboard: revenue by payer,
underpayments, evaluation mix, productivity, attendance and its leakage, and the period's
targets and service levels. Plain immutable values (money as ``Decimal``, rates as
``Decimal`` fractions); ``ptrcm.web.ports`` names them in its providers' Protocols and
re-exports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Unit(StrEnum):
    """How a figure is shown."""

    money = "money"
    percent = "percent"
    days = "days"
    number = "number"


@dataclass(frozen=True, slots=True)
class PayerRevenue:
    payer_id: str
    payer_class: str
    visits: int
    net_revenue: Decimal
    net_per_visit: Decimal


@dataclass(frozen=True, slots=True)
class Underpayment:
    """Paid less than the contract's expected amount, totalled by payer and code."""

    payer_id: str
    code: str
    lines: int
    expected: Decimal
    paid: Decimal
    short: Decimal


@dataclass(frozen=True, slots=True)
class EvalMix:
    """A therapist's share of evaluation codes (low/moderate/high/re-eval) against peers."""

    therapist: str
    discipline: str
    evaluations: int
    low: Decimal
    moderate: Decimal
    high: Decimal
    reeval: Decimal
    peer_high: Decimal | None  # None when the therapist has no peers
    outlier: bool


@dataclass(frozen=True, slots=True)
class Productivity:
    therapist: str
    visits: int
    units_per_visit: Decimal | None  # None when there is no denominator
    minutes_per_unit: Decimal | None


@dataclass(frozen=True, slots=True)
class AttendanceCell:
    """Appointments in one weekday (0 = Monday) and hour slot, and how many were missed."""

    weekday: int
    hour: int
    scheduled: int
    no_shows: int
    late_cancels: int

    @property
    def missed_rate(self) -> Decimal | None:
        if not self.scheduled:
            return None
        return (Decimal(self.no_shows + self.late_cancels) / self.scheduled).quantize(
            Decimal("0.001")
        )


@dataclass(frozen=True, slots=True)
class Leakage:
    """Missed appointments and the revenue they would have brought, per location/therapist."""

    location_id: str
    therapist: str
    scheduled: int
    no_shows: int
    late_cancels: int
    revenue_lost: Decimal


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """One KPI against its target for the period: met, at risk or missed; and the same KPI
    in the engagement's first month (``start``), when the engagement has a start date."""

    key: str
    label: str
    value: Decimal | None
    target: Decimal
    at_least: bool
    standing: str  # met | at_risk | missed | no_data
    start: Decimal | None
    unit: Unit


@dataclass(frozen=True, slots=True)
class ServiceLevelStatus:
    name: str
    label: str
    days: int
    events: int
    attainment: Decimal | None  # share done within ``days``; None when nothing measured


@dataclass(frozen=True, slots=True)
class Goals:
    targets: Sequence[TargetStatus]
    service_levels: Sequence[ServiceLevelStatus]
    engagement_start: date | None
