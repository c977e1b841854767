"""The weekly build's read of unbilled visits, chosen in SQL (SQLite and PostgreSQL): the
same visits the build used to keep in Python after reading them all (dated through the
week, not self-pay, no claim with the visit's CLM01), and no other record is read."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import update

from ptrcm.bootstrap import build_context
from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.services.claims import lifecycle
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import ClaimsUnitOfWork, claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import visits
from tests.builders.visits import commercial

WEEK_1, WEEK_2 = date(2026, 3, 7), date(2026, 3, 14)
SELF_PAY = ["SELF_PAY"]
# visit id, date of service, payer: ids whose CLM01 is the id itself, and ids it is not
# (lower case, punctuation, longer than 17 characters: a cleaned prefix and a hash)
VISITS = [
    ("V-1", "2026-03-02", "COMMERCIAL"),
    ("v-lower.2", "2026-03-03", "MEDICARE"),
    ("V-SELF-3", "2026-03-03", "SELF_PAY"),
    ("V-LONGER-THAN-17-CHARS-4", "2026-03-04", "COMMERCIAL"),
    ("V-5", "2026-03-09", "COMMERCIAL"),  # the next week
    ("v_self.6", "2026-03-10", "SELF_PAY"),
    ("V-7", "2026-03-05", "COMMERCIAL"),  # no rendering NPI: its claim is built held
]


def _record(visit_id: str, day: str, payer: str) -> dict[str, Any]:
    rendering = {"credential": "PT", "name": "Ana Ruiz"}
    return commercial(
        visit_id=visit_id,
        patient_id=f"P-{visit_id}",
        date_of_service=day,
        payer_id=payer,
        rendering=rendering | ({} if visit_id == "V-7" else {"npi": "1234567893"}),
    )


def _seeded(store: Store, tmp_path: Path) -> Any:
    org = store.ensure_organization("default")

    def uow() -> ClaimsUnitOfWork:
        return claims_unit_of_work(store, org, "tester")

    path = tmp_path / "visits.jsonl"
    path.write_text("".join(json.dumps(_record(*v)) + "\n" for v in VISITS), encoding="utf-8")
    assert import_visits(uow, path).imported == len(VISITS)
    return uow


def _kept_in_python(uow: Any, through: date | None) -> tuple[list[str], list[str]]:
    """What the build kept before: every stored visit read, then filtered in Python."""
    with uow() as work:
        billed = {h.pcn for h in work.lifecycle.claims_in()}
        every = work.lifecycle.visits_by_id(v for v, _d, _p in VISITS)
    stored = [every[v] for v, _d, _p in VISITS if v in every]
    unbilled = [
        v
        for v in stored
        if claim_id_for(v.visit_id) not in billed
        and (through is None or v.date_of_service <= through)
    ]
    return (
        [v.visit_id for v in unbilled if v.payer_id not in SELF_PAY],
        [v.visit_id for v in unbilled if v.payer_id in SELF_PAY],
    )


def _read(uow: Any, through: date | None) -> tuple[list[str], list[str]]:
    with uow() as work:
        billable = work.lifecycle.unbilled_visits(through, skip_payers=SELF_PAY)
        self_pay = work.lifecycle.unbilled_visit_ids(through, payers=SELF_PAY)
    return [v.visit_id for v in billable], self_pay


def test_the_query_keeps_the_visits_the_python_filter_kept(store: Store, tmp_path: Path) -> None:
    uow = _seeded(store, tmp_path)
    ctx = build_context()
    with uow() as work:  # no payer skipped: the self-pay visit too
        every = [v.visit_id for v in work.lifecycle.unbilled_visits(WEEK_1)]
        assert work.lifecycle.unbilled_visit_ids(WEEK_1) == []
    assert every == ["V-1", "v-lower.2", "V-SELF-3", "V-LONGER-THAN-17-CHARS-4", "V-7"]
    assert _read(uow, WEEK_1) == _kept_in_python(uow, WEEK_1)
    assert _read(uow, WEEK_1) == (
        ["V-1", "v-lower.2", "V-LONGER-THAN-17-CHARS-4", "V-7"],
        ["V-SELF-3"],
    )
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=WEEK_1)
    assert sorted(built.built + built.held) == sorted(
        claim_id_for(v) for v in ("V-1", "v-lower.2", "V-LONGER-THAN-17-CHARS-4", "V-7")
    )
    assert built.held == ["V-7"] and built.self_pay_visits == ["V-SELF-3"]
    # billed now, under the visit id itself and under a cleaned, hashed CLM01
    for through in (WEEK_1, WEEK_2, None):
        assert _read(uow, through) == _kept_in_python(uow, through)
    assert _read(uow, WEEK_1) == ([], ["V-SELF-3"])
    assert _read(uow, None) == (["V-5"], ["V-SELF-3", "v_self.6"])
    again = lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=WEEK_2)
    assert again.built == ["V-5"] and again.self_pay == 2
    assert _read(uow, None) == ([], ["V-SELF-3", "v_self.6"])


def test_visits_the_week_does_not_bill_are_not_read(store: Store, tmp_path: Path) -> None:
    uow = _seeded(store, tmp_path)
    ctx = build_context()
    lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=date(2026, 3, 2))  # V-1
    # records no parser accepts: reading any of these visits would raise
    broken = ["V-1", "V-SELF-3", "V-5", "v_self.6"]
    with store.engine.begin() as conn:
        for visit_id in broken:
            conn.execute(
                update(visits)
                .where(visits.c.external_id == visit_id)
                .values(record={"visit_id": visit_id})
            )
    assert _read(uow, WEEK_1) == (
        ["v-lower.2", "V-LONGER-THAN-17-CHARS-4", "V-7"],
        ["V-SELF-3"],
    )
    built = lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=WEEK_1)
    assert built.self_pay == 1 and len(built.built) + len(built.held) == 3
