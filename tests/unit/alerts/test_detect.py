"""Systemic-denial detectors (docs/alerts.md): a spike month raises one event on the
spike's first day; a normal month raises none; silence and first-pass drops."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ptrcm.domain.alerts.detect import (
    DayCounts,
    EventKind,
    binomial_tail,
    detect,
    first_pass_drops,
    new_events,
    silent_payers,
)
from ptrcm.synth.denial_months import MonthPlan, Spike, last_answers, simulate

HISTORY_START = date(2026, 1, 5)  # a Monday: 60 baseline days, then the month watched
MONTH_START = date(2026, 3, 2)  # a Monday
MONTH_DAYS = 30


def run_month(plan: MonthPlan, seed: int) -> list:
    history = simulate(plan, HISTORY_START, (MONTH_START - HISTORY_START).days + MONTH_DAYS, seed)
    open_keys: set = set()
    raised = []
    for offset in range(MONTH_DAYS):
        day = MONTH_START + timedelta(days=offset)
        known = [d for d in history if d.day <= day]
        if not any(d.day == day for d in known):
            continue  # weekend: nothing arrived
        raised += new_events(detect(known, last_answers(known, day), day), open_keys)
    return raised


def test_binomial_tail_exact_values() -> None:
    assert binomial_tail(0, 10, 0.3) == 1.0
    assert binomial_tail(11, 10, 0.3) == 0.0
    assert binomial_tail(10, 10, 0.5) == pytest.approx(0.5**10)
    assert binomial_tail(1, 3, 0.5) == pytest.approx(1 - 0.125)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_co197_spike_raises_one_event_on_its_first_day(seed: int) -> None:
    start = date(2026, 3, 11)  # a Wednesday
    plan = MonthPlan(spike=Spike("BCBS", "CO-197", 0.30, start))
    events = run_month(plan, seed)
    assert [(e.kind, e.payer, e.reason, e.day) for e in events] == [
        (EventKind.REASON_SPIKE, "BCBS", "CO-197", start)
    ]
    assert events[0].evidence and all(i.startswith("BCBS-20260311") for i in events[0].evidence)


@pytest.mark.parametrize("seed", range(10, 20))
def test_a_normal_month_raises_none(seed: int) -> None:
    assert run_month(MonthPlan(), seed) == []


def test_a_payer_that_stops_answering() -> None:
    day = date(2026, 3, 13)  # Friday
    events = silent_payers({"BCBS": date(2026, 3, 5), "AETNA": date(2026, 3, 12)}, day)
    assert [(e.kind, e.payer) for e in events] == [(EventKind.PAYER_SILENT, "BCBS")]
    assert "6 business days" in events[0].summary


def test_a_sudden_first_pass_drop() -> None:
    base = [DayCounts("P", date(2026, 1, 1) + timedelta(days=i), 30, 28) for i in range(60)]
    recent = [DayCounts("P", date(2026, 3, 2) + timedelta(days=i), 30, 20) for i in range(7)]
    (event,) = first_pass_drops(base + recent, date(2026, 3, 8))
    assert event.kind is EventKind.FIRST_PASS_DROP and event.p_value is not None
    assert first_pass_drops(base, date(2026, 3, 1)) == []
