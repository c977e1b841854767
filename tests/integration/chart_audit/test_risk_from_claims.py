"""Risk facts read from the store: a visit's charges and the documentation CARCs of its
denied claim (CO-50 here), so risk sampling puts that episode first. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ptrcm.services.chart_audit.audits import start_audit
from ptrcm.store.repository import Store
from tests.integration.posting.builders import cas, clp, post, remittance, seed, svc, visit, write

DENIED = clp(
    "V-1", "4", "110.00", "0.00",
    svc("97110", "110.00", "0.00", cas("CO", "50", "110.00"), line=1, remarks=("N115",)),
)  # fmt: skip


def test_a_documentation_denial_and_the_charge_reach_the_candidates(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, [visit("V-1", [("97110", 30)]), visit("V-2", [("97110", 30)])])
    post(store, org, write(tmp_path, "denied.835", remittance([DENIED], "0.00")))
    with store.unit_of_work(org, "auditor") as uow:
        found = {c.visit.visit_id: c for c in uow.chart_audits.candidates(
            date(2026, 3, 1), date(2026, 3, 31))}  # fmt: skip
        assert found["V-1"].denial_carcs == frozenset({"50"})
        assert found["V-2"].denial_carcs == frozenset()
        assert found["V-1"].charge == Decimal("110.00")
        run = start_audit(uow, start=date(2026, 3, 1), end=date(2026, 3, 31), method="risk",
                          episodes=1)  # fmt: skip
    assert [s.visit_id for s in run.scores] == ["V-1"]
