"""Charts for each page, built from provider rows (pure: rows in, SVG markup out)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

from ptrcm.web import charts
from ptrcm.web import formatting as f
from ptrcm.web.charts import Number, Series
from ptrcm.web.ports import (
    AgingRow,
    AttendanceCell,
    CashWeek,
    DaysInArPoint,
    DenialReason,
    EvalMix,
    PayerRevenue,
    Productivity,
    RatePoint,
    Underpayment,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BUCKETS = (
    ("d0_30", "0–30"),
    ("d31_60", "31–60"),
    ("d61_90", "61–90"),
    ("d91_120", "91–120"),
    ("d120_plus", "120+"),
)


def _money(v: Number) -> str:
    return f.money_short(v)


def _pct(v: Number) -> str:
    return f.percent(Decimal(str(v)), places=0 if float(v) * 100 % 1 == 0 else 1)


def aging_chart(rows: Sequence[AgingRow]) -> Markup:
    return charts.stacked_bar_chart(
        "aging",
        "A/R aging by payer class",
        "Open balances stacked by days since the date of service, one bar per payer class.",
        [r.payer_class for r in rows],
        [Series(label, [getattr(r, key) for r in rows]) for key, label in BUCKETS],
        x_label="Payer class",
        y_label="Open A/R",
        fmt=_money,
    )


def denial_charts(rows: Sequence[DenialReason]) -> tuple[Markup, Markup]:
    labels = [f"CARC {r.carc}" for r in rows]
    by_count = charts.pareto_chart(
        "denials-count",
        "Denials by count",
        "Denied lines per reason code, largest first, with the cumulative share.",
        labels,
        [r.count for r in rows],
        x_label="Reason code",
        y_label="Denied lines",
    )
    by_dollars = charts.pareto_chart(
        "denials-dollars",
        "Denials by dollars",
        "Denied dollars per reason code, largest first, with the cumulative share.",
        labels,
        [r.amount for r in rows],
        x_label="Reason code",
        y_label="Denied dollars",
        fmt=_money,
    )
    return by_count, by_dollars


def first_pass_chart(points: Sequence[RatePoint]) -> Markup:
    return charts.line_chart(
        "first-pass",
        "First-pass payment rate",
        "Share of claims paid on first submission, month by month.",
        [p.month.strftime("%b") for p in points],
        Series("First-pass rate", [p.rate for p in points]),
        x_label="Month",
        left_label="Paid first time",
        left_fmt=_pct,
        left_top=1.0,
    )


def cash_visits_chart(weeks: Sequence[CashWeek]) -> Markup:
    return charts.line_chart(
        "cash-visits",
        "Weekly cash and visit volume",
        "Cash posted per week on the left axis and visits seen per week on the right axis.",
        [f.short_date(w.week_start) for w in weeks],
        Series("Cash posted", [w.cash for w in weeks]),
        Series("Visits", [w.visits for w in weeks]),
        x_label="Week of",
        left_label="Cash posted",
        right_label="Visits",
        left_fmt=_money,
    )


def days_in_ar_chart(points: Sequence[DaysInArPoint]) -> Markup:
    return charts.line_chart(
        "days-in-ar",
        "Days in A/R",
        "Open receivables divided by average daily charges, month by month.",
        [p.month.strftime("%b") for p in points],
        Series("Days in A/R", [p.days for p in points]),
        x_label="Month",
        left_label="Days",
    )


def net_per_visit_chart(rows: Sequence[PayerRevenue]) -> Markup:
    return charts.bar_chart(
        "net-per-visit",
        "Net revenue per visit by payer",
        "Net revenue divided by visits for each payer in the period.",
        [r.payer_id for r in rows],
        [r.net_per_visit for r in rows],
        x_label="Payer",
        y_label="Net per visit",
        fmt=f.money,
        tick_fmt=_money,
    )


def underpayment_chart(rows: Sequence[Underpayment]) -> Markup:
    return charts.bar_chart(
        "underpaid",
        "Underpaid dollars by payer and code",
        "Expected minus paid, summed per payer and procedure code.",
        [f"{r.code} {r.payer_id}" for r in rows],
        [r.short for r in rows],
        x_label="Code and payer",
        y_label="Short paid",
        fmt=f.money,
        tick_fmt=_money,
    )


def eval_mix_chart(rows: Sequence[EvalMix]) -> Markup:
    parts = (("low", "Low"), ("moderate", "Moderate"), ("high", "High"), ("reeval", "Re-eval"))
    return charts.stacked_bar_chart(
        "eval-mix",
        "Evaluation code mix by therapist",
        "Share of low, moderate and high complexity evaluations and re-evaluations.",
        [r.therapist for r in rows],
        [Series(label, [getattr(r, key) for r in rows]) for key, label in parts],
        x_label="Therapist",
        y_label="Share of evaluations",
        fmt=_pct,
    )


def units_per_visit_chart(rows: Sequence[Productivity]) -> Markup:
    known = [(r.therapist, r.units_per_visit) for r in rows if r.units_per_visit is not None]
    return charts.bar_chart(
        "units-per-visit",
        "Units per visit by therapist",
        "Billed timed units divided by visits.",
        [name for name, _ in known],
        [value for _, value in known],
        x_label="Therapist",
        y_label="Units per visit",
    )


def attendance_heatmap(cells: Sequence[AttendanceCell]) -> Markup:
    """Missed share (no-shows plus late cancels over scheduled) by weekday and hour."""
    weekdays = sorted({c.weekday for c in cells})
    hours = sorted({c.hour for c in cells})
    grid: dict[tuple[int, int], AttendanceCell] = {(c.weekday, c.hour): c for c in cells}
    values: list[list[Number | None]] = []
    for day in weekdays:
        row: list[Number | None] = []
        for hour in hours:
            cell = grid.get((day, hour))
            row.append(None if cell is None else cell.missed_rate)
        values.append(row)
    return charts.heatmap(
        "attendance",
        "No-shows and late cancels by weekday and hour",
        "Darker cells mean a larger share of appointments missed in that slot.",
        [WEEKDAYS[d] for d in weekdays],
        [f"{h}:00" for h in hours],
        values,
        x_label="Appointment hour",
        y_label="Weekday",
        fmt=lambda v: f.percent(Decimal(str(v))),
        width=1000,
    )
