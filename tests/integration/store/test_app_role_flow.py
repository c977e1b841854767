"""The whole cycle as the app's role, under row-level security, on PostgreSQL: a demo clinic
(import, scrub, 837s, the payer's 999/277CA/835, posting, appeals), then the command line's
own import, build, scrub, submit and 835 posting for a second clinic, then the dashboard
and the reports. Everything the app role reads equals what the owner reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from ptrcm.store import db
from ptrcm.web.deps import WebSettings
from ptrcm.web.ports import Period, QueueName
from ptrcm.web.store_data import StoreWebData
from ptrcm.web.tenant import Organization
from tests.e2e.cli import ptrcm
from tests.integration.postgres_roles import Deployment, deployment

pytestmark = pytest.mark.postgres
TABLES = ("visits", "claims", "claim_lines", "claim_transitions", "claim_payments",
          "adjustments", "ledger_entries", "remittance_files", "claim_facts", "audit_log",
          "work_items", "scrub_findings")  # fmt: skip
DAY = date(2026, 3, 31)


def _ok(*args: str, cwd: Path) -> str:
    """A command as the demo's admin (the database has accounts: commands name who acts)."""
    done = ptrcm(*args, cwd=cwd, timeout=600, env={"PTRCM_OPERATOR": "admin"})
    assert done.returncode in (0, 1), f"{args}: {done.returncode} {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deployment, Path]]:
    """A demo clinic in ``default``, and ``clinic-b`` taken through the CLI, as the app."""
    where = tmp_path_factory.mktemp("app-flow")
    with deployment() as found:
        app = found.app_url
        _ok("demo", "--db", app, "--patients", "12", "--months", "1", "--locations", "1",
            "--out", str(where / "demo"), "--format", "json", cwd=where)  # fmt: skip
        visits = where / "b.jsonl"
        _ok("synth", "visits", "--out", str(visits), "--patients", "8", "--months", "1",
            "--locations", "1", "--seed", "4", cwd=where)  # fmt: skip
        _ok("db", "add-org", "clinic-b", "--db", app, cwd=where)
        _ok("users", "grant", "admin", "--org", "clinic-b", "--role", "biller", "--db", app,
            cwd=where)  # fmt: skip
        b = ("--db", app, "--org", "clinic-b")
        _ok("import", "master", str(where / "b.master.json"), *b, cwd=where)
        _ok("import", "visits", str(visits), *b, cwd=where)
        _ok("claims", "build", *b, cwd=where)
        _ok("claims", "scrub", "--fix", "--as-of", "2025-11-15", *b, cwd=where)
        _ok("claims", "submit", "--outbox", str(where / "outbox"), *b, cwd=where)
        _ok("payer", "simulate", "--in", str(where / "outbox"), "--out", str(where / "inbox"),
            "--profile", "commercial", "--received", "2025-11-20", cwd=where)  # fmt: skip
        for answer in sorted((where / "inbox").glob("*.835")):
            _ok("remit", "post", str(answer), *b, cwd=where)
        yield found, where


def _counts(url: str, org_id: int | None) -> dict[str, int]:
    engine = db.create_engine_for(url)
    try:
        with engine.connect() as conn:
            if org_id is not None:
                conn.execute(
                    text("SELECT set_config('ptrcm.org_id', :o, true)"), {"o": str(org_id)}
                )
            found = {}
            for table in TABLES:
                where = "" if org_id is None else f" WHERE org_id = {org_id}"
                found[table] = int(
                    conn.execute(text(f"SELECT count(*) FROM {table}{where}")).scalar_one()
                )
            return found
    finally:
        engine.dispose()


def _orgs(url: str) -> dict[str, int]:
    engine = db.create_engine_for(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT slug, id FROM organizations"))
            return {str(slug): int(i) for slug, i in rows}
    finally:
        engine.dispose()


def test_the_app_role_wrote_the_whole_cycle_and_sees_each_org_as_the_owner_does(
    worked: tuple[Deployment, Path],
) -> None:
    found, _ = worked
    orgs = _orgs(found.owner_url)
    assert {"default", "clinic-b"} <= set(orgs)
    for slug, org_id in orgs.items():
        as_app, as_owner = _counts(found.app_url, org_id), _counts(found.owner_url, org_id)
        assert as_app == as_owner, slug
    for slug in ("default", "clinic-b"):
        counts = _counts(found.owner_url, orgs[slug])
        assert counts["claims"] > 0 and counts["claim_payments"] > 0, (slug, counts)
        assert counts["ledger_entries"] > 0 and counts["claim_facts"] == counts["claims"]


def test_the_dashboard_reads_the_same_figures_as_the_app_role(
    worked: tuple[Deployment, Path],
) -> None:
    found, _ = worked
    period = Period(date(2025, 10, 1), DAY)

    def figures(url: str) -> tuple[object, ...]:
        web = StoreWebData(WebSettings(url, today=lambda: DAY))
        data = web.for_scope(Organization(web.store, "default").id())
        try:
            return (
                data.dashboard.kpi_tiles(period),
                data.dashboard.ar_aging(DAY),
                data.dashboard.denial_reasons(period),
                data.queues.queue_totals(QueueName.denials),
                len(data.queues.queue(QueueName.underpayments)),
            )
        finally:
            web.close()

    as_app = figures(found.app_url)
    assert as_app == figures(found.owner_url)
    visits = next(t for t in as_app[0] if t.key == "visits")  # type: ignore[attr-defined]
    assert visits.value > 0


def test_the_reports_and_the_phi_reads_work_as_the_app_role_and_are_audited(
    worked: tuple[Deployment, Path],
) -> None:
    found, where = worked
    kpis = ["report", "kpis", "--from", "2025-10-01", "--to", "2026-03-31", "--format", "json"]
    as_app = json.loads(_ok(*kpis, "--db", found.app_url, cwd=where))
    assert as_app == json.loads(_ok(*kpis, "--db", found.owner_url, cwd=where))
    claims = json.loads(_ok("claims", "list", "--format", "json", "--org", "clinic-b",
                            "--db", found.app_url, cwd=where))  # fmt: skip
    assert claims
    _ok("claims", "show", claims[0]["pcn"], "--org", "clinic-b", "--db", found.app_url, cwd=where)
    rows = json.loads(_ok("audit", "search", "--table", "claims", "--org", "clinic-b",
                          "--format", "json", "--db", found.app_url, cwd=where))  # fmt: skip
    reads = [(r["action"], r["record_id"], r["actor"]) for r in rows if r["action"] == "read"]
    assert ("read", claims[0]["pcn"], "user:admin") in reads
    assert ("read", None, "user:admin") in reads  # the list
