"""The assessment as a PDF (reportlab platypus: headings, tables and a bar chart of paid by
month), with the same figures as the HTML and JSON."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.domain.assessment.aging import BUCKETS
from ptrcm.domain.assessment.figures import Assessment
from ptrcm.services.assessment.html import TOP_REASONS, TOP_UNDERPAID, pct
from ptrcm.services.assessment.report import rule_titles


def _chart(a: Assessment) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing

    paid: dict[str, Decimal] = defaultdict(Decimal)
    for v in a.volumes:
        paid[v.month] += v.paid.amount
    months = sorted(paid)
    drawing = Drawing(460, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 25, 400, 110
    chart.data = [[float(paid[m]) for m in months] or [0.0]]
    chart.categoryAxis.categoryNames = months or ["-"]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    drawing.add(chart)
    return drawing


def render_pdf(a: Assessment, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    story: list[Any] = []

    def p(text: str, style: str = "Normal") -> None:
        story.append(Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), styles[style]))

    def table(rows: list[list[str]]) -> None:
        t = Table(rows, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ]
            )
        )
        story.append(t)
        story.append(Spacer(1, 8))

    fp = a.first_pass
    denied = sum((i.amount.amount for i in a.denials), Decimal("0.00"))
    p("Remittance assessment", "Title")
    p(
        f"As of {a.settings.as_of.isoformat()}: {a.answered} answered claims in {len(a.files)}"
        f" files; {a.duplicates} re-sent payments left out."
    )
    p(
        f"Initial denial rate {pct(fp.denial_rate)} ({fp.with_denial} of {fp.adjudicated} first"
        f" answers; {fp.denied_in_full} denied in full). Denied dollars ${denied} in"
        f" {len(a.denials)} adjustments."
    )
    p("Paid by month", "Heading2")
    story.append(_chart(a))
    table(
        [["Payer", "Month", "Claims", "Charged", "Paid"]]
        + [
            [v.payer[:40], v.month, str(v.claims), str(v.charged.amount), str(v.paid.amount)]
            for v in a.volumes
        ]
    )
    p("Top denial reasons", "Heading2")
    table(
        [["Reason", "In words", "Denials", "Dollars"]]
        + [
            [
                f"{r.group}-{r.carc}",
                Paragraph(r.description, styles["BodyText"]),
                str(r.count),
                str(r.dollars.amount),
            ]
            for r in a.reasons[:TOP_REASONS]
        ]
    )
    p("Denial classes", "Heading2")
    titles = rule_titles()
    table(
        [["Class", "Denials", "Dollars", "Detail"]]
        + [
            [
                str(c.klass),
                str(c.count),
                str(c.dollars.amount),
                Paragraph(
                    "; ".join(
                        f"{rule} {titles.get(rule, '')}: {n}, ${d.amount}"
                        for rule, n, d in c.by_rule
                    ),
                    styles["BodyText"],
                ),
            ]
            for c in a.classes
        ]
    )
    u = a.underpayments
    p("Underpayments", "Heading2")
    p(
        f"Against {u.schedule}: {u.checked} paid lines, {u.priced} priced, {u.not_priced} not"
        f" priced; {len(u.items)} underpaid by ${u.total.amount}."
    )
    if u.items:
        worst = sorted(u.items, key=lambda i: -i.variance.amount)[:TOP_UNDERPAID]
        table(
            [["Claim", "Code", "Date", "Expected", "Allowed", "Short"]]
            + [
                [
                    i.pcn,
                    i.code,
                    i.service_date.isoformat(),
                    str(i.expected.amount),
                    str(i.allowed.amount),
                    str(i.variance.amount),
                ]
                for i in worst
            ]
        )
    p("A/R aging", "Heading2")
    if a.aging is None:
        p("Not computed: no 837s were given.")
    else:
        table(
            [["Payer class", *BUCKETS, "Total", "Days in A/R"]]
            + [
                [
                    r.payer_class,
                    *(str(d.amount) for d in r.dollars),
                    str(r.total.amount),
                    "—" if r.days_in_ar is None else str(r.days_in_ar),
                ]
                for r in a.aging
            ]
        )
    pr = a.projection
    p("With cleaner claims", "Heading2")
    if pr is None:
        p("Not computed.")
    else:
        p(
            f"Clean-claim rate today {pct(pr.current_clean_rate)}, target"
            f" {pct(pr.target_clean_rate)}: rework {pr.rework_now} -> {pr.rework_at_target}"
            f" claims, ${pr.cost_saved.amount} saved at ${pr.rework_cost_per_claim.amount} each."
        )
        if pr.aging_now is not None and pr.aging_at_target is not None:
            table(
                [
                    ["", *BUCKETS],
                    ["Today", *(str(d.amount) for d in pr.aging_now)],
                    ["At target", *(str(d.amount) for d in pr.aging_at_target)],
                ]
            )
    p("What could not be computed", "Heading2")
    for note in a.not_computed or ("Everything was computed from the files given.",):
        p(f"- {note}")
    p("Assumptions", "Heading2")
    for note in a.assumptions:
        p(f"- {note}")
    SimpleDocTemplate(str(path), pagesize=letter, title="Remittance assessment").build(story)
