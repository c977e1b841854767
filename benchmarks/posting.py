"""Benchmark: posting an 835 of 10,000 claims into SQLite and PostgreSQL, beside the time
to parse the same file (``read_x12``) in the same run.

The claims exist first (stored through the store as submitted); each 835 claim pays one
97110 line with a CO-45 and a PR-2 adjustment, so every claim writes a claim payment, a
line payment, two adjustments, three ledger entries and one state transition. There are
2,000 patients; by default each has one claim a day (``--same-day K``: K claims a day, so
the underpayment check's MPPR compares each claim with the K-1 others of its day).

Parsing and posting each run in a fresh interpreter (as ``ptrcm post`` would), which
reports its wall time and CPU time, its resident memory once ptrcm is imported and its peak resident
memory (``VmHWM`` of /proc/self/status: the high-water mark of this program's own memory;
``ru_maxrss`` would also count the benchmark process it was forked from, which holds the
whole 835 it wrote): the parse alone is the baseline for both. On PostgreSQL running on
the same machine it also reports the CPU time of the server processes that served the
post (from /proc), which a busy machine distorts far less than the wall time.

    .venv/bin/python benchmarks/posting.py [--claims N] [--postgres URL] [--only sqlite|postgresql]

PostgreSQL runs when ``--postgres`` or $PTRCM_TEST_POSTGRES_URL is set (a fresh schema is
created and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from ptrcm.bootstrap import build_context
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Provider
from ptrcm.services.remittance.posting import PostingOptions, post_remittance
from ptrcm.store.money_in_uow import money_in_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.x12.common import Reference
from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835 import model as rm
from ptrcm.x12.remit835.write import write_835

DOS = date(2026, 3, 2)
PATIENTS = 2000


def service_date(i: int, same_day: int) -> date:
    """Claim ``i``'s date of service: patient ``i % 2000`` has ``same_day`` claims a day."""
    return DOS + timedelta(days=i // (PATIENTS * same_day))


NOW = datetime(2026, 3, 21, tzinfo=UTC)


def claims(n: int, same_day: int = 1) -> list[Claim]:
    def line(i: int) -> ClaimLine:
        day = service_date(i, same_day)
        return ClaimLine(1, day, "97110", ("GP",), 2, 2, Money.of("110.00"), (1,))

    return [
        Claim(
            f"B-{i:06d}",
            "MEDICARE",
            f"P-{i % PATIENTS}",
            "PT",
            (line(i),),
            ("M54.16",),
            Provider("PT", "1234567893"),
        )
        for i in range(n)
    ]


def remittance_text(n: int, same_day: int = 1) -> str:
    def money(x: str) -> Money:
        return Money.of(x)

    items = tuple(
        rm.ClaimPayment(
            f"B-{i:06d}",
            "1",
            money("110.00"),
            money("47.20"),
            money("11.80"),
            "MB",
            f"P{i}",
            "11",
            "1",
            lines=(
                rm.ServicePayment(
                    rm.Procedure("HC", "97110", ("GP",)),
                    money("110.00"),
                    money("47.20"),
                    units=Decimal(2),
                    dates=(rm.DateEntry("472", service_date(i, same_day)),),
                    adjustments=(
                        rm.Adjustment("CO", "45", money("51.00")),
                        rm.Adjustment("PR", "2", money("11.80")),
                    ),
                    references=(Reference("6R", "1"),),
                ),
            ),
        )
        for i in range(n)
    )
    total = money("47.20") * n
    remit = rm.Remittance(
        rm.Payment("I", total, "C", "ACH", date(2026, 3, 20)),
        rm.Trace("1", "EFT1", "1999"),
        rm.Party("PR", "MEDICARE", "XV", "MCRPB"),
        rm.Party("PE", "CLINIC", "XX", "1234567893"),
        items,
    )
    settings = EnvelopeSettings("PAYER", "CLINIC", "Payer", "Desk", "2175550100", usage="T")
    return write_835([remit], settings, CounterControlNumbers(), datetime(2026, 3, 20, 9))


def run(url: str, path: Path, n: int, label: str, same_day: int = 1) -> None:
    started = time.perf_counter()
    store = Store.open(url)
    org = store.ensure_organization("bench")
    with money_in_unit_of_work(store, org, "bench", lambda: NOW) as work:
        work.claims.add_claims(claims(n, same_day), state="submitted")
        work.commit()
    store.close()
    setup = time.perf_counter() - started
    parse = _child("parse", url, path)
    post = _child("post", url, path)
    server = post.get("server_cpu")
    server_cpu = "" if server is None else f" the server's CPU {server:.2f} s,"
    print(
        f"{label}: claims stored in {setup:.2f} s ({n / setup:,.0f} claims/s);"
        f" parse {parse['seconds']:.2f} s ({n / parse['seconds']:,.0f} claims/s,"
        f" peak {parse['peak_mb']:.0f} MB); post {post['seconds']:.2f} s"
        f" ({n / post['seconds']:,.0f} claims/s, this process's CPU {post['cpu']:.2f} s,"
        f"{server_cpu} peak {post['peak_mb']:.0f} MB);"
        f" {post['start_mb']:.0f} MB resident once imported;"
        f" {post['ledger_entries']} ledger entries"
    )


def _child(step: str, url: str, path: Path) -> dict[str, float]:
    """Run ``step`` in a fresh interpreter: its time and its peak resident memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, url, str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def _step(step: str, url: str, path: Path) -> None:
    """One measured step, in this process (see ``_child``)."""
    if step == "parse":
        started = time.perf_counter()
        read_x12(path.read_bytes(), source=str(path))
        found: dict[str, Any] = {"seconds": time.perf_counter() - started}
    else:
        ctx = build_context()
        options = PostingOptions(ctx.config, ctx.catalog, None, outcomes=False)
        store = Store.open(url, migrate=False)
        backends = _backend_pids(store)
        org = store.ensure_organization("bench")
        server = _server_cpu(backends)
        started, cpu = time.perf_counter(), time.process_time()
        work = lambda: money_in_unit_of_work(store, org, "bench")  # noqa: E731
        result = post_remittance(work, path, options)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        after = _server_cpu(backends)
        server = None if server is None or after is None else after - server
        store.close()
        n = result.claims
        if result.posted != n or result.paid != Decimal("47.20") * n:
            raise SystemExit(f"posting went wrong: {result.findings[:3]}")
        found = {"seconds": seconds, "cpu": cpu, "ledger_entries": result.ledger_entries}
        if server is not None:
            found["server_cpu"] = server
    found["peak_mb"] = _status_mb("VmHWM")
    found["start_mb"] = START_MB
    print(json.dumps(found))


def _backend_pids(store: Store) -> set[int]:
    """The server process ids of the store's connections, as they are opened (PostgreSQL)."""
    pids: set[int] = set()
    if store.engine.dialect.name != "postgresql":
        return pids

    def connected(dbapi_connection: Any, _record: Any) -> None:
        pids.add(int(dbapi_connection.info.backend_pid))

    event.listen(store.engine, "connect", connected)
    store.engine.dispose()  # connections opened before the listener are not counted
    return pids


def _server_cpu(pids: set[int]) -> float | None:
    """CPU seconds (user + system) the server processes ``pids`` have used, read from
    /proc when the server runs on this machine; None when it cannot be read."""
    if not pids:
        return None
    ticks = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


START_MB = _status_mb("VmRSS")  # once this module and ptrcm are imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("PTRCM_TEST_POSTGRES_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--same-day",
        type=int,
        default=1,
        help="claims per patient and day (default 1; each claim's MPPR looks at the others)",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)  # internal: one measured step
    parser.add_argument("where", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args.step, args.where[0], Path(args.where[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.835"
        path.write_text(remittance_text(args.claims, args.same_day), encoding="ascii")
        print(f"835: {args.claims} claims, {path.stat().st_size / 1e6:.1f} MB")
        if args.only != "postgresql":
            run(f"sqlite:///{tmp}/bench.db", path, args.claims, "SQLite", args.same_day)
        if args.postgres and args.only != "sqlite":
            schema = f"ptrcm_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                url = make_url(args.postgres).update_query_dict(
                    {"options": f"-csearch_path={schema}"}
                )
                run(
                    url.render_as_string(hide_password=False), path, args.claims,
                    "PostgreSQL", args.same_day,
                )  # fmt: skip
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
