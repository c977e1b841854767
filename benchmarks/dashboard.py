"""Dashboard and KPI server time on a large synthetic database, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/dashboard.py [--visits N] [--runs R] [--postgres URL]
        [--only sqlite|postgresql] [--build-only] [--schema NAME] [--no-migrate]

Builds ``var/bench/dashboard-N.db`` (and schema ``bench_N`` on PostgreSQL) once and reuses
it: N visits over two years with one claim each, remittances for most, appointments with
no-shows, scrub runs and appeals. Then times, over R runs, the dashboard (the dashboard
provider calls of one page load, in one read-only request as the web app makes them:
tiles, charts and trends, then the goals), the same without the goals, the goals alone
(targets and service levels: turnaround SLAs, denial follow-up) and each KPI, beside a bare
``SELECT count(*)`` over visits in the same run; prints median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from ptrcm.analytics import KpiFilters, Scope, ar, claims_kpis, revenue, scheduling, sla
from ptrcm.store import tables as t
from ptrcm.store.claim_facts import refresh_all_claim_facts
from ptrcm.store.repository import Store
from ptrcm.store.visit_rollup import rebuild_visit_rollup
from ptrcm.web.ports import Period
from ptrcm.web.read_cache import one_version_check
from ptrcm.web.store_data import StoreData

END = date(2026, 3, 31)
DAYS = 730
CHUNK = 20_000
D90 = Decimal(90)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(conn: Connection, table: Table, rows: Iterator[dict[str, Any]]) -> None:
    """Fast bulk load: the columns' own bind processing, then sqlite3 ``executemany`` or
    PostgreSQL ``COPY`` through psycopg (both far faster than ORM-level inserts)."""
    dialect = conn.dialect
    batches = _chunks(rows)
    first = next(batches, None)
    if first is None:
        return
    names = list(first[0])
    procs = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]

    def tuples(batch: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        out = []
        for row in batch:
            values = []
            for name, proc in zip(names, procs, strict=True):
                value = row[name]
                values.append(proc(value) if proc is not None and value is not None else value)
            out.append(tuple(values))
        return out

    columns = ", ".join(names)
    if dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for batch in [first, *batches]:
                for values in tuples(batch):
                    copy.write_row(values)
        return
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"
    for batch in [first, *batches]:
        conn.exec_driver_sql(sql, tuples(batch))  # type: ignore[arg-type]


def facts(store: Store, org: int) -> None:
    """Fill ``claim_facts`` in one set-based pass when it is empty (a clinic built before
    migration 0011, or just now), as ``ptrcm db refresh-facts`` does; and the visits per
    day (``visit_rollup``), which the visit writer keeps and the bulk load bypasses."""
    with store.engine.begin() as conn:
        vr = t.visit_rollup
        if not conn.execute(select(func.count()).where(vr.c.org_id == org)).scalar_one():
            began = time.perf_counter()
            rebuild_visit_rollup(conn, org)
            print(f"    visit_rollup: {time.perf_counter() - began:.1f} s")
    with store.engine.begin() as conn:
        query = select(func.count()).select_from(t.claim_facts).where(t.claim_facts.c.org_id == org)
        if conn.execute(query).scalar_one():
            return
        began = time.perf_counter()
        counted = refresh_all_claim_facts(conn, org)
        print(f"    claim_facts: {counted} claims in {time.perf_counter() - began:.1f} s")
    vacuum(store)


def vacuum(store: Store) -> None:
    """Fresh statistics; on PostgreSQL also the visibility map that index-only scans need
    (autovacuum's job on a live database)."""
    with store.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))


