"""The review pack as HTML (Jinja2, autoescaped, inline SVG chart) and PDF (reportlab).

One formatting rule for both (``shown``): rates as percentages to one decimal, money to
the cent with thousands separators, days as they are, "—" for a figure that cannot be
computed. The review-pack test formats ``ptrcm report kpis`` the same way and finds each
figure in the PDF's text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, select_autoescape

from ptrcm.analytics.report import headline
from ptrcm.analytics.review import ReviewPack

RATE_SUFFIXES = ("_rate", "_share", "_dollars")
MONEY_KEYS = frozenset({"ar_total", "net_revenue_per_visit", "revenue_leakage"})
CHART_HEIGHT = 100


def shown(key: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if key.endswith(RATE_SUFFIXES) or key in ("denial_rate_claims",):
        return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if key in MONEY_KEYS:
        return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    return str(value)


def rows(pack: ReviewPack) -> dict[str, Any]:
    report = pack.report
    trend_top = max((p.ar_total for p in pack.trend), default=Decimal(0))
    return {
        "kpis": [(label, shown(key, value)) for key, label, value in headline(report)],
        "targets": [
            (
                t.target.label,
                shown(t.target.kpi, t.figure),
                ("≥ " if t.target.direction == "at_least" else "≤ ")
                + shown(t.target.kpi, t.target.value),
                t.standing.value.replace("_", " "),
            )
            for t in pack.targets
        ],
        "trend": [
            (
                p.month.isoformat()[:7],
                f"{p.ar_total:,}",
                f"{p.ar_over_90:,}",
                shown("clean_claim_rate", p.figures["clean_claim_rate"]),
                shown("denial_rate_claims", p.figures["denial_rate_claims"]),
                shown("days_in_ar", p.figures["days_in_ar"]),
                0 if not trend_top else int(p.ar_total * CHART_HEIGHT / trend_top),
            )
            for p in pack.trend
        ],
        "categories": [
            (
                c.category.replace("_", " "),
                f"{c.denied:,}",
                shown("x_rate", c.denial_rate),
                f"{c.written_off:,}",
                shown("x_rate", c.write_off_rate),
            )
            for c in report.denial_categories
        ],
        "classes": [(c, shown("days_in_ar", d.days)) for c, d in pack.days_by_class],
        "slas": [
            (
                s.level.label,
                str(s.level.days),
                "not recorded" if s.measured is None else str(s.measured.count),
                shown("x_share", s.attainment),
            )
            for s in pack.slas
        ],
        "costs": None
        if pack.costs is None
        else (
            f"{pack.costs.cost:,}",
            str(pack.costs.visits),
            shown("net_revenue_per_visit", pack.costs.cost_per_visit),
            shown("net_revenue_per_visit", pack.costs.net_revenue_per_visit),
            shown("x_share", pack.costs.cost_share),
        ),
        "events": [
            (
                e.day.isoformat(),
                e.payer,
                e.reason or e.kind.replace("_", " "),
                e.severity,
                e.status,
                e.owner,
                e.summary,
            )
            for e in pack.events
        ],
        "issues": [
            (r.carc, r.description, str(r.count), f"{r.amount:,}")
            for r in report.top_denials_by_amount[:5]
        ],
    }


TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Performance review {{ p.month.isoformat()[:7] }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:1em auto}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:3px 8px}
.met{color:#176b2c}.at.risk{color:#8a5a00}.missed{color:#a11}</style></head><body>
<h1>Performance review: {{ p.org }}, {{ p.month.strftime("%B %Y") }}</h1>
<p>{{ p.month.isoformat() }} to {{ p.last.isoformat() }}; A/R as of {{ p.last.isoformat() }}.
{% if p.engagement_start %}Engagement began {{ p.engagement_start.isoformat() }}.{% endif %}</p>
{% macro table(head, body) %}<table><thead><tr>{% for h in head %}<th>{{ h }}</th>{% endfor %}
</tr></thead><tbody>{% for row in body %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}
</tr>{% endfor %}</tbody></table>{% endmacro %}
<h2>Targets</h2>{{ table(["KPI", "This month", "Target", "Standing"], r.targets) }}
<h2>KPIs</h2>{{ table(["KPI", "Value"], r.kpis) }}
<h2>A/R aging trend</h2>
<svg width="{{ 70 * r.trend|length + 20 }}" height="{{ h + 30 }}" role="img"
 aria-label="A/R by month end">
{% for t in r.trend %}<rect x="{{ 10 + 70 * loop.index0 }}" y="{{ 5 + h - t[6] }}" width="50"
height="{{ t[6] }}" fill="#3a6ea5"></rect><text x="{{ 35 + 70 * loop.index0 }}" y="{{ h + 22 }}"
font-size="10" text-anchor="middle">{{ t[0] }}</text>{% endfor %}</svg>
{{ table(["Month", "A/R", "Over 90 days", "Clean-claim rate", "Denial rate", "Days in A/R"],
         r.trend_rows) }}
<h2>Denials and write-offs by category</h2>
{{ table(["Category", "Denied", "Denial rate", "Written off", "Write-off rate"], r.categories) }}
<h2>Days in A/R by payer class</h2>{{ table(["Payer class", "Days in A/R"], r.classes) }}
<h2>Service levels</h2>{{ table(["Service level", "Days", "Events", "Within"], r.slas) }}
<h2>Top issues</h2>{{ table(["CARC", "Reason", "Denials", "Dollars"], r.issues) }}
<h2>Cost to collect</h2>{% if r.costs %}{{ table(["Cost", "Visits", "Cost per visit",
"Net revenue per visit", "Cost / net revenue"], [r.costs]) }}{% else %}<p>No costs
configured ([costs] in ptrcm.toml).</p>{% endif %}
<h2>Systemic events</h2>{% if r.events %}{{ table(["Day", "Payer", "Event", "Severity",
"Status", "Owner", "Evidence"], r.events) }}{% else %}<p>No systemic-denial event was raised
this month (`ptrcm alerts scan`, docs/alerts.md).</p>{% endif %}
<h2>Notes from the team</h2>{% if p.notes %}<p>{{ p.notes }}</p>{% else %}<p>None entered.</p>
{% endif %}
</body></html>
"""


