"""Authorizations, annual visit limits and the Medicare KX threshold as counts and alerts.

Pure arithmetic: the service layer gathers the kept visits, the benefits snapshot and the
allowed amounts; this module says how much is left and what the front desk must do.

- An authorization covers visits (and optionally units) of some codes within a date window.
- An annual visit limit counts per plan year; the plan year restarts on the anniversary of
  its start date, so the count resets by itself at the boundary.
- The KX threshold (reference §3) is counted per calendar year, PT+SLP combined and OT
  separate, from allowed amounts; the arithmetic is ``ptrcm.rules.kx``'s, the alert here
  only says when the next visit will need the modifier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

VISITS_LEFT_ALERT = 2
EXPIRY_ALERT_DAYS = 7


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the front desk or the therapist must do, with when and how."""

    kind: str
    reason: str
    due: date | None
    action: str
    blocking: bool = False


def plan_year_start(anchor: date, day: date) -> date:
    """The start of the plan year containing ``day`` for a plan that began on ``anchor``.

    The plan year restarts on each anniversary of ``anchor`` (29 February falls back to
    28 February in common years).
    """
    year = day.year
    start = _anniversary(anchor, year)
    if start > day:
        start = _anniversary(anchor, year - 1)
    return start


def _anniversary(anchor: date, year: int) -> date:
    try:
        return anchor.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def next_plan_year(start: date) -> date:
    return _anniversary(start, start.year + 1)


@dataclass(frozen=True, slots=True)
class AuthorizationUse:
    """One authorization and how much of it kept visits have used."""

    number: str
    start: date | None
    end: date | None
    visits_authorized: int | None
    visits_used: int
    units_authorized: int | None = None
    units_used: int = 0
    codes: frozenset[str] | None = None
    discipline: str | None = None

    @property
    def visits_left(self) -> int | None:
        return None if self.visits_authorized is None else self.visits_authorized - self.visits_used

    @property
    def units_left(self) -> int | None:
        return None if self.units_authorized is None else self.units_authorized - self.units_used

    def in_window(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def covers_codes(self, codes: Iterable[str]) -> bool:
        return self.codes is None or set(codes) <= self.codes

    @property
    def exhausted(self) -> bool:
        visits, units = self.visits_left, self.units_left
        return (visits is not None and visits <= 0) or (units is not None and units <= 0)


def authorization_alerts(use: AuthorizationUse, today: date) -> list[Alert]:
    """Exhausted, two (or fewer) visits left, and seven days (or fewer) to expiry."""
    alerts: list[Alert] = []
    label = f"authorization {use.number}"
    if use.end is not None and use.end < today:
        return [Alert("auth_expired", f"{label} ended {use.end}", use.end, _NEW_AUTH, True)]
    if use.exhausted:
        alerts.append(
            Alert("auth_exhausted", f"{label} is used up", today, _NEW_AUTH, blocking=True)
        )
    elif use.visits_left is not None and use.visits_left <= VISITS_LEFT_ALERT:
        left = use.visits_left
        alerts.append(Alert("auth_visits_left", f"{label}: {left} visit(s) left", today, _NEW_AUTH))
    if use.end is not None and (use.end - today).days <= EXPIRY_ALERT_DAYS:
        days = (use.end - today).days
        alerts.append(
            Alert("auth_expiring", f"{label} expires in {days} day(s)", use.end, _NEW_AUTH)
        )
    return alerts


_NEW_AUTH = "request a new or extended authorization from the payer"


@dataclass(frozen=True, slots=True)
class VisitLimitUse:
    """An annual visit limit in the plan year that contains the day asked about."""

    limit: int
    used: int
    year_start: date

    @property
    def left(self) -> int:
        return self.limit - self.used

    @property
    def year_end(self) -> date:
        return next_plan_year(self.year_start) - timedelta(days=1)


def visits_used(
    kept: Iterable[date],
    year_start: date,
    before: date,
    reported: int | None = None,
    reported_on: date | None = None,
) -> int:
    """Visits used in the plan year from ``year_start`` up to (not including) ``before``.

    A count the payer reported counts for the plan year it was reported in and covers the
    visits up to its report date; our kept visits after that date are added to it. A count
    reported in an earlier plan year is ignored: the limit has reset since.
    """
    days = sorted(d for d in kept if year_start <= d < before)
    if reported is None or reported_on is None or not year_start <= reported_on < before:
        return len(days)
    return reported + sum(1 for d in days if d > reported_on)


def visit_limit_alerts(use: VisitLimitUse, today: date) -> list[Alert]:
    action = "ask the payer about more visits, or agree self-pay with the patient"
    label = f"annual visit limit {use.limit} (plan year from {use.year_start})"
    if use.left <= 0:
        reason = f"{label}: all {use.limit} visits used"
        return [Alert("limit_exhausted", reason, today, action, blocking=True)]
    if use.left <= VISITS_LEFT_ALERT:
        return [Alert("limit_visits_left", f"{label}: {use.left} visit(s) left", today, action)]
    return []


@dataclass(frozen=True, slots=True)
class KxPosition:
    """Allowed amounts counted toward the year's KX threshold before the next visit."""

    group: str
    year: int
    threshold: Decimal
    ytd_allowed: Decimal
    next_visit_allowed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.threshold - self.ytd_allowed

    @property
    def modifier_needed(self) -> bool:
        """The next visit takes the count over the threshold: its lines need KX."""
        return self.ytd_allowed + self.next_visit_allowed > self.threshold


def kx_alerts(position: KxPosition, today: date) -> list[Alert]:
    """An alert when the next visit crosses the threshold or lands within one visit of it."""
    label = f"Medicare {position.group} therapy threshold {position.threshold} ({position.year})"
    ytd = position.ytd_allowed
    if position.modifier_needed:
        action = "add KX to every therapy line and confirm the notes show medical necessity"
        return [Alert("kx_required", f"{label}: {ytd} allowed so far", today, action)]
    if position.remaining <= position.next_visit_allowed * 2:
        action = "review medical necessity now; KX will be needed within about one visit"
        reason = f"{label}: {position.remaining} left after {ytd} allowed"
        return [Alert("kx_near", reason, today, action)]
    return []
