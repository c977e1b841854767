"""Import N synthetic visits into SQLite and PostgreSQL; visits per second, beside the time
``read_visits`` alone takes on the same file in the same run (the parse floor).

    .venv/bin/python benchmarks/import_visits.py [--visits 20000] [--postgres URL]

PostgreSQL runs when ``--postgres`` or ``PTRCM_TEST_POSTGRES_URL`` is set, in a scratch
schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ptrcm.services.intake.visit_files import read_visits
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.repository import Store

CODES = ("97110", "97112", "97140", "97530", "97116", "97535")


def write_file(path: Path, n: int, seed: int = 7, treatment_minutes: int = 60) -> None:
    rng = random.Random(seed)
    start = date(2026, 1, 5)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            codes = rng.sample(CODES, rng.randint(2, 4))
            services = [{"code": c, "minutes": rng.randint(8, 30)} for c in codes]
            services.append({"code": "97010"})
            record = {
                "visit_id": f"V-{i:07d}",
                "patient_id": f"P-{rng.randint(1, max(1, n // 12)):06d}",
                "date_of_service": (start + timedelta(days=rng.randint(0, 180))).isoformat(),
                "payer_id": rng.choice(("MEDICARE", "MEDICAID", "COMMERCIAL")),
                "member_id": f"M{rng.randint(10**8, 10**9 - 1)}",
                "place_of_service": "11",
                "location_id": rng.choice(("MAIN", "NORTH", "EAST")),
                "discipline": "PT",
                "rendering": {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"},
                "diagnoses": ["M54.16", "M62.81"],
                "services": services,
                "total_timed_minutes": sum(s.get("minutes", 0) for s in services),
                "total_treatment_minutes": treatment_minutes,
            }
            fh.write(json.dumps(record) + "\n")


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def run_backend(label: str, url: str, path: Path, changed: Path, n: int) -> None:
    """Insert, re-import unchanged (compared, nothing written), re-import every visit changed."""
    store = Store.open(url)  # migrations are not part of the timing
    org = store.create_organization("bench")
    uow = partial(store.unit_of_work, org, "bench")
    first = timed(lambda: import_visits(uow, path))
    same = timed(lambda: import_visits(uow, path))
    update = timed(lambda: import_visits(uow, changed))
    store.close()
    print(f"{label:<10} insert {n / first:8.0f} visits/s ({first:6.2f} s)"
          f"   re-import unchanged {n / same:8.0f} visits/s ({same:6.2f} s)"
          f"   re-import changed {n / update:8.0f} visits/s ({update:6.2f} s)")  # fmt: skip


def postgres_scratch(base: str) -> tuple[str, Callable[[], None]]:
    schema = f"ptrcm_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    scoped = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--postgres", default=os.environ.get("PTRCM_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    n = args.visits
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "visits.jsonl"
        write_file(path, n)
        changed = Path(tmp) / "changed.jsonl"
        write_file(changed, n, treatment_minutes=61)
        parse = timed(lambda: read_visits(path))
        print(f"{n} visits, {path.stat().st_size / 1e6:.1f} MB")
        print(f"{'read_visits':<10} parse  {n / parse:8.0f} visits/s ({parse:6.2f} s)  [baseline]")
        run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", path, changed, n)
        if args.postgres:
            url, drop = postgres_scratch(args.postgres)
            try:
                run_backend("postgresql", url, path, changed, n)
            finally:
                drop()
        else:
            print("postgresql skipped: pass --postgres URL or set PTRCM_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
