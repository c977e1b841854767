"""How numbers read on the pages: money, rates, days, and the trend of a KPI tile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ptrcm.web.ports import KpiTile, Unit

Value = Decimal | int | float
MISSING = "—"  # a figure that cannot be computed (docs/kpis.md: empty denominator)


def money(value: Value) -> str:
    """``$1,234.50``; negative amounts as ``-$12.00``."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def money_short(value: Value) -> str:
    """Axis ticks: ``$12k`` above a thousand, whole dollars below."""
    amount = Decimal(str(value))
    if abs(amount) >= 1000:
        return f"${amount / 1000:,.0f}k" if amount % 1000 == 0 else f"${amount / 1000:,.1f}k"
    return f"${amount:,.0f}"


def percent(value: Value | None, places: int = 1) -> str:
    """A fraction 0–1 as a percentage: ``0.942`` → ``94.2%``; ``—`` for no value."""
    if value is None:
        return MISSING
    scaled = (Decimal(str(value)) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{scaled}%"


def number(value: Value) -> str:
    return f"{Decimal(str(value)):,}"


def month_label(day: date) -> str:
    return day.strftime("%b %Y")


def short_date(day: date | None) -> str:
    return "" if day is None else day.strftime("%b %d").replace(" 0", " ")


def format_unit(value: Decimal | None, unit: Unit) -> str:
    """A KPI value in its unit; ``—`` when there is none (never ``0.0%``)."""
    if value is None:
        return MISSING
    if unit is Unit.money:
        return money(value)
    if unit is Unit.percent:
        return percent(value)
    if unit is Unit.days:
        return f"{value.quantize(Decimal('0.1'))} days"
    return number(value)


@dataclass(frozen=True, slots=True)
class Trend:
    """Direction of change against the previous period and whether that is good news."""

    arrow: str
    direction: str  # up, down or flat
    tone: str  # good, bad or neutral
    change: str  # e.g. "+1.1 pts", "-2.8 days", "+$1,250.00", "+12"


def change_text(delta: Decimal, unit: Unit) -> str:
    """A change in the KPI's own unit: percentage points for rates, dollars for money."""
    sign = "+" if delta > 0 else "-"
    size = abs(delta)
    if unit is Unit.percent:
        points = (size * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{sign}{points} pts"
    if unit is Unit.days:
        return f"{sign}{size.quantize(Decimal('0.1'), ROUND_HALF_UP)} days"
    if unit is Unit.money:
        return sign + money(size)
    return sign + number(size)


def trend(tile: KpiTile) -> Trend | None:
    """The arrow on a KPI tile: ▲/▼/▶, green when the change is an improvement; none when
    either period has no value to compare."""
    if tile.value is None or tile.previous is None:
        return None
    delta = tile.value - tile.previous
    if delta == 0:
        return Trend("▶", "flat", "neutral", "no change")
    direction = "up" if delta > 0 else "down"
    improved = (delta > 0) == tile.higher_is_better
    change = change_text(delta, tile.unit)
    return Trend("▲" if delta > 0 else "▼", direction, "good" if improved else "bad", change)
