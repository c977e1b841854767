"""One bad visit is held with a finding; the organization's other visits still bill."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ptrcm.analytics.filters import Scope
from ptrcm.analytics.queues import queue_rows
from ptrcm.bootstrap import build_context
from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.errors import InputError
from ptrcm.services.claims import lifecycle
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from tests.builders.visits import commercial


def _visit(visit_id: str, **changes: Any) -> dict[str, Any]:
    plan = {"start": "2026-02-10", "certified_on": "2026-02-12", "through": "2026-05-10"}
    return commercial(visit_id=visit_id, patient_id=f"P-{visit_id}", plan_of_care=plan) | changes


BAD = {
    # 200 million units at $55: more than a stored claim can carry (NUMERIC(12,2)). The
    # import refuses it now (docs/input-limits.md), so it is stored as a visit imported
    # before the limits would be.
    "absurd units": {"services": [{"code": "97110", "minutes": 30, "units": 200_000_000}]},
    "no rendering NPI": {"rendering": {"credential": "PT", "name": "Ana Ruiz"}},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_one_bad_visit_is_held_with_its_reason_and_the_rest_bill(
    store: Store, tmp_path: Path, case: str
) -> None:
    ctx = build_context()
    visits = tmp_path / "visits.jsonl"
    rows = [_visit("V-1"), _visit("V-BAD", **BAD[case]), _visit("V-3")]
    legacy = case == "absurd units"
    visits.write_text(
        "".join(json.dumps(r) + "\n" for r in rows if not (legacy and r["visit_id"] == "V-BAD")),
        encoding="utf-8",
    )
    org = store.ensure_organization("default")

    def uow():  # type: ignore[no-untyped-def]
        return claims_unit_of_work(store, org, "tester")

    import_visits(uow, visits)
    if legacy:
        _store_before_limits(uow, rows[1])
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert sorted(built.built) == ["V-1", "V-3"]
    assert built.held == ["V-BAD"]
    assert [v for v, _ in built.not_billable] == ["V-BAD"]
    with store.engine.connect() as conn:
        (row,) = queue_rows(Scope(conn, org), "scrub-errors")
    assert row.pcn == "V-BAD" and row.code == "C005"
    wanted = "units" if case == "absurd units" else "NPI"
    assert wanted in row.reason and "Test" not in row.reason  # the reason, no patient name
    # scrubbing again keeps it held (its lines were never stored) and the others go ready
    result = lifecycle.scrub_claims(uow, _scrubber(ctx), ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert result.held == ["V-BAD"] and result.ready == ["V-1", "V-3"], result.errors_by_rule
    batches = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, tmp_path / "out")  # type: ignore[arg-type]
    assert [b.claims for b in batches] == [("V-1", "V-3")]


def _store_before_limits(uow: Any, record: dict[str, Any]) -> None:
    """A visit as it was stored before the import held records to the input limits."""
    with uow() as work:
        visit = parse_visit(record, limits=False)
        work.visits.upsert([SourcedVisit(visit, "before the input limits", None)])
        work.commit()


def _scrubber(ctx: Any) -> Any:
    from datetime import date

    from ptrcm.rules.icd10 import Icd10Codes
    from ptrcm.services.claims.scrubbing import Scrubber

    return Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2026, 3, 3))


def test_a_held_visit_without_lines_bills_once_corrected(store: Store, tmp_path: Path) -> None:
    ctx = build_context()
    visits = tmp_path / "visits.jsonl"
    bad = _visit("V-BAD", **BAD["absurd units"])
    visits.write_text(json.dumps(_visit("V-1")) + "\n", "utf-8")
    org = store.ensure_organization("default")

    def uow():  # type: ignore[no-untyped-def]
        return claims_unit_of_work(store, org, "tester")

    import_visits(uow, visits)
    _store_before_limits(uow, bad)
    lifecycle.build_claims(uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no line to bill"):
        lifecycle.release_claim(uow, "V-BAD", "bill it anyway")  # type: ignore[arg-type]
    corrected = tmp_path / "corrected.jsonl"
    corrected.write_text(json.dumps(_visit("V-BAD")) + "\n", "utf-8")
    import_visits(uow, corrected)
    result = lifecycle.scrub_claims(uow, _scrubber(ctx), ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert result.ready == ["V-1", "V-BAD"] and result.held == []
    batches = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, tmp_path / "out")  # type: ignore[arg-type]
    assert [b.claims for b in batches] == [("V-1", "V-BAD")]
    assert [b.total for b in batches] == [Decimal("220.00")]  # 2 claims x 2 units x $55
