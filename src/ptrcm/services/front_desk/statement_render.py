"""Statements as HTML (Jinja2, autoescaped) and PDF (reportlab, pure Python)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, select_autoescape

from ptrcm.domain.statements import Statement

HEADERS = ("Date", "Claim", "Service", "Charge", "Insurance paid", "Adjusted", "Your share",
           "You paid")  # fmt: skip

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Statement {{ number }}</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:4px 8px}td.n{text-align:right}</style></head>
<body><h1>Patient statement</h1>
<p>Statement {{ number }} for account {{ s.patient }}, dated {{ s.statement_date }}.
{% if s.replaces %}This corrected statement replaces statement {{ s.replaces }}.{% endif %}</p>
<table><thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for cell in row %}<td{% if loop.index > 3 %} class="n"{% endif %}>
{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<p><strong>Amount due: {{ due }}</strong> by {{ s.due_date }}.</p></body></html>
"""


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def rows_of(statement: Statement) -> list[list[str]]:
    return [
        [
            "" if ln.day is None else ln.day.isoformat(), ln.claim, ln.description,
            _money(ln.charge), _money(ln.insurance_paid), _money(ln.insurance_adjusted),
            _money(ln.patient_share), _money(ln.patient_paid),
        ]
        for ln in statement.lines
    ]  # fmt: skip


def render_html(statement: Statement, number: int) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE).render(
        s=statement, number=number, headers=HEADERS, rows=rows_of(statement),
        due=_money(statement.amount_due),
    )  # fmt: skip


def render_pdf(statement: Statement, number: int, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    intro = f"Statement {number} for account {statement.patient}, dated {statement.statement_date}."
    if statement.replaces:
        intro += f" This corrected statement replaces statement {statement.replaces}."
    table = Table([list(HEADERS), *rows_of(statement)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
            ]
        )
    )
    due = f"Amount due: {_money(statement.amount_due)} by {statement.due_date}."
    story = [
        Paragraph("Patient statement", styles["Title"]),
        Paragraph(intro, styles["Normal"]),
        Spacer(1, 12),
        table,
        Spacer(1, 12),
        Paragraph(f"<b>{due}</b>", styles["Normal"]),
    ]
    doc = SimpleDocTemplate(str(path), pagesize=landscape(letter), title=f"Statement {number}")
    doc.build(story)


def write_files(statement: Statement, number: int, out_dir: Path) -> tuple[str, str]:
    """``statement-<n>.html`` and ``statement-<n>.pdf`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / f"statement-{number}.html"
    pdf = out_dir / f"statement-{number}.pdf"
    html.write_text(render_html(statement, number), encoding="utf-8")
    render_pdf(statement, number, pdf)
    return str(html), str(pdf)
