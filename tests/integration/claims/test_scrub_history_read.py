"""What a weekly scrub reads of the patients' stored visits (SQLite and PostgreSQL): their
history up to the last target's date of service (a later visit is never history of a
target), and nothing at all for a scrubber without rules. Findings are those a scrub of
the whole history gives."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from ptrcm.bootstrap import build_context
from ptrcm.domain.visits import Visit
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork, claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import visits
from tests.builders.visits import commercial

FIRST = date(2026, 3, 2)
WEEK_1 = date(2026, 3, 8)


def _record(n: int, day: date, patient: str = "P-1") -> dict[str, Any]:
    return commercial(visit_id=f"V-{n}", patient_id=patient, date_of_service=day.isoformat())


def _seeded(store: Store, tmp_path: Path, name: str = "default") -> Any:
    org = store.ensure_organization(name)

    def uow() -> ClaimsUnitOfWork:
        return claims_unit_of_work(store, org, "tester")

    days = [FIRST, FIRST, FIRST + timedelta(days=2), FIRST + timedelta(days=9),
            FIRST + timedelta(days=16)]  # fmt: skip
    path = tmp_path / f"{name}.jsonl"
    lines = [json.dumps(_record(n, d)) + "\n" for n, d in enumerate(days, 1)]
    lines.append(json.dumps(_record(9, FIRST + timedelta(days=1), "P-2")) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    import_visits(uow, path)
    return uow


def _scrubber(rules: Any = None) -> Scrubber:
    ctx = build_context()

    def next_day(visit: Visit) -> date:
        return visit.date_of_service + timedelta(days=1)

    return Scrubber(ctx.config, ctx.catalog, Icd10Codes(), next_day, rules=rules)


def _break(store: Store, visit_ids: list[str], name: str = "default") -> None:
    """Records no parser accepts: reading any of these visits would raise."""
    org = store.organization_id(name)
    with store.engine.begin() as conn:
        for visit_id in visit_ids:
            conn.execute(
                update(visits)
                .where(visits.c.org_id == org, visits.c.external_id == visit_id)
                .values(record={"visit_id": visit_id})
            )


def _outcome(result: lifecycle.ScrubResult) -> tuple[Any, ...]:
    return result.scrubbed, result.ready, result.held, result.errors_by_rule, result.fixed


def test_history_is_read_through_the_given_day(store: Store, tmp_path: Path) -> None:
    uow = _seeded(store, tmp_path)
    with uow() as work:
        every = work.lifecycle.visits_of_patients(["P-1"])
        week = work.lifecycle.visits_of_patients(["P-1", "P-2"], through=WEEK_1)
    assert [v.visit_id for v in every] == ["V-1", "V-2", "V-3", "V-4", "V-5"]
    assert [v.visit_id for v in week] == ["V-1", "V-2", "V-3", "V-9"]


def test_a_weekly_scrub_reads_no_visit_after_its_last_target(store: Store, tmp_path: Path) -> None:
    ctx = build_context()
    whole, cut = _seeded(store, tmp_path, "whole"), _seeded(store, tmp_path, "cut")
    for uow in (whole, cut):
        lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=WEEK_1)
    _break(store, ["V-4", "V-5"], "cut")  # the next weeks' visits: never read
    expected = lifecycle.scrub_claims(whole, _scrubber(), ctx.config, ctx.catalog, fix=True)
    result = lifecycle.scrub_claims(cut, _scrubber(), ctx.config, ctx.catalog, fix=True)
    assert _outcome(result) == _outcome(expected)
    assert result.scrubbed == 4 and result.errors_by_rule  # the rules found something


def test_a_scrubber_without_rules_reads_no_history(store: Store, tmp_path: Path) -> None:
    ctx = build_context()
    uow = _seeded(store, tmp_path)
    lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=FIRST)  # V-1 and V-2
    lifecycle.scrub_claims(uow, _scrubber(), ctx.config, ctx.catalog)
    lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=WEEK_1)  # V-3 and V-9
    _break(store, ["V-1", "V-2", "V-4", "V-5"])  # every visit but the targets
    result = lifecycle.scrub_claims(
        uow, _scrubber(rules=()), ctx.config, ctx.catalog, states=(lifecycle.ClaimState.BUILT,)
    )
    assert result.scrubbed == 2 and result.ready == ["V-3", "V-9"]
