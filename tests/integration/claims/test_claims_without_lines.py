"""Claims read without their lines (what acknowledgments need: ids, states, totals) are the
same records as with them, lines left empty (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ptrcm.bootstrap import build_context
from ptrcm.services.claims import lifecycle
from ptrcm.store.repository import Store
from tests.integration.claims.test_unbilled_visits_query import WEEK_1, _seeded


def test_claims_without_lines_are_the_claims_less_their_lines(store: Store, tmp_path: Path) -> None:
    ctx = build_context()
    uow = _seeded(store, tmp_path)
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=WEEK_1)
    lifecycle.scrub_claims(uow, _scrubber(ctx), ctx.config, ctx.catalog)
    batches = lifecycle.submit_claims(uow, ctx.config, ctx.catalog, tmp_path / "out")
    with uow() as work:
        full = work.claims.by_pcn(built.built)
        bare = work.claims.by_pcn(built.built, with_lines=False)
        ids = [b["id"] for b in sorted(work.claims.batches(), key=lambda b: b["id"])]
        sent = [work.claims.by_batch(i, with_lines=False) for i in ids]
    assert all(r.lines for r in full.values())
    assert bare == {pcn: replace(r, lines=()) for pcn, r in full.items()}
    assert len(sent) == len(batches) >= 2
    for records, batch in zip(sent, batches, strict=True):
        assert sorted(r.pcn for r in records) == sorted(batch.claims)
        assert all(r == replace(full[r.pcn], lines=()) for r in records)


def _scrubber(ctx: object) -> lifecycle.Scrubber:
    from datetime import date

    from ptrcm.rules.icd10 import Icd10Codes

    # no rules: every claim an 837 can carry goes ready, so the batch has claims in it
    return lifecycle.Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2026, 3, 9), rules=())  # type: ignore[attr-defined]