def render_html(pack: ReviewPack) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    data = rows(pack)
    data["trend_rows"] = [t[:6] for t in data["trend"]]
    return env.from_string(TEMPLATE).render(p=pack, r=data, h=CHART_HEIGHT)


def render_pdf(pack: ReviewPack, path: Path | BinaryIO) -> None:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    r = rows(pack)
    story: list[Any] = []

    def p(text: str, style: str = "Normal") -> None:
        story.append(Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), styles[style]))

    def table(head: list[str], body: list[tuple[Any, ...]]) -> None:
        t = Table([head, *[list(b) for b in body]], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ]
            )
        )
        story.extend([t, Spacer(1, 8)])

    p(f"Performance review: {pack.org}, {pack.month.strftime('%B %Y')}", "Title")
    p(f"{pack.month.isoformat()} to {pack.last.isoformat()}; A/R as of {pack.last.isoformat()}.")
    p("Targets", "Heading2")
    table(["KPI", "This month", "Target", "Standing"], r["targets"])
    p("KPIs", "Heading2")
    table(["KPI", "Value"], r["kpis"])
    p("A/R aging trend", "Heading2")
    drawing = Drawing(460, 140)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 25, 390, 100
    chart.data = [[float(p.ar_total) for p in pack.trend] or [0.0]]
    chart.categoryAxis.categoryNames = [t[0] for t in r["trend"]] or ["-"]
    chart.valueAxis.valueMin = 0
    drawing.add(chart)
    story.append(drawing)
    table(
        ["Month", "A/R", "Over 90 days", "Clean-claim rate", "Denial rate", "Days in A/R"],
        [t[:6] for t in r["trend"]],
    )
    p("Denials and write-offs by category", "Heading2")
    table(["Category", "Denied", "Denial rate", "Written off", "Write-off rate"], r["categories"])
    p("Days in A/R by payer class", "Heading2")
    table(["Payer class", "Days in A/R"], r["classes"])
    p("Service levels", "Heading2")
    table(["Service level", "Days", "Events", "Within"], r["slas"])
    p("Top issues", "Heading2")
    table(
        ["CARC", "Reason", "Denials", "Dollars"],
        [(c, Paragraph(d, styles["BodyText"]), n, a) for c, d, n, a in r["issues"]],
    )
    p("Cost to collect", "Heading2")
    if r["costs"] is None:
        p("No costs configured ([costs] in ptrcm.toml).")
    else:
        table(
            ["Cost", "Visits", "Cost per visit", "Net revenue per visit", "Cost / net revenue"],
            [r["costs"]],
        )
    p("Systemic events", "Heading2")
    if r["events"]:
        table(
            ["Day", "Payer", "Event", "Severity", "Status", "Owner", "Evidence"],
            [(*e[:6], Paragraph(e[6], styles["BodyText"])) for e in r["events"]],
        )
    else:
        p("No systemic-denial event was raised this month.")
    p("Notes from the team", "Heading2")
    p(pack.notes or "None entered.")
    target = str(path) if isinstance(path, Path) else path
    SimpleDocTemplate(target, pagesize=letter, title="Performance review").build(story)
