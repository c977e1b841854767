"""Systemic-denial detection: false alarms over many normal months and detection delay of
spikes, against a naive ratio rule measured in the same run (docs/benchmarks.md).

    .venv/bin/python benchmarks/denial_spikes.py [--months 200] [--spikes 100]

Each month: 60 baseline days then 30 days watched, four payers (40, 30, 20, 15 claims a
business day), usual reasons CO-50 2%, CO-16 3%, CO-197/96/97 1% each
(``synth.denial_months``). A spike month: one payer (rotating) denies CO-197 on a share of
its claims from a random business day of the watched month. The detector is
``domain.alerts.detect`` with its default thresholds; the baseline is the naive rule
"the day's rate of a reason is at least twice its 60-day rate and at least 3 claims".
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ptrcm.domain.alerts.detect import DayCounts, detect, new_events
from ptrcm.domain.deadlines import is_business_day
from ptrcm.synth.denial_months import MonthPlan, Spike, last_answers, simulate

START = date(2026, 1, 5)
WATCH = date(2026, 3, 2)
DAYS = 30
PAYERS = ("MEDICARE", "BCBS", "AETNA", "MEDICAID")


def naive(history: list[DayCounts], day: date) -> list[tuple[str, str]]:
    found = []
    for counts in (d for d in history if d.day == day):
        base = [
            d for d in history if d.payer == counts.payer and day - timedelta(60) <= d.day < day
        ]
        n0 = sum(d.claims for d in base) or 1
        for reason, x in counts.reasons.items():
            p0 = sum(d.reasons.get(reason, 0) for d in base) / n0
            if x >= 3 and counts.claims and x / counts.claims >= 2 * p0:
                found.append((counts.payer, reason))
    return found


def watch(history: list[DayCounts], rule: Callable[[list[DayCounts], date], list]) -> list:
    out = []
    open_keys: set = set()
    for offset in range(DAYS):
        day = WATCH + timedelta(days=offset)
        known = [d for d in history if d.day <= day]
        if not any(d.day == day for d in known):
            continue
        if rule is naive:
            for key in naive(known, day):
                if key not in open_keys:
                    open_keys.add(key)
                    out.append((day, *key))
        else:
            for e in new_events(detect(known, last_answers(known, day), day), open_keys):
                out.append((e.day, e.payer, e.reason or str(e.kind)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=200)
    parser.add_argument("--spikes", type=int, default=100)
    args = parser.parse_args()
    span = (WATCH - START).days + DAYS
    began = time.perf_counter()
    for name, rule in (("detector (binomial, Bonferroni)", detect), ("naive 2x rule", naive)):
        alarms = [
            len(watch(simulate(MonthPlan(), START, span, seed), rule))
            for seed in range(args.months)
        ]
        with_alarm = sum(1 for a in alarms if a)
        print(
            f"{name:<34} normal months {args.months}: months with a false alarm {with_alarm}"
            f" ({with_alarm / args.months:.1%}), false alarms {sum(alarms)}"
        )
    rng = random.Random(7)
    watch_days = [
        WATCH + timedelta(days=i) for i in range(DAYS) if is_business_day(WATCH + timedelta(days=i))
    ]
    for share in (0.30, 0.15, 0.10):
        delays, missed, extra = [], 0, 0
        for seed in range(args.spikes):
            payer = PAYERS[seed % len(PAYERS)]
            start = rng.choice(watch_days[:-5])
            events = watch(
                simulate(
                    MonthPlan(spike=Spike(payer, "CO-197", share, start)), START, span, 1000 + seed
                ),
                detect,
            )
            hits = [e for e in events if e[1] == payer and e[2] == "CO-197" and e[0] >= start]
            extra += len(events) - len(hits[:1])
            if not hits:
                missed += 1
            else:
                delays.append(sum(1 for d in watch_days if start <= d < hits[0][0]))
        first_day = sum(1 for d in delays if d == 0)
        median = statistics.median(delays) if delays else None
        print(
            f"spike CO-197 at {share:.0%}: {args.spikes} months, found on its first day"
            f" {first_day} ({first_day / args.spikes:.0%}), median delay {median} business"
            f" days, missed {missed}, other events {extra}"
        )
    print(f"({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
