"""Chart audits on SQLite and PostgreSQL: sample, score, store with the criteria version,
re-audit after a corrected note is re-imported, and keep each organization's own."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ptrcm.domain.chart_audit.criteria import load_criteria
from ptrcm.services.chart_audit.audits import latest_round, reaudit, show, start_audit
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.repository import Store
from ptrcm.store.tables import audit_log
from tests.builders.episodes import episode_records

START, END = date(2026, 3, 1), date(2026, 3, 31)


def _write(tmp_path: Path, records: list[dict[str, Any]], name: str) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _unsigned_note(rec: dict[str, Any]) -> None:
    rec["documentation"]["daily_note"].pop("signature")


def _import(store: Store, org: int, path: Path) -> None:
    import_visits(partial(store.unit_of_work, org, "test"), path, as_of=date(2026, 4, 1))  # type: ignore[arg-type]


def test_an_audit_is_stored_and_a_corrected_record_passes_on_reaudit(
    store: Store, tmp_path: Path
) -> None:
    org = store.create_organization("clinic-a")
    _import(store, org, _write(tmp_path, episode_records(12, {5: _unsigned_note}), "a.jsonl"))
    with store.unit_of_work(org, "auditor") as uow:
        run = start_audit(uow, start=START, end=END, method="random", episodes=3, seed=7)
    assert run.episodes == 1 and len(run.scores) == 12
    failed = [s.visit_id for s in run.scores if not s.passed]
    assert failed == ["V-5"]
    with store.unit_of_work(org, "auditor") as uow:
        audit, results = show(uow, run.audit_id)
    assert audit.spec.criteria_version == load_criteria().version
    assert {r.criteria_version for r in results} == {load_criteria().version}
    assert [r.findings for r in results if r.visit_id == "V-5"] == [(("TN06", "significant"),)]

    _import(store, org, _write(tmp_path, episode_records(12), "corrected.jsonl"))
    with store.unit_of_work(org, "auditor") as uow:
        second = reaudit(uow, run.audit_id)
        _, results = show(uow, run.audit_id)
    assert second.round == 2 and all(s.passed for s in second.scores)
    assert len(results) == 24  # round 1 is kept
    assert all(r.passed for r in latest_round(results))
    with store.engine.connect() as conn:
        reads = conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.actor == "auditor", audit_log.c.action == "read")
        ).scalar_one()
    assert reads >= 2  # each reading of the patient's visits is in the trail


def test_another_organization_sees_none_of_the_audit(store: Store, tmp_path: Path) -> None:
    org_a = store.create_organization("clinic-a")
    org_b = store.create_organization("clinic-b")
    _import(store, org_a, _write(tmp_path, episode_records(12), "a.jsonl"))
    with store.unit_of_work(org_a, "auditor") as uow:
        run = start_audit(uow, start=START, end=END, method="risk", episodes=5)
    with store.unit_of_work(org_b, "auditor") as uow:
        assert uow.chart_audits.get(run.audit_id) is None
        assert uow.chart_audits.results() == []
        assert uow.chart_audits.candidates(START, END) == []
