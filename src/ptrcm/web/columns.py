"""The columns of every table the web app shows or exports, shared by pages and the API."""

from __future__ import annotations

from ptrcm.web.tables import Column, Kind

CLAIM_LINK = "/claims/{claim_id}"

KPIS = (
    Column("label", "KPI"),
    Column("value", "This period", Kind.decimal),
    Column("previous", "Previous period", Kind.decimal),
    Column("unit", "Unit"),
)
AGING = (
    Column("payer_class", "Payer class"),
    Column("d0_30", "0–30", Kind.money),
    Column("d31_60", "31–60", Kind.money),
    Column("d61_90", "61–90", Kind.money),
    Column("d91_120", "91–120", Kind.money),
    Column("d120_plus", "120+", Kind.money),
    Column("total", "Total", Kind.money),
)
DENIALS = (
    Column("carc", "CARC"),
    Column("description", "Reason"),
    Column("count", "Denied lines", Kind.integer),
    Column("amount", "Denied dollars", Kind.money),
)
FIRST_PASS = (Column("month", "Month", Kind.date), Column("rate", "First-pass rate", Kind.percent))
CASH_VISITS = (
    Column("week_start", "Week of", Kind.date),
    Column("cash", "Cash posted", Kind.money),
    Column("visits", "Visits", Kind.integer),
)
DAYS_IN_AR = (Column("month", "Month", Kind.date), Column("days", "Days in A/R", Kind.decimal))
QUEUE = (
    Column("item_id", "Item", link="/queues/items/{item_id}"),
    Column("claim_id", "Claim", link=CLAIM_LINK),
    Column("payer_id", "Payer"),
    Column("date_of_service", "Date of service", Kind.date),
    Column("reason_code", "Code"),
    Column("reason", "Reason"),
    Column("amount", "Amount", Kind.money),
    Column("deadline", "Deadline", Kind.date),
    Column("age_days", "Age (days)", Kind.integer),
)
CLAIM_LINES = (
    Column("code", "Code"),
    Column("modifiers", "Modifiers"),
    Column("units", "Units", Kind.integer),
    Column("charge", "Charge", Kind.money),
    Column("allowed", "Allowed", Kind.money),
    Column("paid", "Paid", Kind.money),
)
TIMELINE = (
    Column("on", "Date", Kind.date),
    Column("kind", "Step"),
    Column("title", "Event"),
    Column("detail", "Detail"),
    Column("amount", "Amount", Kind.money),
    Column("reference", "Reference"),
)
NET_REVENUE = (
    Column("payer_id", "Payer"),
    Column("payer_class", "Class"),
    Column("visits", "Visits", Kind.integer),
    Column("net_revenue", "Net revenue", Kind.money),
    Column("net_per_visit", "Net per visit", Kind.money),
)
UNDERPAYMENTS = (
    Column("payer_id", "Payer"),
    Column("code", "Code"),
    Column("lines", "Lines", Kind.integer),
    Column("expected", "Expected", Kind.money),
    Column("paid", "Paid", Kind.money),
    Column("short", "Short", Kind.money),
)
EVAL_MIX = (
    Column("therapist", "Therapist"),
    Column("discipline", "Discipline"),
    Column("evaluations", "Evaluations", Kind.integer),
    Column("low", "Low", Kind.percent),
    Column("moderate", "Moderate", Kind.percent),
    Column("high", "High", Kind.percent, flag="outlier"),
    Column("reeval", "Re-eval", Kind.percent),
    Column("peer_high", "Peers' high", Kind.percent),
    Column("outlier", "Outlier", flag="outlier"),
)
PRODUCTIVITY = (
    Column("therapist", "Therapist"),
    Column("visits", "Visits", Kind.integer),
    Column("units_per_visit", "Units per visit", Kind.decimal),
    Column("minutes_per_unit", "Minutes per unit", Kind.decimal),
)
ATTENDANCE = (
    Column("weekday", "Weekday", Kind.integer),
    Column("hour", "Hour", Kind.integer),
    Column("scheduled", "Scheduled", Kind.integer),
    Column("no_shows", "No-shows", Kind.integer),
    Column("late_cancels", "Late cancels", Kind.integer),
    Column("missed_rate", "Missed rate", Kind.percent),
)
LEAKAGE = (
    Column("location_id", "Location"),
    Column("therapist", "Therapist"),
    Column("scheduled", "Scheduled", Kind.integer),
    Column("no_shows", "No-shows", Kind.integer),
    Column("late_cancels", "Late cancels", Kind.integer),
    Column("revenue_lost", "Revenue lost", Kind.money),
)
