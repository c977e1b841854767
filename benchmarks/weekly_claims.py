"""Benchmark: weekly claim building and scrubbing at two sizes, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/weekly_claims.py [--sizes 10000 50000] [--postgres URL]

For each size N, the synthetic clinic's first N visits (6 months from 2025-10-01, about
ten visits a patient, its 8 % injected defects; self-pay visits included) are imported
into a fresh SQLite file and, with ``--postgres`` (or ``PTRCM_TEST_POSTGRES_URL``), a fresh
PostgreSQL schema (not timed). Then, as the demo does, week by week: ``build_claims``
(through the week's Sunday) and ``scrub_claims`` of the claims just built with the whole
rule catalog and safe fixes. Printed: µs per visit for the build and for the scrub over
all the weeks (equal at both sizes = linear), beside the same run's baseline, µs per visit
to parse every stored record once (``json.loads`` and ``parse_visit``), and the ratio.
The ICD-10-CM tables are loaded before any timing. A stored record is parsed the first
time the store reads it and reused while unchanged (``ptrcm.store.parsed_visits``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ptrcm.bootstrap import build_context
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Visit
from ptrcm.rules.icd10 import Icd10Codes, code_facts
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.synth import iter_visit_records

START, MONTHS = date(2025, 10, 1), 6


def write_visits(path: Path, n: int) -> date:
    """The first ``n`` visits of a clinic big enough for them; the last date of service."""
    last = START
    with path.open("w", encoding="utf-8") as fh:
        for count, record in enumerate(iter_visit_records(n // 9 + 50, MONTHS, 7), 1):
            fh.write(json.dumps(record) + "\n")
            last = max(last, date.fromisoformat(record["date_of_service"]))
            if count == n:
                return last
    raise SystemExit(f"the synthetic clinic gave fewer than {n} visits")


def parse_baseline(path: Path) -> float:
    """Seconds to parse every record once, as the store reads a visit it has not seen."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = time.perf_counter()
    for line in lines:
        parse_visit(json.loads(line), source="store:visits", limits=False)
    return time.perf_counter() - start


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    url = make_url(base).set(drivername="postgresql+psycopg")
    schema = f"bench_weekly_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        with_path = url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield with_path.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def weekly(url: str, path: Path, last: date) -> tuple[float, float, int]:
    """(build seconds, scrub seconds, claims built) over every week of the period."""
    ctx = build_context()
    store = Store.open(url)
    day = [START]
    try:
        org = store.ensure_organization("bench")

        def uow() -> Any:
            return claims_unit_of_work(store, org, "bench", clock)

        def clock() -> datetime:
            return datetime.combine(day[0], time_of_day(17, 0), tzinfo=UTC)

        import_visits(uow, path)

        def next_day(visit: Visit) -> date:
            return visit.date_of_service + timedelta(days=1)

        scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), next_day)
        build = scrub = 0.0
        claims = 0
        week = START + timedelta(days=(6 - START.weekday()) % 7)
        while week < last + timedelta(days=7):
            day[0] = week + timedelta(days=1)
            start = time.perf_counter()
            built = lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=week)
            middle = time.perf_counter()
            lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog, fix=True,
                                   states=(lifecycle.ClaimState.BUILT,))  # fmt: skip
            build, scrub = build + middle - start, scrub + time.perf_counter() - middle
            claims += len(built.built)
            week += timedelta(days=7)
        return build, scrub, claims
    finally:
        store.close()


def _uptime() -> str:
    return subprocess.run(["uptime"], check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--postgres", default=os.environ.get("PTRCM_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"load before: {_uptime()}")
    code_facts("M54.16")  # the ICD-10-CM tables load once, before any timing
    print("| database | visits | claims | build µs/visit | scrub µs/visit | parse baseline"
          " µs/visit | build ÷ parse | scrub ÷ parse |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "visits.jsonl"
            last = write_visits(path, n)
            parse = parse_baseline(path) / n * 1e6
            backends: list[tuple[str, Any]] = [("SQLite", None)]
            if args.postgres:
                backends.append(("PostgreSQL", args.postgres))
            for name, base in backends:
                if base is None:
                    build, scrub, claims = weekly(f"sqlite:///{Path(tmp) / 'b.db'}", path, last)
                else:
                    with postgres_schema(base) as url:
                        build, scrub, claims = weekly(url, path, last)
                b, s = build / n * 1e6, scrub / n * 1e6
                print(f"| {name} | {n:,} | {claims:,} | {b:,.0f} | {s:,.0f} | {parse:,.0f} |"
                      f" {b / parse:.2f} | {s / parse:.2f} |", flush=True)  # fmt: skip
    print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
