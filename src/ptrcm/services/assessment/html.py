"""The assessment as one self-contained HTML page (Jinja2, autoescaped; charts as inline SVG
drawn by the template from numbers, no script, no external asset)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from jinja2 import Environment, select_autoescape

from ptrcm.domain.assessment.aging import BUCKETS
from ptrcm.domain.assessment.figures import Assessment
from ptrcm.services.assessment.report import rule_titles

TOP_REASONS = 10
TOP_UNDERPAID = 25
CHART_HEIGHT = 120

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Remittance assessment</title>
<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:1em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:3px 8px}
td.n{text-align:right}h2{margin-top:1.5em;border-bottom:1px solid #ccc}
.tiles{display:flex;gap:1em;flex-wrap:wrap}.tile{border:1px solid #bbb;padding:.5em 1em}
.tile b{display:block;font-size:1.4em}small{color:#555}</style></head><body>
<h1>Remittance assessment</h1>
<p>As of {{ a.settings.as_of.isoformat() }}: {{ a.answered }} answered claims in
{{ a.files|length }} files{% if a.duplicates %}, {{ a.duplicates }} re-sent payments left
out{% endif %}.</p>
<div class="tiles">
<div class="tile">Initial denial rate<b>{{ pct(a.first_pass.denial_rate) }}</b>
<small>{{ a.first_pass.with_denial }} of {{ a.first_pass.adjudicated }} first answers</small></div>
<div class="tile">Denied dollars<b>${{ denied }}</b>
<small>{{ a.denials|length }} adjustments</small></div>
{% for c in a.classes %}<div class="tile">{{ c.klass|capitalize }}<b>${{ c.dollars.amount }}</b>
<small>{{ c.count }} denials</small></div>{% endfor %}
<div class="tile">Underpaid<b>${{ a.underpayments.total.amount }}</b>
<small>{{ a.underpayments.items|length }} of {{ a.underpayments.priced }} priced lines</small></div>
</div>
<h2>Paid by month</h2>
<svg width="{{ 60 * months|length + 20 }}" height="{{ h + 40 }}" role="img"
 aria-label="Net paid by month">{% for m in months %}
<rect x="{{ 10 + 60 * loop.index0 }}" y="{{ 10 + h - m.height }}" width="44"
 height="{{ m.height }}" fill="#3a6ea5"><title>{{ m.month }}: ${{ m.paid }}</title></rect>
<text x="{{ 32 + 60 * loop.index0 }}" y="{{ h + 28 }}" font-size="10"
 text-anchor="middle">{{ m.month }}</text>{% endfor %}</svg>
<table><thead><tr><th>Payer</th><th>Month</th><th>Claims</th><th>Charged</th><th>Paid</th>
</tr></thead><tbody>{% for v in a.volumes %}<tr><td>{{ v.payer }}</td><td>{{ v.month }}</td>
<td class="n">{{ v.claims }}</td><td class="n">{{ v.charged.amount }}</td>
<td class="n">{{ v.paid.amount }}</td></tr>{% endfor %}</tbody></table>
<h2>Top denial reasons</h2>
<table><thead><tr><th>Reason</th><th>In words</th><th>Remarks</th><th>Denials</th><th>Dollars</th>
</tr></thead><tbody>{% for r in reasons %}<tr><td>{{ r.group }}-{{ r.carc }}</td>
<td>{{ r.description }}</td><td>{% for code, words in r.remarks %}{{ code }}{% if words %}:
{{ words }}{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}</td>
<td class="n">{{ r.count }}</td><td class="n">{{ r.dollars.amount }}</td></tr>
{% else %}<tr><td colspan="5">No denials.</td></tr>{% endfor %}</tbody></table>
<h2>Preventable, documentation, appealable, other</h2>
<table><thead><tr><th>Class</th><th>Denials</th><th>Dollars</th><th>Detail</th></tr></thead>
<tbody>{% for c in a.classes %}<tr><td>{{ c.klass }}</td><td class="n">{{ c.count }}</td>
<td class="n">{{ c.dollars.amount }}</td><td>{% for rule, n, d in c.by_rule %}{{ rule }}
({{ titles.get(rule, "") }}): {{ n }}, ${{ d.amount }}{% if not loop.last %}<br>{% endif %}
{% endfor %}{% if c.klass == "appealable" %}window still open: {{ c.open_window_count }},
${{ c.open_window_dollars.amount }}{% endif %}</td></tr>{% endfor %}</tbody></table>
<h2>Underpayments</h2>
<p>Against {{ a.underpayments.schedule }}: {{ a.underpayments.checked }} paid lines,
{{ a.underpayments.priced }} priced, {{ a.underpayments.not_priced }} not priced.</p>
{% if under %}<table><thead><tr><th>Claim</th><th>Code</th><th>Date</th><th>Units</th>
<th>Expected</th><th>Allowed</th><th>Short</th></tr></thead><tbody>{% for u in under %}<tr>
<td>{{ u.pcn }}</td><td>{{ u.code }}</td><td>{{ u.service_date.isoformat() }}</td>
<td class="n">{{ u.units }}</td><td class="n">{{ u.expected.amount }}</td>
<td class="n">{{ u.allowed.amount }}</td><td class="n">{{ u.variance.amount }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
<h2>A/R aging</h2>{% if a.aging is none %}<p>Not computed: no 837s were given.</p>{% else %}
<table><thead><tr><th>Payer class</th>{% for b in buckets %}<th>{{ b }} days</th>{% endfor %}
<th>Total</th><th>Days in A/R</th></tr></thead><tbody>{% for row in a.aging %}<tr>
<td>{{ row.payer_class }}</td>{% for d in row.dollars %}<td class="n">{{ d.amount }}</td>
{% endfor %}<td class="n">{{ row.total.amount }}</td>
<td class="n">{{ row.days_in_ar if row.days_in_ar is not none else "—" }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
<h2>With cleaner claims</h2>{% set p = a.projection %}{% if p is none %}<p>Not computed.</p>
{% else %}<p>Clean-claim rate today {{ pct(p.current_clean_rate) }}, target
{{ pct(p.target_clean_rate) }}: claims needing rework {{ p.rework_now }} →
{{ p.rework_at_target }} ({{ p.rework_saved }} fewer, ${{ p.cost_saved.amount }} at
${{ p.rework_cost_per_claim.amount }} each).</p>{% if p.aging_now is not none %}
<table><thead><tr><th></th>{% for b in buckets %}<th>{{ b }} days</th>{% endfor %}</tr>
</thead><tbody><tr><td>Today</td>{% for d in p.aging_now %}<td class="n">{{ d.amount }}</td>
{% endfor %}</tr><tr><td>At target</td>{% for d in p.aging_at_target %}<td class="n">
{{ d.amount }}</td>{% endfor %}</tr></tbody></table>{% endif %}{% endif %}
<h2>What could not be computed</h2><ul>{% for n in a.not_computed %}<li>{{ n }}</li>
{% else %}<li>Everything was computed from the files given.</li>{% endfor %}</ul>
<h2>Assumptions</h2><ul>{% for n in a.assumptions %}<li>{{ n }}</li>{% endfor %}</ul>
{% if a.skipped %}<h2>Left out</h2><ul>{% for n in a.skipped %}<li>{{ n }}</li>{% endfor %}
</ul>{% endif %}<p><small>Files read: {{ a.files|join(", ") }}</small></p>
</body></html>
"""


def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _months(a: Assessment) -> list[dict[str, Any]]:
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for v in a.volumes:
        paid[v.month] += v.paid.amount
    top = max((abs(x) for x in paid.values()), default=Decimal(0))
    return [
        {
            "month": m,
            "paid": paid[m],
            "height": 0 if not top else int(max(paid[m], Decimal(0)) * CHART_HEIGHT / top),
        }
        for m in sorted(paid)
    ]


def render_html(a: Assessment) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(TEMPLATE)
    denied = sum((i.amount.amount for i in a.denials), Decimal("0.00"))
    return template.render(
        a=a,
        pct=pct,
        months=_months(a),
        h=CHART_HEIGHT,
        denied=denied,
        reasons=a.reasons[:TOP_REASONS],
        titles=rule_titles(),
        buckets=BUCKETS,
        under=sorted(a.underpayments.items, key=lambda u: -u.variance.amount)[:TOP_UNDERPAID],
    )
