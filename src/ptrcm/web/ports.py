"""What the web app needs to read: small data providers behind Protocols.

The web app never reaches the store. Each page asks one provider for plain, immutable rows
(money as ``Decimal`` cents, rates as ``Decimal`` fractions 0–1, dates as ``date``); a
store-backed implementation (``ptrcm.web.store_data``) maps the KPI engine's results onto
these rows; tests use in-memory fakes. Every method is scoped by the provider to one
organization (tenant) chosen when it is built. An organization with nothing stored yet
answers empty rows, never made-up figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from ptrcm.domain.claim_lists import ClaimFilter, ClaimPage, KpiSlice, VisitPage
from ptrcm.services.front_desk.booking import BookingCheck
from ptrcm.services.front_desk.worklist import WorkItem
from ptrcm.web.figures import (
    AttendanceCell,
    EvalMix,
    Goals,
    Leakage,
    PayerRevenue,
    Productivity,
    ServiceLevelStatus,
    TargetStatus,
    Underpayment,
    Unit,
)

__all__ = [  # the report figures are defined in ptrcm.web.figures and named here too
    "AgingRow",
    "AttendanceCell",
    "Booking",
    "CashWeek",
    "ClaimData",
    "ClaimDetail",
    "ClaimLine",
    "DashboardData",
    "DaysInArPoint",
    "DenialReason",
    "DrillFigure",
    "DrillTotal",
    "EvalMix",
    "FrontDeskData",
    "Goals",
    "KpiTile",
    "Leakage",
    "PayerData",
    "PayerRevenue",
    "Period",
    "Productivity",
    "QueueItem",
    "QueueName",
    "QueueTotals",
    "RatePoint",
    "SchedulingData",
    "ServiceLevelStatus",
    "StatusData",
    "TargetStatus",
    "TherapistData",
    "TimelineEvent",
    "TimelineKind",
    "Underpayment",
    "Unit",
    "WebData",
    "WorkQueueData",
]


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range; ``previous`` is the same number of days just before it."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


@dataclass(frozen=True, slots=True)
class KpiTile:
    """One headline KPI for a period and the same KPI for the previous period; a value is
    ``None`` when it cannot be computed (a rate whose denominator is zero), never 0."""

    key: str
    label: str
    value: Decimal | None
    previous: Decimal | None
    unit: Unit
    higher_is_better: bool


@dataclass(frozen=True, slots=True)
class AgingRow:
    """Open A/R of one payer class in the buckets 0-30, 31-60, 61-90, 91-120, 120+ days."""

    payer_class: str
    d0_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d91_120: Decimal
    d120_plus: Decimal

    @property
    def total(self) -> Decimal:
        return self.d0_30 + self.d31_60 + self.d61_90 + self.d91_120 + self.d120_plus


@dataclass(frozen=True, slots=True)
class DenialReason:
    """Denied claim lines in a period grouped by claim adjustment reason code (CARC)."""

    carc: str
    description: str
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RatePoint:
    """A rate (fraction 0–1) for one month, e.g. the first-pass payment rate."""

    month: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class CashWeek:
    """Cash posted and visits seen in the week starting on ``week_start`` (a Monday)."""

    week_start: date
    cash: Decimal
    visits: int


@dataclass(frozen=True, slots=True)
class DaysInArPoint:
    month: date
    days: Decimal


class QueueName(StrEnum):
    scrub_errors = "scrub-errors"
    rejections = "rejections"
    denials = "denials"
    underpayments = "underpayments"
    unmatched_remittances = "unmatched-remittances"


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One item to work: which claim (if known), why, how much, and by when."""

    item_id: str
    claim_id: str | None
    payer_id: str
    date_of_service: date | None
    reason_code: str
    reason: str
    amount: Decimal
    deadline: date | None
    age_days: int


class TimelineKind(StrEnum):
    visit = "visit"
    charge = "charge"
    scrub = "scrub"
    submitted = "submitted"
    acknowledged = "acknowledged"
    rejected = "rejected"
    adjudicated = "adjudicated"
    denied = "denied"
    appealed = "appealed"
    paid = "paid"
    patient = "patient"
    work = "work"  # a biller's step: release, close, void, correction, a work item's change


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    on: date
    kind: TimelineKind
    title: str
    detail: str
    amount: Decimal | None
    reference: str | None


