"""The systemic-denial detectors' input from the store (both backends), and a scan that
records an event with its escalation, once (docs/alerts.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ptrcm.analytics import Scope
from ptrcm.analytics.denial_days import day_counts, last_answers
from ptrcm.domain.alerts.detect import DayCounts, EventKind
from ptrcm.domain.alerts.settings import Escalation
from ptrcm.services.alerts.scan import scan
from ptrcm.store.repository import Store, UnitOfWork
from ptrcm.synth.denial_months import MonthPlan, Spike, simulate


def test_day_counts_of_the_march_clinic(march: Scope) -> None:
    got = day_counts(march, date(2026, 2, 1), date(2026, 3, 31))
    assert [(d.day.isoformat(), d.payer, d.claims, d.first_pass, dict(d.reasons)) for d in got] == [
        ("2026-02-20", "MCR", 1, 1, {}),
        ("2026-03-05", "MCR", 1, 1, {}),
        ("2026-03-10", "MCR", 1, 1, {}),
        ("2026-03-12", "MCR", 1, 0, {"CO-50": 1}),
        ("2026-03-15", "BCBS", 1, 0, {"CO-197": 1}),
        ("2026-03-20", "BCBS", 1, 1, {}),
        ("2026-03-25", "MCR", 1, 0, {"CO-50": 1}),
    ]
    assert got[3].claim_ids == {"CO-50": ("C2",)}
    assert last_answers(march, date(2026, 3, 31)) == {
        "MCR": date(2026, 3, 25),
        "BCBS": date(2026, 3, 20),
    }
    assert last_answers(march, date(2026, 3, 14)) == {"MCR": date(2026, 3, 12)}


def test_a_scan_records_a_spike_once_with_its_escalation(store: Store) -> None:
    org = store.create_organization("alerts", "Alerts clinic")
    spike_day = date(2026, 3, 11)
    history: list[DayCounts] = simulate(
        MonthPlan(spike=Spike("BCBS", "CO-197", 0.30, spike_day)), date(2026, 1, 5), 70, seed=1
    )
    known = [d for d in history if d.day <= spike_day]
    last = {p: spike_day for p in ("MEDICARE", "BCBS", "AETNA", "MEDICAID")}
    now = datetime(2026, 3, 11, 18, 0, tzinfo=UTC)

    def work() -> UnitOfWork:
        return UnitOfWork(store.engine, org, "user:lead")

    first = scan(work, "alerts", spike_day, known, last, now,
                 escalation=Escalation("Dana (billing manager)", 8))  # fmt: skip
    assert [(s.event.kind, s.event.payer, s.event.reason) for s in first.recorded] == [
        (EventKind.REASON_SPIKE, "BCBS", "CO-197")
    ]
    assert first.failures == ()
    again = scan(work, "alerts", spike_day, known, last, now)
    assert again.recorded == ()  # still open: not raised twice
    with work() as uow:
        (stored,) = uow.alerts.events()
        assert (stored.owner, stored.due_at, stored.status) == (
            "Dana (billing manager)", now + timedelta(hours=8), "open")  # fmt: skip
        assert stored.event.evidence and stored.event.summary.startswith("CO-197 on ")
        assert uow.alerts.set_status(stored.id, "closed", None)
        uow.commit()
    next_day = spike_day + timedelta(days=1)
    later = [d for d in history if d.day <= next_day]
    reopened = scan(work, "alerts", next_day, later, {p: next_day for p in last}, now)
    assert [s.event.reason for s in reopened.recorded] == ["CO-197"]  # closed, so raised again
