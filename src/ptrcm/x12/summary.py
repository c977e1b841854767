"""A short human-readable summary of a typed X12 document (``ptrcm x12 read --format text``)."""

from __future__ import annotations

from ptrcm.x12.ack999.parse import AckDocument
from ptrcm.x12.eligibility.benefits271 import BenefitsDocument
from ptrcm.x12.generic import ClaimsDocument
from ptrcm.x12.read import X12Document
from ptrcm.x12.remit835.model import RemittanceDocument
from ptrcm.x12.status277.parse import StatusDocument


def _remittance(doc: RemittanceDocument) -> list[str]:
    lines = []
    for t in doc.transactions:
        trace = t.trace.number if t.trace else "-"
        lines.append(
            f"835 {t.control_number}: {t.payer.name} paid {t.payment.amount} by {t.payment.method}"
            f" (trace {trace}) to {t.payee.name}; {len(t.claims)} claims,"
            f" {sum(len(c.lines) for c in t.claims)} lines, {len(t.provider_adjustments)} PLB"
        )
        for c in t.claims:
            lines.append(
                f"  claim {c.patient_control_number} status {c.status}: charge {c.charge}"
                f" paid {c.paid} patient {c.patient_responsibility or '-'}; {len(c.lines)} lines"
            )
    return lines


def _ack(doc: AckDocument) -> list[str]:
    lines = []
    for t in doc.transactions:
        lines.append(
            f"999 for group {t.functional_id} {t.group_control}: AK9 {t.group_status}"
            f" ({t.accepted}/{t.included} accepted)"
        )
        lines += [
            f"  set {s.set_id} {s.control}: IK5 {s.status}, {len(s.errors)} segment errors"
            for s in t.sets
        ]
    return lines


def _status(doc: StatusDocument) -> list[str]:
    lines = []
    for t in doc.transactions:
        lines.append(f"{t.kind}: {len(t.claims)} claims")
        for c in t.claims:
            codes = ", ".join(f"{k.category}:{k.status}" for s in c.statuses for k in s.codes)
            lines.append(f"  claim {c.patient_control_number}: {codes or '-'}")
    return lines


def _benefits(doc: BenefitsDocument) -> list[str]:
    lines = []
    for t in doc.transactions:
        lines.append(f"271: {len(t.members)} members, {len(t.rejections)} rejections at top levels")
        for m in t.members:
            lines.append(
                f"  {m.level} {m.hl_id}: {len(m.benefits)} benefits, {len(m.rejections)} rejections"
            )
            lines += [
                f"    EB {b.code} ({b.kind}) {','.join(b.service_types)} {b.amount or ''}"
                for b in m.benefits
            ]
    return lines


def summarize(doc: X12Document) -> list[str]:
    """Lines of text describing the document, then its findings."""
    if isinstance(doc, RemittanceDocument):
        lines = _remittance(doc)
    elif isinstance(doc, AckDocument):
        lines = _ack(doc)
    elif isinstance(doc, StatusDocument):
        lines = _status(doc)
    elif isinstance(doc, BenefitsDocument):
        lines = _benefits(doc)
    elif isinstance(doc, ClaimsDocument):
        lines = [f"{doc.kind}: {len(doc.claims)} claims"]
    else:
        lines = [
            f"{doc.kind}: {len(doc.transactions)} transaction sets"
            + (f" ({doc.note})" if doc.note else "")
        ]
    return lines + [str(f) for f in doc.findings]