@dataclass(frozen=True, slots=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal
    allowed: Decimal | None
    paid: Decimal | None


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """A claim, its lines and what happened to it from the visit to the last payment."""

    claim_id: str
    visit_id: str
    payer_id: str
    date_of_service: date
    therapist: str
    status: str
    charge: Decimal
    paid: Decimal
    balance: Decimal
    lines: tuple[ClaimLine, ...]
    timeline: tuple[TimelineEvent, ...]


class DashboardData(Protocol):
    def kpi_tiles(self, period: Period) -> Sequence[KpiTile]: ...

    def goals(self, period: Period) -> Goals:
        """The period's target KPIs against their targets, and its service levels."""
        ...

    def review_pdf(self, month: date) -> bytes:
        """The month's performance review pack as a PDF (``ptrcm report review``)."""
        ...

    def ar_aging(self, as_of: date) -> Sequence[AgingRow]: ...

    def denial_reasons(self, period: Period) -> Sequence[DenialReason]: ...

    def first_pass_trend(self, period: Period) -> Sequence[RatePoint]: ...

    def cash_and_visits(self, period: Period) -> Sequence[CashWeek]: ...

    def days_in_ar_trend(self, period: Period) -> Sequence[DaysInArPoint]: ...


@dataclass(frozen=True, slots=True)
class QueueTotals:
    """How many items a work queue holds and their dollars: all of them, not one page."""

    items: int
    amount: Decimal


class WorkQueueData(Protocol):
    def queue(
        self,
        name: QueueName,
        offset: int = 0,
        limit: int | None = None,
        sort: str | None = None,
        descending: bool = False,
    ) -> Sequence[QueueItem]:
        """Items from ``offset`` (every item when ``limit`` is None) in working order, or
        the whole queue sorted by the ``QueueItem`` field ``sort`` (blanks last)."""
        ...

    def queue_totals(self, name: QueueName) -> QueueTotals: ...

    def queue_stream(self, name: QueueName) -> Iterator[QueueItem]:
        """Every item in working order, read a chunk at a time (for exports)."""
        ...


@dataclass(frozen=True, slots=True)
class DrillTotal:
    """One claim (or visit) set behind a dashboard figure: ``count`` is its counted items
    (the rows' weights), ``amount`` what the KPI sums over it."""

    part: str
    label: str
    measure: str
    lists: str  # "claims" or "visits"
    rows: int
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DrillFigure:
    """The sets behind one figure and the figure put back together from their totals."""

    kpi: str
    parts: tuple[DrillTotal, ...]
    figure: Decimal | None


class ClaimData(Protocol):
    def claim(self, claim_id: str) -> ClaimDetail | None: ...

    def claim_list(self, flt: ClaimFilter) -> ClaimPage | VisitPage:
        """One page of the claims meeting ``flt`` (of visits, when its KPI set lists
        visits), with the whole set's count and sums."""
        ...

    def drill_figure(self, s: KpiSlice) -> DrillFigure:
        """Every set of ``s.kpi`` over ``s``'s period (and cell), and the figure rebuilt."""
        ...


class PayerData(Protocol):
    def net_revenue(self, period: Period) -> Sequence[PayerRevenue]: ...

    def underpayments(self, period: Period) -> Sequence[Underpayment]: ...


class TherapistData(Protocol):
    def eval_mix(self, period: Period) -> Sequence[EvalMix]: ...

    def productivity(self, period: Period) -> Sequence[Productivity]: ...


class SchedulingData(Protocol):
    def attendance(
        self, period: Period, location_id: str | None, therapist: str | None
    ) -> Sequence[AttendanceCell]: ...

    def leakage(self, period: Period) -> Sequence[Leakage]: ...

    def revenue_lost(self, period: Period) -> Decimal:
        """Revenue lost to every missed appointment of the period, each counted once."""
        ...

    def locations(self) -> Sequence[str]: ...

    def therapists(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Booking:
    """A proposed appointment to check (``POST /api/schedule/check``)."""

    patient: str
    day: date
    discipline: str
    codes: dict[str, int] | None = None


class FrontDeskData(Protocol):
    def check_booking(self, booking: Booking) -> BookingCheck: ...

    def worklist(self, day: date, location: str | None, role: str | None) -> Sequence[WorkItem]: ...


class StatusData(Protocol):
    def has_data(self) -> bool:
        """Whether the organization has any visit or claim stored (else: the empty state)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class WebData:
    """Every provider the web app reads from, for one organization."""

    dashboard: DashboardData
    queues: WorkQueueData
    claims: ClaimData
    payers: PayerData
    therapists: TherapistData
    scheduling: SchedulingData
    front_desk: FrontDeskData
    status: StatusData
