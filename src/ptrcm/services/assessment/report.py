"""Run an assessment from folders, and its JSON form (amounts as strings, dates ISO)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.domain.assessment.aging import BUCKETS
from ptrcm.domain.assessment.figures import Assessment, Settings, assess
from ptrcm.rules.catalog import all_rules
from ptrcm.services.assessment.reading import read_835_folder, read_837_folder


@dataclass(frozen=True, slots=True)
class Inputs:
    remits: Path
    claims: Path | None = None


def run(inputs: Inputs, settings: Settings) -> Assessment:
    """Read the folders and compute every figure."""
    remits = read_835_folder(inputs.remits)
    billed = read_837_folder(inputs.claims) if inputs.claims is not None else None
    files = [f"835 {name}" for name in remits.files]
    skipped = list(remits.skipped)
    if billed is not None:
        files += [f"837 {name}" for name in billed.files]
        skipped += billed.skipped
    return assess(
        remits.claims,
        billed.claims if billed is not None else None,
        settings,
        files=files,
        skipped=skipped,
        duplicates=remits.duplicates,
    )


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def rule_titles() -> Mapping[str, str]:
    return {r.id: r.title for r in all_rules()}


def to_json(a: Assessment) -> dict[str, Any]:
    titles = rule_titles()
    fp = a.first_pass
    total = sum((i.amount.amount for i in a.denials), Decimal("0.00"))
    out: dict[str, Any] = {
        "as_of": a.settings.as_of.isoformat(),
        "files": list(a.files),
        "skipped": list(a.skipped),
        "duplicates_dropped": a.duplicates,
        "claims_answered": a.answered,
        "volumes": [
            {
                "payer": v.payer,
                "month": v.month,
                "claims": v.claims,
                "charged": str(v.charged.amount),
                "paid": str(v.paid.amount),
            }
            for v in a.volumes
        ],
        "initial_denial": {
            "adjudicated": fp.adjudicated,
            "with_denial": fp.with_denial,
            "denied_in_full": fp.denied_in_full,
            "rate": _rate(fp.denial_rate),
            "clean_rate": _rate(fp.clean_rate),
        },
        "denials": {"count": len(a.denials), "dollars": str(total)},
        "reasons": [
            {
                "group": r.group,
                "carc": r.carc,
                "description": r.description,
                "remarks": [{"code": c, "description": d} for c, d in r.remarks],
                "category": r.category,
                "count": r.count,
                "dollars": str(r.dollars.amount),
            }
            for r in a.reasons
        ],
        "classes": [
            {
                "class": str(c.klass),
                "count": c.count,
                "dollars": str(c.dollars.amount),
                "rules": [
                    {
                        "rule": rule,
                        "title": titles.get(rule, ""),
                        "count": n,
                        "dollars": str(d.amount),
                    }
                    for rule, n, d in c.by_rule
                ],
                "appeal_window_open": {
                    "count": c.open_window_count,
                    "dollars": str(c.open_window_dollars.amount),
                },
            }
            for c in a.classes
        ],
        "denial_items": [
            {
                "source": i.source,
                "payer": i.payer,
                "payer_class": i.payer_class,
                "pcn": i.pcn,
                "code": i.code,
                "group": i.group,
                "carc": i.carc,
                "rarcs": list(i.rarcs),
                "amount": str(i.amount.amount),
                "category": i.category,
                "class": str(i.klass),
                "rule": i.rule,
                "appeal_due": None if i.appeal_due is None else i.appeal_due.isoformat(),
                "appeal_days_left": i.appeal_days_left,
            }
            for i in a.denials
        ],
        "underpayments": {
            "schedule": a.underpayments.schedule,
            "lines_checked": a.underpayments.checked,
            "priced": a.underpayments.priced,
            "not_priced": a.underpayments.not_priced,
            "count": len(a.underpayments.items),
            "dollars": str(a.underpayments.total.amount),
            "lines": [
                {
                    "source": u.source,
                    "payer": u.payer,
                    "pcn": u.pcn,
                    "code": u.code,
                    "service_date": u.service_date.isoformat(),
                    "units": u.units,
                    "expected": str(u.expected.amount),
                    "allowed": str(u.allowed.amount),
                    "variance": str(u.variance.amount),
                }
                for u in a.underpayments.items
            ],
        },
        "aging": None
        if a.aging is None
        else [
            {
                "payer_class": row.payer_class,
                "buckets": [
                    {"bucket": b, "claims": n, "dollars": str(d.amount)}
                    for b, n, d in zip(BUCKETS, row.claims, row.dollars, strict=True)
                ],
                "total": str(row.total.amount),
                "days_in_ar": None if row.days_in_ar is None else str(row.days_in_ar),
            }
            for row in a.aging
        ],
        "projection": _projection(a),
        "not_computed": list(a.not_computed),
        "assumptions": list(a.assumptions),
        "prevention_table": a.prevention_version,
    }
    return out


def _projection(a: Assessment) -> dict[str, Any] | None:
    p = a.projection
    if p is None:
        return None
    return {
        "current_clean_rate": _rate(p.current_clean_rate),
        "target_clean_rate": _rate(p.target_clean_rate),
        "adjudicated": p.adjudicated,
        "rework_now": p.rework_now,
        "rework_at_target": p.rework_at_target,
        "rework_saved": p.rework_saved,
        "rework_cost_per_claim": str(p.rework_cost_per_claim.amount),
        "rework_cost_saved": str(p.cost_saved.amount),
        "factor": _rate(p.factor),
        "aging_now": None if p.aging_now is None else [str(m.amount) for m in p.aging_now],
        "aging_at_target": None
        if p.aging_at_target is None
        else [str(m.amount) for m in p.aging_at_target],
    }
