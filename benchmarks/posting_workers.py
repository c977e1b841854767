"""Benchmark: 835 posting as background jobs on PostgreSQL with 1, 2 and 4 `ptrcm worker`
processes, beside the same files posted one after another in one process (the baseline, in
the same run, on the same database server).

A billing service's day: ``--orgs`` practices, each with ``--files`` 835s of ``--claims``
claims (every claim pays one 97110 line with CO-45 and PR-2). Posting holds a lock per
organization (a payment is posted once), so workers post different practices' files at once
and one practice's files in turn. Each run starts on a fresh schema: the claims are stored as
submitted, the workers are started and registered, then every file is deferred as a
``post_remittance`` job and the clock runs until the last job has succeeded. Every run is
checked: each claim posted once, the paid total to the cent.

    .venv/bin/python benchmarks/posting_workers.py [--orgs 4] [--files 4] [--claims 500]
        [--workers 1 2 4] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ptrcm.bootstrap import build_context
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Provider
from ptrcm.interfaces.job_queue import deferrer, make_app
from ptrcm.services.remittance.posting import PostingOptions, post_remittance
from ptrcm.store.money_in_uow import money_in_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.x12.common import Reference
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.remit835 import model as rm
from ptrcm.x12.remit835.write import write_835

DOS = date(2026, 3, 2)
NOW = datetime(2026, 3, 21, tzinfo=UTC)
PAID = Decimal("47.20")
REPO = Path(__file__).resolve().parents[1]


def _pcn(file: int, i: int) -> str:
    return f"F{file:02d}-{i:05d}"


def claims(files: int, n: int) -> list[Claim]:
    line = ClaimLine(1, DOS, "97110", ("GP",), 2, 2, Money.of("110.00"), (1,))
    provider = Provider("PT", "1234567893")
    return [
        Claim(_pcn(f, i), "MEDICARE", f"P-{i % 2000}", "PT", (line,), ("M54.16",), provider)
        for f in range(files)
        for i in range(n)
    ]


def remittance(file: int, n: int) -> str:
    m = Money.of
    items = tuple(
        rm.ClaimPayment(
            _pcn(file, i),
            "1",
            m("110.00"),
            m("47.20"),
            m("11.80"),
            "MB",
            f"P{file}-{i}",
            "11",
            "1",
            lines=(
                rm.ServicePayment(
                    rm.Procedure("HC", "97110", ("GP",)),
                    m("110.00"),
                    m("47.20"),
                    units=Decimal(2),
                    dates=(rm.DateEntry("472", DOS),),
                    adjustments=(
                        rm.Adjustment("CO", "45", m("51.00")),
                        rm.Adjustment("PR", "2", m("11.80")),
                    ),
                    references=(Reference("6R", "1"),),
                ),
            ),
        )
        for i in range(n)
    )
    remit = rm.Remittance(
        rm.Payment("I", m("47.20") * n, "C", "ACH", date(2026, 3, 20)),
        rm.Trace("1", f"EFT{file:04d}", "1999"),
        rm.Party("PR", "MEDICARE", "XV", "MCRPB"),
        rm.Party("PE", "CLINIC", "XX", "1234567893"),
        items,
    )
    settings = EnvelopeSettings("PAYER", "CLINIC", "Payer", "Desk", "2175550100", usage="T")
    return write_835([remit], settings, CounterControlNumbers(), datetime(2026, 3, 20, 9))


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    schema = f"ptrcm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def setup(url: str, orgs: int, files: int, n: int) -> list[str]:
    store = Store.open(url)
    slugs = [f"clinic-{k + 1}" for k in range(orgs)]
    for slug in slugs:
        org = store.ensure_organization(slug)
        with money_in_unit_of_work(store, org, "bench", lambda: NOW) as work:
            work.claims.add_claims(claims(files, n), state="submitted")
            work.commit()
    store.close()
    return slugs


def check(url: str, slugs: list[str], files: int, n: int) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*), coalesce(sum(paid_amount), 0)"
                                 " FROM claim_payments")).one()  # fmt: skip
    engine.dispose()
    expected = len(slugs) * files * n
    if rows[0] != expected or Decimal(rows[1]) != PAID * expected:
        raise SystemExit(f"posting went wrong: {rows[0]} claim payments, {rows[1]} paid;"
                         f" expected {expected}, {PAID * expected}")  # fmt: skip


def serial(url: str, slugs: list[str], paths: list[Path], files: int, n: int) -> float:
    ctx = build_context()
    options = PostingOptions(ctx.config, ctx.catalog, None, outcomes=False)
    store = Store.open(url)
    started = time.perf_counter()
    for slug in slugs:
        org = store.ensure_organization(slug)
        for path in paths:
            post_remittance(lambda org=org: money_in_unit_of_work(store, org, "bench"), path,
                            options)  # fmt: skip
    seconds = time.perf_counter() - started
    store.close()
    check(url, slugs, files, n)
    return seconds


def with_workers(url: str, slugs: list[str], paths: list[Path], workers: int, outbox: Path,
                 files: int, n: int) -> float:  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    procs = [subprocess.Popen([sys.executable, "-m", "ptrcm.cli", "worker", "--db", url,
                               "--queue", "posting", "--name", f"bench-{k}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for k in range(workers)]  # fmt: skip
    app = make_app(url)
    try:
        engine = create_engine(url)
        deadline = time.monotonic() + 120
        while True:  # every worker started and registered before the clock starts
            with engine.connect() as conn:
                up = conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar()
            if up == workers:
                break
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        jobs = [{"org": s, "path": str(p), "outbox": str(outbox)} for s in slugs for p in paths]
        started = time.perf_counter()
        with app.open():  # each with its organization's posting lock, as `ptrcm jobs defer`
            for job in jobs:
                deferrer(app, "post_remittance", **job).defer(**job)
        with engine.connect() as conn:  # one connection, a count every 0.1 s
            while True:
                done, failed = conn.execute(text(
                    "SELECT count(*) FILTER (WHERE status = 'succeeded'),"
                    " count(*) FILTER (WHERE status = 'failed') FROM procrastinate_jobs"
                    " WHERE task_name = 'ptrcm.post_remittance'")).one()  # fmt: skip
                conn.rollback()
                if failed:
                    raise SystemExit(f"{failed} posting jobs failed")
                if done == len(jobs):
                    break
                time.sleep(0.1)
        seconds = time.perf_counter() - started
        engine.dispose()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    check(url, slugs, files, n)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=4)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--claims", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--postgres", default=os.environ.get("PTRCM_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("set --postgres URL or PTRCM_TEST_POSTGRES_URL")
    total = args.orgs * args.files * args.claims
    print(f"{args.orgs} organizations x {args.files} 835s x {args.claims} claims ="
          f" {total:,} claims; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for f in range(args.files):
            path = Path(tmp) / f"era-{f:02d}.835"
            path.write_text(remittance(f, args.claims), encoding="ascii")
            paths.append(path)
        with fresh_schema(args.postgres) as url:
            slugs = setup(url, args.orgs, args.files, args.claims)
            base = serial(url, slugs, paths, args.files, args.claims)
        print(f"baseline, one process posting in turn: {base:.1f} s, {total / base:,.0f} claims/s")
        for k in args.workers:
            with fresh_schema(args.postgres) as url:
                slugs = setup(url, args.orgs, args.files, args.claims)
                seconds = with_workers(url, slugs, paths, k, Path(tmp) / "out", args.files,
                                       args.claims)  # fmt: skip
            print(f"{k} worker{'s' if k > 1 else ''}: {seconds:.1f} s,"
                  f" {total / seconds:,.0f} claims/s, {base / seconds:.2f}x the baseline;"
                  f" load {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
