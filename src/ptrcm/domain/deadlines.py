"""Filing and appeal deadlines, days remaining, and the denial work-queue order (reference §8).

Dates only: "today" is passed in as ``as_of`` (from the injected clock in the clinic's time
zone), never read here.

- Timely filing: the claim is due ``filing_days`` after the date of service (Medicare 12
  months, 42 CFR 424.44; other payers from ``timely_filing_days`` in ptrcm.toml [U]).
- Medicare appeals [C]: redetermination within 120 days of receiving the remittance,
  receipt presumed 5 days after its date; reconsideration within 180 days of receiving
  the redetermination decision (same presumption).
- Other payer classes: ``AppealRules`` parameters, defaults marked unconfirmed [U].
- Whether a deadline on a weekend or holiday moves to the next business day is a
  parameter too (``roll_to_business_day``, off by default [U]).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from ptrcm.domain.holidays import next_workday
from ptrcm.domain.money import Money, round_cents

URGENCY_DAYS = Decimal(30)


@dataclass(frozen=True, slots=True)
class AppealRules:
    """A payer class's appeal windows: level names, days, and presumed days to receipt."""

    payer_class: str
    first_level: str
    first_level_days: int
    second_level: str
    second_level_days: int
    presumed_receipt_days: int
    source: str
    roll_to_business_day: bool = False

    def __post_init__(self) -> None:
        for name in ("first_level_days", "second_level_days", "presumed_receipt_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


DEFAULT_APPEAL_RULES: Mapping[str, AppealRules] = {
    "medicare": AppealRules(
        "medicare", "redetermination", 120, "reconsideration", 180, 5, "reference §8 [C]"
    ),
    "medicare_advantage": AppealRules(
        "medicare_advantage", "plan reconsideration", 60, "independent review", 60, 5,
        "plan contract [U]",
    ),
    "medicaid": AppealRules(
        "medicaid", "appeal", 90, "fair hearing", 120, 0, "state Medicaid manual [U]"
    ),
    "commercial": AppealRules(
        "commercial", "first-level appeal", 180, "second-level appeal", 60, 0, "payer contract [U]"
    ),
    "workers_comp": AppealRules(
        "workers_comp", "reconsideration", 90, "review", 60, 0, "state rules [U]"
    ),
}  # fmt: skip


def appeal_rules_for(payer_class: str, **overrides: int | bool | str) -> AppealRules | None:
    """The appeal rules of a payer class, with pack/config overrides; None for self-pay."""
    rules = DEFAULT_APPEAL_RULES.get(payer_class)
    if rules is None:
        return None
    return replace(rules, **overrides) if overrides else rules  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date, the date it counts from, and how it was worked out."""

    kind: str
    due: date
    counted_from: date
    explanation: str

    def days_remaining(self, as_of: date) -> int:
        return days_remaining(self.due, as_of)


def days_remaining(due: date, as_of: date) -> int:
    """Whole days from ``as_of`` to ``due``: 0 on the due date, negative once it has passed."""
    return (due - as_of).days


def is_business_day(day: date, holidays: frozenset[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_business_day(day: date, holidays: frozenset[date] = frozenset()) -> date:
    """``day`` itself when it is a business day, else the next one."""
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int, holidays: frozenset[date] = frozenset()) -> date:
    """The business day ``count`` business days after ``day`` (count >= 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            count -= 1
    return day


def medicare_filing_deadline(date_of_service: date) -> Deadline:
    """Last day to file a Medicare claim: one calendar year after the date of service.

    42 CFR 424.44(a)(1) and MCPM Pub 100-04 ch. 1 §70.1: no later than 12 months (one
    calendar year) after the date of service; a February 29 date of service is due on
    February 28 of the next year (MAC guidance). When that day is a Saturday, Sunday or
    federal non-workday, a claim filed on the next workday is timely (MCPM ch. 1 §70).
    """
    year = date_of_service.year + 1
    day = min(date_of_service.day, 28 if date_of_service.month == 2 else 31)
    anniversary = date(year, date_of_service.month, day)
    due = next_workday(anniversary)
    explanation = f"date of service {date_of_service.isoformat()} + one calendar year"
    if due != anniversary:
        explanation += f" ({anniversary.isoformat()}, not a workday: next workday)"
    return Deadline("timely_filing", due, date_of_service, explanation)


def filing_deadline(date_of_service: date, filing_days: int) -> Deadline:
    """Last day to file a claim: the date of service plus the payer's filing days (§8)."""
    if filing_days <= 0:
        raise ValueError("filing_days must be positive")
    due = date_of_service + timedelta(days=filing_days)
    return Deadline(
        "timely_filing",
        due,
        date_of_service,
        f"date of service {date_of_service.isoformat()} + {filing_days} days",
    )


def appeal_deadline(
    notice_date: date,
    rules: AppealRules,
    *,
    second_level: bool = False,
    holidays: frozenset[date] = frozenset(),
) -> Deadline:
    """Last day to appeal a decision dated ``notice_date`` (reference §8).

    The window runs from presumed receipt: the notice date (the remittance date for a first
    level, the decision date for a second) plus ``presumed_receipt_days``.
    """
    level = rules.second_level if second_level else rules.first_level
    days = rules.second_level_days if second_level else rules.first_level_days
    received = notice_date + timedelta(days=rules.presumed_receipt_days)
    due = received + timedelta(days=days)
    explanation = (
        f"{level}: notice {notice_date.isoformat()}, presumed received "
        f"{received.isoformat()} (+{rules.presumed_receipt_days}), + {days} days "
        f"({rules.source})"
    )
    if rules.roll_to_business_day and not is_business_day(due, holidays):
        due = next_business_day(due, holidays)
        explanation += f", moved to the next business day {due.isoformat()}"
    return Deadline(level, due, received, explanation)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A denial to work: an id, the dollars at stake, and its deadline."""

    item_id: str
    amount: Money
    due: date


@dataclass(frozen=True, slots=True)
class RankedItem:
    item: WorkItem
    days_left: int
    score: Decimal

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def priority_score(amount: Money, days_left: int) -> Decimal:
    """Dollars weighted by urgency: ``amount x (1 + 30 / (days_left + 1))``, to the cent.

    A denial due today weighs 31 times its dollars, one due in 29 days twice, one due in a
    year barely more than its dollars: big amounts rise, and so do near deadlines. An
    expired deadline scores 0 (it can no longer be worked in the normal way).
    """
    if days_left < 0:
        return Decimal("0.00")
    weight = 1 + URGENCY_DAYS / (days_left + 1)
    return round_cents(amount.amount * weight)


def prioritize(items: Iterable[WorkItem], as_of: date) -> tuple[RankedItem, ...]:
    """The work queue in order: open items by score (highest first), then expired ones.

    Ties go to the earlier deadline, then the item id, so the order is stable.
    """
    ranked = [RankedItem(item, days_remaining(item.due, as_of), Decimal(0)) for item in items]
    ranked = [replace(r, score=priority_score(r.item.amount, r.days_left)) for r in ranked]
    return tuple(sorted(ranked, key=lambda r: (r.expired, -r.score, r.item.due, r.item.item_id)))
