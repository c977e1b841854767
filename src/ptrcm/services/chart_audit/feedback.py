"""The per-therapist feedback report of an audit, as HTML (Jinja2, autoescaped) and PDF
(reportlab), from the latest round of each record. Only de-identified excerpts reach it
(``domain.chart_audit.deidentify``); reading the visits is in the audit log."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, select_autoescape

from ptrcm.domain.chart_audit.criteria import CriteriaCatalog, load_criteria
from ptrcm.domain.chart_audit.engine import Finding, RecordScore
from ptrcm.domain.chart_audit.feedback import TherapistFeedback, build_feedback
from ptrcm.domain.chart_audit.stored import StoredResult
from ptrcm.services.chart_audit.audits import latest_round, show
from ptrcm.services.chart_audit.ports import ChartAuditUnitOfWork

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Documentation feedback</title>
<style>body{font-family:sans-serif;max-width:50em}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:4px 8px}blockquote{background:#f4f4f4;padding:.5em}</style>
</head><body><h1>Documentation feedback: {{ f.name or f.therapist }}</h1>
<p>Audit {{ audit_id }} ({{ version }}): {{ f.records }} records audited, {{ f.passed }}
passed without a significant finding ({{ "%.0f" % (100 * f.pass_rate) }}%).</p>
<h2>Strengths</h2>{% if f.strengths %}<ul>{% for s in f.strengths %}<li>{{ s }}</li>
{% endfor %}</ul>{% else %}<p>None yet: every criterion seen often enough had a finding.</p>
{% endif %}<h2>Most frequent findings</h2>{% if f.findings %}<table><thead><tr>
<th>Criterion</th><th>What was missing</th><th>Severity</th><th>Records</th></tr></thead>
<tbody>{% for c in f.findings %}<tr><td>{{ c.criterion_id }}</td><td>{{ c.title }}</td>
<td>{{ c.severity }}</td><td>{{ c.count }}</td></tr>{% endfor %}</tbody></table>
{% else %}<p>No findings.</p>{% endif %}
<h2>From your own notes</h2>{% for e in f.excerpts %}<h3>{{ e.criterion_id }}: {{ e.missing }}</h3>
<blockquote>{{ e.text }}</blockquote><p><strong>Two extra lines:</strong> {{ e.two_lines }}</p>
{% else %}<p>Nothing to show.</p>{% endfor %}
<p>Excerpts are de-identified: names, dates, ids, addresses and phone numbers removed.</p>
</body></html>
"""


def _scores(results: list[StoredResult], criteria: CriteriaCatalog) -> list[RecordScore]:
    """Stored results back as scores (the findings' titles from the catalog)."""
    out = []
    for r in latest_round(results):
        findings = tuple(
            Finding(cid, sev, criteria.get(cid).title, criteria.get(cid).advice)
            for cid, sev in r.findings
        )
        out.append(
            RecordScore(r.visit_id, r.episode_key, r.therapist, r.location, r.criteria, findings)
        )
    return out


def therapist_feedback(
    uow: ChartAuditUnitOfWork, audit_id: int, criteria: CriteriaCatalog | None = None
) -> list[TherapistFeedback]:
    """Feedback for every therapist of the audit, in therapist order."""
    catalog = criteria or load_criteria()
    _, results = show(uow, audit_id)
    scores = _scores(results, catalog)
    visits = {v.visit_id: v for v in uow.chart_audits.visits([s.visit_id for s in scores])}
    therapists = sorted({s.therapist for s in scores})
    return [build_feedback(t, scores, visits, catalog) for t in therapists]


def render_html(f: TherapistFeedback, audit_id: int, version: str) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE).render(f=f, audit_id=audit_id, version=version)


def render_pdf(f: TherapistFeedback, audit_id: int, version: str, path: Path) -> None:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    st = getSampleStyleSheet()

    def p(text: str, style: str = "Normal") -> Paragraph:
        return Paragraph(escape(text), st[style])

    story = [
        p(f"Documentation feedback: {f.name or f.therapist}", "Title"),
        p(
            f"Audit {audit_id} ({version}): {f.records} records audited, {f.passed} passed"
            f" without a significant finding ({100 * f.pass_rate:.0f}%)."
        ),
        p("Strengths", "Heading2"),
        *[p(f"• {s}") for s in f.strengths or ("None yet.",)],
        p("Most frequent findings", "Heading2"),
        *[p(f"{c.criterion_id} ({c.severity}, {c.count} records): {c.title}") for c in f.findings],
        p("From your own notes", "Heading2"),
    ]
    for e in f.excerpts:
        story += [p(f"{e.criterion_id}: {e.missing}", "Heading3"), p(e.text, "Code"),
                  p(f"Two extra lines: {e.two_lines}"), Spacer(1, 6)]  # fmt: skip
    story.append(p("Excerpts are de-identified: names, dates, ids, addresses and phones removed."))
    SimpleDocTemplate(str(path), pagesize=letter, title="Documentation feedback").build(story)
