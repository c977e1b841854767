"""Which episodes an audit looks at: a seeded random sample, or the riskiest first.

Risk (docs/chart-audit.md) adds, per episode: its share of the largest episode charge
(0..1, "high dollars"); 1 when any line carries KX (over the therapy threshold, where
Medicare reviews); 1 when its therapist is an outlier (mean charge per visit, or billed
lines per visit without charges, over 1.25 times the clinic's, with at least 5 visits);
2 when a claim of the episode was denied with a documentation CARC (50, 56, 150, 151).
Ties are broken by the episode key, so the same data gives the same sample.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ptrcm.domain.chart_audit.engine import therapist_key
from ptrcm.domain.chart_audit.episodes import Episode
from ptrcm.domain.chart_audit.stored import Candidate

OUTLIER_RATIO = Decimal("1.25")
OUTLIER_MIN_VISITS = 5


@dataclass(frozen=True, slots=True)
class Risk:
    episode_key: str
    score: Decimal
    reasons: tuple[str, ...]


def random_sample(episodes: Sequence[Episode], n: int, seed: int) -> list[Episode]:
    ordered = sorted(episodes, key=lambda e: e.key)
    rng = random.Random(f"ptrcm-chart-audit/{seed}")
    return sorted(rng.sample(ordered, min(n, len(ordered))), key=lambda e: e.key)


def _per_visit(v: Candidate) -> Decimal:
    return v.charge if v.charge > 0 else Decimal(len(v.visit.services))


def outlier_therapists(candidates: Sequence[Candidate]) -> frozenset[str]:
    """Therapists whose mean per visit is over 1.25 times the clinic's (5 visits or more)."""
    if not candidates:
        return frozenset()
    by: dict[str, list[Decimal]] = {}
    for c in candidates:
        by.setdefault(therapist_key(c.visit), []).append(_per_visit(c))
    clinic = sum((_per_visit(c) for c in candidates), Decimal(0)) / len(candidates)
    return frozenset(
        t
        for t, values in by.items()
        if len(values) >= OUTLIER_MIN_VISITS
        and sum(values, Decimal(0)) / len(values) > clinic * OUTLIER_RATIO
    )


def risks(episodes: Sequence[Episode], candidates: Mapping[str, Candidate]) -> list[Risk]:
    """Every episode's risk, riskiest first."""
    outliers = outlier_therapists(list(candidates.values()))
    totals = {
        e.key: sum((candidates[v.visit_id].charge for v in e.visits if v.visit_id in candidates),
                   Decimal(0))
        for e in episodes
    }  # fmt: skip
    top = max(totals.values(), default=Decimal(0))
    out = []
    for e in episodes:
        reasons = []
        score = totals[e.key] / top if top > 0 else Decimal(0)
        if score >= Decimal("0.75"):
            reasons.append("high dollars")
        if any("KX" in (s.modifiers or ()) for v in e.visits for s in v.services):
            score += 1
            reasons.append("KX")
        if any(therapist_key(v) in outliers for v in e.visits):
            score += 1
            reasons.append("outlier therapist")
        if any(candidates[v.visit_id].denial_carcs for v in e.visits if v.visit_id in candidates):
            score += 2
            reasons.append("documentation denial")
        out.append(Risk(e.key, score.quantize(Decimal("0.001")), tuple(reasons)))
    return sorted(out, key=lambda r: (-r.score, r.episode_key))


def risk_sample(
    episodes: Sequence[Episode], candidates: Mapping[str, Candidate], n: int
) -> list[Episode]:
    by_key = {e.key: e for e in episodes}
    return [by_key[r.episode_key] for r in risks(episodes, candidates)[:n]]
