"""Statements as HTML (Jinja2, autoescaped) and PDF (reportlab, pure Python): the clinic's
letterhead (name, address, phone), the patient's name and address where an envelope's
window shows them, the remit-to address, the lines with their totals, the amount due."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, select_autoescape

from ptrcm.domain.statements import Party, Statement

HEADERS = ("Date", "Claim", "Service", "Charge", "Insurance paid", "Adjusted", "Your share",
           "You paid")  # fmt: skip

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Statement {{ number }}</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:4px 8px}td.n{text-align:right}</style></head>
<body>
{% if s.letterhead %}<address class="clinic"><strong>{{ s.letterhead.clinic.name }}</strong>
{% for line in s.letterhead.clinic.address %}<br>{{ line }}{% endfor %}
{% if s.letterhead.clinic.phone %}<br>Phone {{ s.letterhead.clinic.phone }}{% endif %}
</address>{% endif %}
{% if s.addressee %}<address class="patient">{{ s.addressee.name }}
{% for line in s.addressee.address %}<br>{{ line }}{% endfor %}</address>{% endif %}
<h1>Patient statement</h1>
<p>Statement {{ number }} for account {{ s.patient }}, dated {{ s.statement_date }}.
{% if s.replaces %}This corrected statement replaces statement {{ s.replaces }}.{% endif %}</p>
<table><thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for cell in row %}<td{% if loop.index > 3 %} class="n"{% endif %}>
{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
<tfoot><tr>{% for cell in totals %}<td{% if loop.index > 3 %} class="n"{% endif %}>
{{ cell }}</td>{% endfor %}</tr></tfoot></table>
<p><strong>Amount due: {{ due }}</strong> by {{ s.due_date }}.</p>
{% if s.letterhead %}<address class="remit">Please send payment to:
<br>{{ s.letterhead.remit_to.name }}
{% for line in s.letterhead.remit_to.address %}<br>{{ line }}{% endfor %}</address>{% endif %}
</body></html>
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


def totals_row(statement: Statement) -> list[str]:
    t = statement.totals
    money = (t.charge, t.insurance_paid, t.insurance_adjusted, t.patient_share, t.patient_paid)
    return ["Totals", "", "", *(_money(x) for x in money)]


def render_html(statement: Statement, number: int) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE).render(
        s=statement, number=number, headers=HEADERS, rows=rows_of(statement),
        totals=totals_row(statement), due=_money(statement.amount_due),
    )  # fmt: skip


def _block(party: Party | None, heading: str = "", phone: bool = False) -> str:
    """A party as reportlab paragraph markup (escaped): name, address lines, phone."""
    if party is None:
        return ""
    lines = [escape(heading)] if heading else []
    lines += [f"<b>{escape(party.name)}</b>", *(escape(x) for x in party.address)]
    if phone and party.phone:
        lines.append(f"Phone {escape(party.phone)}")
    return "<br/>".join(lines)


def render_pdf(statement: Statement, number: int, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    intro = f"Statement {number} for account {statement.patient}, dated {statement.statement_date}."
    if statement.replaces:
        intro += f" This corrected statement replaces statement {statement.replaces}."
    table = Table([list(HEADERS), *rows_of(statement), totals_row(statement)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    due = f"Amount due: {_money(statement.amount_due)} by {statement.due_date}."
    head = statement.letterhead
    story: list[Any] = []
    if head is not None:
        story.append(Paragraph(_block(head.clinic, phone=True), styles["Normal"]))
        story.append(Spacer(1, 18))
    if statement.addressee is not None:
        story.append(Paragraph(_block(statement.addressee), styles["Normal"]))
    story += [
        Paragraph("Patient statement", styles["Title"]),
        Paragraph(intro, styles["Normal"]),
        Spacer(1, 12),
        table,
        Spacer(1, 12),
        Paragraph(f"<b>{due}</b>", styles["Normal"]),
    ]
    if head is not None:
        remit = _block(head.remit_to, "Please send payment to:")
        story += [Spacer(1, 12), Paragraph(remit, styles["Normal"])]
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
