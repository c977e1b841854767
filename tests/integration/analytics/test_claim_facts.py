"""Claim facts are kept by the writers, in the writing transaction, and equal a rebuild.

Claim V-1 (Medicare, 2026-03-02) bills 97110 110.00 and 97140 56.00: 166.00. The 835 of
2026-03-20 pays 47.20 on 97110 (CO-45 51.00 contractual, PR-2 11.80 coinsurance) and
denies 97140 as bundled (CO-97 56.00). Reductions 47.20 + 51.00 + 11.80 = 110.00, so the
balance left is 166.00 - 110.00 = 56.00: the denied dollars stay in A/R.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from ptrcm.analytics import Scope, compute_kpis
from ptrcm.cli import app
from ptrcm.services.remittance.posting import PostingOptions, post_remittance
from ptrcm.store.claim_facts import refresh_all_claim_facts
from ptrcm.store.money_in_uow import MoneyInUnitOfWork
from ptrcm.store.repository import Store, UnitOfWork
from ptrcm.store.tables import (
    adjudication_rollup,
    ar_rollup_charges,
    ar_rollup_reductions,
    claim_fact_denials,
    claim_fact_payments,
    claim_facts,
    claim_payments,
    denial_rollup,
    lag_rollup,
    organizations,
    revenue_rollup,
)
from ptrcm.store.tenants import Tenants
from tests.integration.analytics.clinic import Clinic
from tests.integration.analytics.conftest import MARCH, build_march
from tests.integration.posting.builders import CONTEXT, NOW, cas, clp, remittance, seed, svc, write
from tests.integration.posting.builders import visit as visit_record

D = Decimal
ROLLUPS = (ar_rollup_charges, ar_rollup_reductions, revenue_rollup, lag_rollup,
           adjudication_rollup, denial_rollup)  # kept too  # fmt: skip
WATCHED = ("state", "first_adjudicated_on", "first_adj_status", "first_adj_denied",
           "first_adj_denied_amount", "first_pass", "payer_paid", "contractual",
           "patient_responsibility", "denied_total", "reductions", "balance")  # fmt: skip


def _facts(conn: Connection, org_id: int) -> dict[str, Any]:
    row = conn.execute(select(claim_facts).where(claim_facts.c.org_id == org_id)).one()
    return {name: row._mapping[name] for name in WATCHED}


class Watched(MoneyInUnitOfWork):
    """A unit of work that reads the facts through its own connection when committing (after
    the read model is refreshed, before the transaction commits), and can be told to fail
    there instead of committing."""

    seen: ClassVar[list[dict[str, Any]]] = []
    fail: ClassVar[bool] = False

    def commit(self) -> None:
        self.refresh_read_model()  # what commit does first; then look before committing
        Watched.seen.append(_facts(self.connection, self.org_id))
        if Watched.fail:
            raise RuntimeError("the disk is full")
        super().commit()


def _post(store: Store, org_id: int, path: Path) -> None:
    options = PostingOptions(CONTEXT.config, CONTEXT.catalog, None)
    post_remittance(lambda: Watched(store.engine, org_id, "test", lambda: NOW), path, options)


def _remit(tmp_path: Path) -> Path:
    claim = clp(
        "V-1", "1", "166.00", "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
        svc("97140", "56.00", "0.00", cas("CO", "97", "56.00"), line=2),
        responsibility="11.80",
    )  # fmt: skip
    return write(tmp_path, "a.835", remittance([claim], "47.20"))


@pytest.fixture
def submitted(store: Store) -> int:
    org = seed(store, [visit_record("V-1", [("97110", 30), ("97140", 15)])])
    with store.engine.begin() as conn:
        refresh_all_claim_facts(conn, org)
    Watched.seen, Watched.fail = [], False
    return org


BEFORE = {
    "state": "submitted", "first_adjudicated_on": None, "first_adj_status": None,
    "first_adj_denied": None, "first_adj_denied_amount": None, "first_pass": None,
    "payer_paid": D("0.00"), "contractual": D("0.00"), "patient_responsibility": D("0.00"),
    "denied_total": D("0.00"), "reductions": D("0.00"), "balance": D("166.00"),
}  # fmt: skip


def test_posting_rewrites_the_claims_facts_inside_its_own_transaction(
    store: Store, submitted: int, tmp_path: Path
) -> None:
    with store.engine.connect() as conn:
        assert _facts(conn, submitted) == BEFORE
    _post(store, submitted, _remit(tmp_path))
    after = {
        "state": "partially_paid", "first_adjudicated_on": date(2026, 3, 20),
        "first_adj_status": "1", "first_adj_denied": True,
        "first_adj_denied_amount": D("56.00"), "first_pass": False, "payer_paid": D("47.20"),
        "contractual": D("51.00"), "patient_responsibility": D("11.80"),
        "denied_total": D("56.00"), "reductions": D("110.00"), "balance": D("56.00"),
    }  # fmt: skip
    assert Watched.seen == [after]  # already rewritten when the posting commits
    with store.engine.connect() as conn:
        assert _facts(conn, submitted) == after
        denials = conn.execute(
            select(claim_fact_denials.c.carc, claim_fact_denials.c.amount).where(
                claim_fact_denials.c.org_id == submitted
            )
        ).all()
    assert [tuple(r) for r in denials] == [("97", D("56.00"))]


def test_a_posting_that_fails_leaves_the_facts_as_they_were(
    store: Store, submitted: int, tmp_path: Path
) -> None:
    Watched.fail = True
    with pytest.raises(RuntimeError, match="disk is full"):
        _post(store, submitted, _remit(tmp_path))
    assert Watched.seen[0]["balance"] == D("56.00")  # written, then rolled back with the rest
    with store.engine.connect() as conn:
        assert _facts(conn, submitted) == BEFORE
        assert conn.execute(select(claim_payments.c.id)).all() == []


def _snapshot(conn: Connection) -> list[list[tuple[Any, ...]]]:
    return [
        sorted(tuple(r) for r in conn.execute(select(t))) for t in (claim_facts, claim_fact_denials)
    ]


@pytest.mark.slow
def test_facts_kept_through_a_demo_equal_facts_rebuilt_from_scratch(
    db_url: str, tmp_path: Path
) -> None:
    # Seed 7: a small clinic whose payers deny some claims, so the denial facts are compared
    # too (with assistants billed by CMS's per-unit rule, seed 5's only denial went away).
    args = ["demo", "--db", db_url, "--out", str(tmp_path / "out"), "--patients", "30",
            "--months", "2", "--seed", "7"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    store = Store.open(db_url)
    with store.engine.begin() as conn:
        kept = _snapshot(conn)
        for (org_id,) in conn.execute(select(organizations.c.id)):
            refresh_all_claim_facts(conn, org_id)
        rebuilt = _snapshot(conn)
    store.close()
    adjudicated = [row for row in kept[0] if row[claim_facts.c.keys().index("first_adj_status")]]
    assert len(kept[0]) > 100 and len(adjudicated) > 50 and kept[1]
    assert kept == rebuilt


def test_refresh_facts_command_rebuilds_facts_lost_or_never_written(
    store: Store, db_url: str
) -> None:
    # The March clinic: 7 claims; 5 first adjudicated in March, 1 passed first time (0.2000).
    org = store.create_organization("raw", "Raw rows")
    with store.engine.begin() as conn:
        build_march(Clinic(conn, org))
        for table in (claim_facts, claim_fact_denials, claim_fact_payments):
            conn.execute(delete(table).where(table.c.org_id == org))
    with store.engine.connect() as conn:
        assert compute_kpis(Scope(conn, org), MARCH, MARCH.end).first_pass_rate.rate is None
    result = CliRunner().invoke(app, ["db", "refresh-facts", "--db", db_url, "--org", "raw"])
    assert result.exit_code == 0, result.output
    assert "raw: facts for 7 claims" in result.stdout
    with store.engine.connect() as conn:
        report = compute_kpis(Scope(conn, org), MARCH, MARCH.end)
    assert report.first_pass_rate.rate == D("0.2000")
    assert report.days_in_ar.days == D("62.6")


def test_every_commit_of_a_demo_leaves_the_facts_equal_to_a_rebuild(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No write path has to remember the read model: after each commit of a small demo
    (claims built, scrubbed, submitted, acknowledged, paid, denied, appealed), the kept
    facts of the organization (and their rollups) equal a rebuild from its rows at that
    moment. A write path
    whose writes do not note the claims they change (``touch_claims``), or a unit of work
    that commits without refreshing, leaves facts behind and fails here. (The demo
    defers the refresh to the end of each run; here it refreshes at every commit, so each
    commit can be checked. The deferred run is checked by the test above.)"""
    monkeypatch.setattr(Tenants, "facts_deferred", lambda self: nullcontext())
    real_commit = UnitOfWork.commit
    checked: list[int] = []

    def commit(self: UnitOfWork) -> None:
        real_commit(self)
        conn = self.connection
        kept = _snapshot_of(conn, self.org_id)
        rebuild = conn.begin_nested()
        refresh_all_claim_facts(conn, self.org_id)
        rebuilt = _snapshot_of(conn, self.org_id)
        rebuild.rollback()
        assert kept == rebuilt, f"facts stale after commit {len(checked) + 1}"
        checked.append(len(kept[0]))

    monkeypatch.setattr(UnitOfWork, "commit", commit)
    args = ["demo", "--db", db_url, "--out", str(tmp_path / "out"), "--patients", "8",
            "--months", "1", "--seed", "3"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(checked) > 5 and max(checked) > 10  # commits seen, with claims in them


def _snapshot_of(conn: Connection, org_id: int) -> list[list[tuple[Any, ...]]]:
    tables = (claim_facts, claim_fact_denials, claim_fact_payments, *ROLLUPS)
    return [
        sorted(tuple(r) for r in conn.execute(select(t).where(t.c.org_id == org_id)))
        for t in tables
    ]


def test_deferred_facts_are_left_alone_at_each_commit_and_written_when_the_block_ends(
    store: Store, submitted: int, tmp_path: Path
) -> None:
    # The demo's bulk load: commits inside ``facts_deferred`` skip the refresh; leaving it
    # rewrites the noted claims' facts once, to what a refresh at each commit would give.
    tenants = Tenants(store)
    options = PostingOptions(CONTEXT.config, CONTEXT.catalog, None)
    with tenants.facts_deferred():
        post_remittance(
            lambda: tenants.unit_of_work(submitted, "test", lambda: NOW), _remit(tmp_path), options
        )
        with store.engine.connect() as conn:
            assert _facts(conn, submitted) == BEFORE
    with store.engine.connect() as conn:
        deferred = _facts(conn, submitted)
        kept = _snapshot(conn)
    with store.engine.begin() as conn:
        refresh_all_claim_facts(conn, submitted)
        assert _snapshot(conn) == kept
    assert deferred["state"] == "partially_paid" and deferred["balance"] == D("56.00")
