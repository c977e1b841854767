"""Synthetic months of remittances for the systemic-denial detectors (tests, benchmark).

Each payer answers on business days only, a claim count per day drawn around its volume;
each claim is denied for at most one reason, drawn from the payer's usual reason rates, so
the first-pass count is the claims with no reason. A spike makes one payer deny a
reason on a share of its claims from a given day. Seeded: same arguments, same months.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ptrcm.domain.alerts.detect import DayCounts
from ptrcm.domain.deadlines import is_business_day

USUAL_REASONS = {"CO-50": 0.02, "CO-16": 0.03, "CO-197": 0.01, "CO-96": 0.01, "CO-97": 0.01}


@dataclass(frozen=True, slots=True)
class Spike:
    payer: str
    reason: str
    share: float
    start: date


@dataclass(frozen=True, slots=True)
class MonthPlan:
    payers: Mapping[str, int] = field(
        default_factory=lambda: {"MEDICARE": 40, "BCBS": 30, "AETNA": 20, "MEDICAID": 15}
    )
    reasons: Mapping[str, float] = field(default_factory=lambda: dict(USUAL_REASONS))
    spike: Spike | None = None


def simulate(plan: MonthPlan, first: date, days: int, seed: int) -> list[DayCounts]:
    rng = random.Random(seed)
    out: list[DayCounts] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if not is_business_day(day):
            continue
        for payer, volume in sorted(plan.payers.items()):
            claims = max(0, round(rng.gauss(volume, volume**0.5)))
            counts: dict[str, int] = {}
            ids: dict[str, list[str]] = {}
            spike = plan.spike if plan.spike and plan.spike.payer == payer else None
            for number in range(claims):
                reason = _reason(rng, plan.reasons, spike if spike and day >= spike.start else None)
                if reason is not None:
                    counts[reason] = counts.get(reason, 0) + 1
                    ids.setdefault(reason, []).append(f"{payer}-{day:%Y%m%d}-{number}")
            denied = sum(counts.values())
            out.append(DayCounts(payer, day, claims, claims - denied, counts,
                                 {r: tuple(v) for r, v in ids.items()}))  # fmt: skip
    return out


def _reason(rng: random.Random, reasons: Mapping[str, float], spike: Spike | None) -> str | None:
    if spike is not None and rng.random() < spike.share:
        return spike.reason
    draw = rng.random()
    for reason, rate in sorted(reasons.items()):
        if draw < rate:
            return reason
        draw -= rate
    return None


def last_answers(history: Sequence[DayCounts], through: date) -> dict[str, date]:
    last: dict[str, date] = {}
    for d in history:
        if d.day <= through and d.claims > 0:
            last[d.payer] = max(last.get(d.payer, d.day), d.day)
    return last