def build(store: Store, n: int) -> int:
    """Generate the clinic unless it is there, and its facts; returns the organization id."""
    found = store.organization_id("bench")
    if found is not None:
        facts(store, found)
        return found
    org = store.create_organization("bench", "Benchmark clinic")
    rnd = random.Random(7)
    made = datetime(2026, 1, 1, tzinfo=UTC)
    base = {"org_id": org, "created_at": made}
    with store.engine.begin() as conn:

        def put(table: Table, rows: Iterator[dict[str, Any]]) -> None:
            began = time.perf_counter()
            _bulk(conn, table, rows)
            print(f"    {table.name}: {time.perf_counter() - began:.1f} s", flush=True)

        classes = ["medicare", "medicare_advantage", "medicaid", "commercial", "workers_comp"]
        put(t.payers, ({**base, "id": i + 1, "external_id": f"P{i}", "name": f"P{i}",
                         "payer_class": c} for i, c in enumerate(classes)))  # fmt: skip
        put(t.locations, ({**base, "id": i + 1, "external_id": f"L{i}", "name": f"L{i}"}
                          for i in range(4)))  # fmt: skip
        put(t.providers, ({**base, "id": i + 1, "external_id": f"T{i}", "npi": f"{1000000000 + i}",
                           "credential": "PT", "name": f"T{i}"} for i in range(20)))  # fmt: skip
        patients = max(1, n // 25)
        put(t.patients, ({**base, "id": i + 1, "external_id": f"PA{i}"} for i in range(patients)))
        files = max(1, n // 400)
        put(t.remittance_files, ({**base, "id": i + 1, "file_name": f"f{i}", "sha256": f"{i:064d}",
                                  "received_at": made} for i in range(files)))  # fmt: skip
        put(t.remittance_transactions, ({**base, "id": i + 1, "remittance_file_id": i + 1,
             "payment_amount": Decimal("0.00"),
             "payment_date": END - timedelta(days=DAYS - 1 - (i * DAYS) // files)}
            for i in range(files)))  # fmt: skip
        plan = []
        for i in range(n):
            dos = END - timedelta(days=rnd.randrange(DAYS))
            plan.append((i + 1, dos, rnd.randrange(patients) + 1, rnd.randrange(5) + 1,
                         rnd.randrange(4) + 1, rnd.randrange(20) + 1, rnd.random()))  # fmt: skip
        put(t.visits, ({**base, "id": i, "external_id": f"V{i}", "patient_id": pa, "payer_id": py,
             "provider_id": pr, "location_id": lo, "date_of_service": dos, "discipline": "PT",
             "diagnoses": [], "record": {}, "updated_at": made}
            for i, dos, pa, py, lo, pr, _ in plan))  # fmt: skip
        put(t.visit_services, ({**base, "visit_id": i, "line_number": 1,
             "code": "97163" if r < 0.02 else "97162" if r < 0.06 else "97110",
             "minutes": 38, "billed_units": 3} for i, *_rest, r in plan))  # fmt: skip

        def stamp(day: date, plus: int) -> datetime:
            return datetime.combine(day + timedelta(days=plus), datetime.min.time(), UTC)

        def claim_state(dos: date, r: float) -> str:
            age = (END - dos).days
            if age < 10:
                return "submitted"
            return "denied" if r > 0.92 else "paid"

        put(t.claims, ({**base, "id": i, "pcn": f"C{i}", "patient_id": pa, "payer_id": py,
             "state": claim_state(dos, r), "total_charge": Decimal("250.00"),
             "first_date_of_service": dos, "last_date_of_service": dos,
             "created_at": stamp(dos, 1 + int(r * 10) % 4)}
            for i, dos, pa, py, _lo, _pr, r in plan))  # fmt: skip
        put(t.claim_versions, ({**base, "id": i, "claim_id": i, "version_number": 1,
             "frequency_code": "1", "state": "submitted", "total_charge": Decimal("250.00"),
             "submitted_at": stamp(dos, 3)} for i, dos, *_ in plan))  # fmt: skip
        put(t.scrub_runs, ({**base, "claim_id": i, "run_number": 1, "scrubbed_at": stamp(dos, 2),
             "errors": 1 if r < 0.07 else 0} for i, dos, *_rest, r in plan))  # fmt: skip

        def remit_day(dos: date) -> int:
            day = min((dos - (END - timedelta(days=DAYS - 1))).days + 21, DAYS - 1)
            return min(files - 1, day * files // DAYS)

        adjudicated = [p for p in plan if (END - p[1]).days >= 21]
        put(t.claim_payments, ({**base, "id": i, "transaction_id": remit_day(dos) + 1,
             "claim_id": i, "pcn": f"C{i}", "status_code": "4" if r > 0.97 else "1",
             "charge_amount": Decimal("250.00"),
             "paid_amount": Decimal("0.00") if r > 0.92 else Decimal("110.00")}
            for i, dos, *_rest, r in adjudicated))  # fmt: skip

        def adjustments_for(i: int, r: float) -> Iterator[dict[str, Any]]:
            if r > 0.92:
                carc = ("50", "197", "16", "96", "119")[int(r * 1000) % 5]
                yield {**base, "claim_payment_id": i, "group_code": "CO", "carc": carc,
                       "amount": Decimal("250.00")}  # fmt: skip
                return
            yield {**base, "claim_payment_id": i, "group_code": "CO", "carc": "45",
                   "amount": Decimal("110.00")}  # fmt: skip
            yield {**base, "claim_payment_id": i, "group_code": "PR", "carc": "2",
                   "amount": Decimal("30.00")}  # fmt: skip

        put(t.adjustments, (a for i, *_rest, r in adjudicated for a in adjustments_for(i, r)))
        put(t.claim_transitions, ({**base, "claim_id": i, "actor": "bench",
             "to_state": "paid", "occurred_at": stamp(dos, 21)}
            for i, dos, *_rest, r in adjudicated if r <= 0.92))  # fmt: skip
        statuses = ("kept",) * 85 + ("no_show",) * 8 + ("late_cancel",) * 4 + ("cancelled",) * 3
        put(t.appointments, ({**base, "external_id": f"A{i}", "patient_id": pa,
             "provider_id": pr, "location_id": lo, "visit_id": i,
             "scheduled_start": stamp(dos, 0) + timedelta(hours=13 + i % 9),
             "status": statuses[int(r * 100) % 100]}
            for i, dos, pa, _py, lo, pr, r in plan))  # fmt: skip
    facts(store, org)
    return org


def timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return statistics.median(samples), p95


def measure(url: str, n: int, runs: int, build_only: bool = False, migrate: bool = True) -> None:
    store = Store.open(url, migrate=migrate)
    began = time.perf_counter()
    org = build(store, n)
    print(f"{url.split(':', 1)[0]}: ready in {time.perf_counter() - began:.0f} s", flush=True)
    if build_only:
        store.close()
        return
    period = Period(END - timedelta(days=83), END)
    f = KpiFilters(period.start, period.end)
    data = StoreData(store, org)

    def page(goals: bool) -> None:  # as one read-only request reads them: sharing figures
        with one_version_check():
            data.kpi_tiles(period)
            data.ar_aging(period.end)
            data.denial_reasons(period)
            data.first_pass_trend(period)
            data.cash_and_visits(period)
            data.days_in_ar_trend(period)
            if goals:
                data.goals(period)

    with store.engine.connect() as conn:
        scope = Scope(conn, org)
        count_visits = select(func.count()).select_from(t.visits)
        count = conn.execute(count_visits).scalar_one()
        print(f"  visits: {count}")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("count(*) visits", lambda: conn.execute(count_visits).scalar_one()),
            ("dashboard (one page load)", lambda: page(goals=True)),
            ("tiles and charts (no goals)", lambda: page(goals=False)),
            ("goals (the page's targets, SLAs)", lambda: data.goals(period)),
            ("clean_claim_rate", lambda: claims_kpis.clean_claim_rate(scope, f)),
            ("first_pass_rate", lambda: claims_kpis.first_pass_rate(scope, f)),
            ("initial_denial_rate", lambda: claims_kpis.initial_denial_rate(scope, f)),
            ("denial_reasons", lambda: claims_kpis.denial_reasons(scope, f)),
            ("appeal_recovery", lambda: claims_kpis.appeal_recovery(scope, f)),
            ("ar_aging", lambda: ar.ar_aging(scope, f, END)),
            ("days_in_ar", lambda: ar.days_in_ar(scope, f, END)),
            ("net_collection_rate", lambda: ar.net_collection_rate(scope, f)),
            ("net_revenue_per_visit", lambda: revenue.net_revenue_per_visit(scope, f)),
            ("underpayments", lambda: revenue.underpayments_by_payer_code(scope, f)),
            ("eval_mix", lambda: revenue.eval_mix(scope, f)),
            ("attendance", lambda: scheduling.attendance(scope, f, "America/Chicago", D90)),
            ("charge_lag", lambda: sla.charge_lag(scope, f)),
            ("submission_lag", lambda: sla.submission_lag(scope, f)),
            ("denial_follow_up", lambda: sla.denial_follow_up(scope, f)),
        ]  # fmt: skip
        for name, call in cases:
            median, p95 = timed(call, runs)
            print(f"  {name:28s} median {median:8.1f} ms   p95 {p95:8.1f} ms")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--build-only", action="store_true", help="build the database, no timing")
    parser.add_argument("--schema", help="PostgreSQL schema (default bench_N)")
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="open the databases as they are (to time older code on them)",
    )
    args = parser.parse_args()
    Path("var/bench").mkdir(parents=True, exist_ok=True)
    if args.only != "postgresql":
        measure(
            f"sqlite:///var/bench/dashboard-{args.visits}.db",
            args.visits,
            args.runs,
            args.build_only,
            not args.no_migrate,
        )
    if args.only != "sqlite":
        schema = args.schema or f"bench_{args.visits}"
        from sqlalchemy import create_engine

        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in args.postgres else "?"
        measure(
            f"{args.postgres}{sep}options=-csearch_path%3D{schema}",
            args.visits,
            args.runs,
            args.build_only,
            not args.no_migrate,
        )


if __name__ == "__main__":
    main()
