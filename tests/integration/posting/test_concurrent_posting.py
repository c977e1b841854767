"""Two `ptrcm remit post` processes posting copies of one payment at the same moment post
it once: the second waits for the first and reports "already posted", without a
traceback. SQLite and PostgreSQL.

To make "at the same moment" certain rather than likely, the test holds the
organization's posting lock while both processes start, waits until both are blocked
on it, and lets go: they then race for it with the file's whole posting still ahead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

import ptrcm
from ptrcm.store.money_in_uow import POSTING_LOCK
from ptrcm.store.repository import Store
from ptrcm.x12.remit835 import model as rm
from tests.integration.posting.builders import (
    cas,
    clp,
    remittance,
    seed,
    sums,
    svc,
    uow,
    visit,
    write,
)

CLAIMS = 60
STARTUP_SECONDS = 8.0  # time for both processes to start and block on the lock (SQLite)


def _paid(pcn: str) -> rm.ClaimPayment:
    return clp(
        pcn,
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"), line=1),
    )


@contextmanager
def _posting_lock_held(store: Store, org: int) -> Iterator[None]:
    """Hold what ``MoneyInUnitOfWork.serialize_posting`` waits for."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.begin()
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:l, :o)"), {"l": POSTING_LOCK, "o": org}
            )
        else:
            conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            conn.begin()
        try:
            yield
        finally:
            conn.rollback()


def _wait_until_both_block(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        time.sleep(STARTUP_SECONDS)
        return
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    deadline = time.monotonic() + 120
    with store.engine.connect() as conn:
        while conn.execute(query).scalar_one() < 2:
            if time.monotonic() > deadline:
                pytest.fail("the two postings never waited on the posting lock")
            time.sleep(0.2)
            conn.rollback()


def _start(path: Path, db_url: str, outbox: Path) -> subprocess.Popen[str]:
    src = str(Path(ptrcm.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, "-m", "ptrcm.cli", "remit", "post", str(path), "--db", db_url,
            "--org", "clinic", "--outbox", str(outbox)]  # fmt: skip
    return subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("copy", ["identical", "trailing newline"])
def test_two_processes_posting_one_payment_at_once_post_it_once(
    store: Store, db_url: str, tmp_path: Path, copy: str
) -> None:
    pcns = [f"V-{n}" for n in range(1, CLAIMS + 1)]
    org = seed(store, [visit(p, [("97110", 30)]) for p in pcns])
    total = Decimal("47.20") * CLAIMS
    first = write(tmp_path, "a.835", remittance([_paid(p) for p in pcns], str(total)))
    second = tmp_path / "b.835"
    second.write_bytes(first.read_bytes() + (b"" if copy == "identical" else b"\n"))
    with _posting_lock_held(store, org):
        runs = [_start(p, db_url, tmp_path / "out") for p in (first, second)]
        _wait_until_both_block(store)
    outputs = [run.communicate(timeout=300) for run in runs]
    codes = sorted(run.returncode for run in runs)
    for _out, err in outputs:
        assert "Traceback" not in err and "IntegrityError" not in err, err
    assert sums(store, org)["payer_payment"] == total
    with uow(store, org) as work:
        assert len(work.remits.claim_payments()) == CLAIMS
        items = work.work.items("exception")
    texts = [out for out, _ in outputs]
    posted = [t for t in texts if f"{CLAIMS} of {CLAIMS} claims posted" in t]
    assert len(posted) == 1, texts
    (loser,) = [t for t in texts if t not in posted]
    if copy == "identical":
        assert codes == [0, 0] and "already posted (sha256" in loser and items == []
    else:
        assert codes == [0, 1] and "duplicate: 835 payment TRN EFT0001" in loser
        assert "already posted from" in loser and len(items) == 1
