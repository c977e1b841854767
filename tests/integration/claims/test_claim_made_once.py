"""A claim is made once: a visit changed after its claim was made does not change what is
billed, neither at submit nor on the secondary claim (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from ptrcm.bootstrap import build_context
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Service
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.services.ports import SourcedVisit
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.x12.claim837.read import read_837
from tests.integration.posting.builders import (
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)

Billed = list[tuple[str, tuple[str, ...], int, str]]


def _lines(text: str) -> dict[str, Billed]:
    return {
        c.claim_id: [(ln.code, ln.modifiers, ln.units, str(ln.charge.amount)) for ln in c.lines]
        for c in read_837(text)
    }


def _change_stored_visit(store: Store, org: int, record: dict[str, object]) -> None:
    """The stored visit now documents 60 minutes of 97110 (4 units): written the way the
    fixer writes visits, after the claim was made."""
    changed = replace(parse_visit(record), services=(Service("97110", 60),))
    with uow(store, org) as work:
        work.visits.upsert([SourcedVisit(changed, "later edit", None)])
        work.commit()


def test_submit_writes_the_stored_lines_not_the_visit_as_it_is_now(
    store: Store, tmp_path: Path
) -> None:
    ctx = build_context()
    record = visit("V-1", [("97110", 30)])
    record |= {"place_of_service": "11", "plan_of_care": {"start": "2026-02-10",
               "certified_on": "2026-02-12", "through": "2026-05-10"}}  # fmt: skip
    (tmp_path / "v.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    org = store.ensure_organization("clinic")

    def claims_uow():  # type: ignore[no-untyped-def]
        return claims_unit_of_work(store, org, "tester")

    import_visits(claims_uow, tmp_path / "v.jsonl")
    lifecycle.build_claims(claims_uow, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), date(2026, 3, 3))
    scrubbed = lifecycle.scrub_claims(claims_uow, scrubber, ctx.config, ctx.catalog)  # type: ignore[arg-type]
    assert scrubbed.ready == ["V-1"]
    _change_stored_visit(store, org, record)
    (batch,) = lifecycle.submit_claims(claims_uow, ctx.config, ctx.catalog, tmp_path / "out")  # type: ignore[arg-type]
    assert _lines(batch.file.read_text(encoding="ascii")) == {
        "V-1": [("97110", ("GP",), 2, "110.00")]
    }


def test_the_secondary_claim_carries_the_primarys_stored_lines(
    store: Store, tmp_path: Path
) -> None:
    record = visit("V-7", [("97110", 30)], secondary={"payer_id": "MEDICAID", "member_id": "M9"})
    org = seed(store, [record])
    _change_stored_visit(store, org, record)
    primary = clp(
        "V-7", "1", "110.00", "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"),
            line=1, units="2"),
    )  # fmt: skip
    outbox = tmp_path / "outbox"
    result = post(store, org, write(tmp_path, "p.835", remittance([primary], "47.20")), outbox)
    assert result.secondary_claims == ["V-7"] and result.outbox_file is not None
    text = Path(result.outbox_file).read_text(encoding="ascii")
    assert _lines(text) == {"V-7": [("97110", ("GP",), 2, "110.00")]}
