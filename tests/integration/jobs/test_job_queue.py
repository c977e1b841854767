"""The job queue on PostgreSQL with real worker processes (`ptrcm worker`): 1,000 jobs
across two workers run exactly once each; a worker killed with SIGKILL mid-job leaves the
job to be run again by another worker and completed once; the periodic jobs are deferred
on their schedule. PostgreSQL only (there is no queue on SQLite): skipped without it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from ptrcm.interfaces.job_queue import list_jobs, make_app
from tests.sshd_server import SSHD, start_sshd, stop_sshd

REPO = Path(__file__).resolve().parents[3]
PROBE = "tests.integration.jobs.probe_tasks"
pytestmark = pytest.mark.postgres


def _worker(url: str, *extra: str, log: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(REPO / "src"), str(REPO)))}
    command = [sys.executable, "-m", "ptrcm.cli", "worker", "--db", url, "--import", PROBE,
               "--heartbeat", "0.5", "--stalled-after", "3", *extra]  # fmt: skip
    err = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 (the child's stderr)
    try:
        return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=err, text=True)  # fmt: skip
    finally:
        if log:
            err.close()  # type: ignore[union-attr]


def _stop(*workers: subprocess.Popen[str]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=30)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


def _runs(folder: Path) -> list[tuple[str, str, str, str]]:
    log = folder / "runs.log"
    if not log.exists():
        return []
    return [tuple(line.split()) for line in log.read_text().splitlines()]  # type: ignore[misc]


def _wait(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def _statuses(url: str) -> Counter[str]:
    rows, _ = list_jobs(url, org=None, limit=10**6)
    return Counter(r.status for r in rows if r.task == "probe.mark")


def test_a_thousand_jobs_across_two_workers_run_exactly_once_each(
    queue_db: str, tmp_path: Path
) -> None:
    app = make_app(queue_db, [PROBE])
    with app.open():
        ids = app.tasks["probe.mark"].batch_defer(
            *({"folder": str(tmp_path), "token": f"t{n}"} for n in range(1000))
        )
    assert len(set(ids)) == 1000
    workers = [_worker(queue_db, "--queue", "probe", "--concurrency", "4", "--name", f"w{n}")
               for n in (1, 2)]  # fmt: skip
    try:
        _wait(lambda: _statuses(queue_db)["succeeded"] == 1000, 240, "1,000 jobs succeeded")
    finally:
        _stop(*workers)
    runs = _runs(tmp_path)
    starts = Counter(r[1] for r in runs if r[0] == "start")
    dones = Counter(r[1] for r in runs if r[0] == "done")
    assert set(starts) == set(dones) == {f"t{n}" for n in range(1000)}
    assert set(starts.values()) == set(dones.values()) == {1}  # exactly once each
    by_process = Counter(r[2] for r in runs if r[0] == "done")
    assert len(by_process) == 2, by_process  # both workers took jobs
    assert _statuses(queue_db) == Counter({"succeeded": 1000})


def test_a_job_of_a_worker_killed_mid_job_is_run_again_and_completed_once(
    queue_db: str, tmp_path: Path
) -> None:
    app = make_app(queue_db, [PROBE])
    with app.open():
        (job_id,) = app.tasks["probe.mark"].batch_defer(
            {"folder": str(tmp_path), "token": "long", "seconds": 4.0}
        )
    first = _worker(queue_db, "--queue", "probe", "--name", "doomed")
    try:
        _wait(lambda: any(r[0] == "start" for r in _runs(tmp_path)), 60, "the job started")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        _stop(first)
    assert _statuses(queue_db) == Counter({"doing": 1})  # left behind by the dead worker
    second = _worker(queue_db, "--name", "rescuer")  # every queue: the sweep and the probe
    try:
        _wait(lambda: _statuses(queue_db) == Counter({"succeeded": 1}), 90, "the job re-ran")
    finally:
        _stop(second)
    runs = _runs(tmp_path)
    assert [r[0] for r in runs] == ["start", "start", "done"]
    assert runs[0][2] != runs[2][2]  # the second worker completed it
    (row,) = [r for r in list_jobs(queue_db, org=None, limit=100)[0] if r.id == job_id]
    assert row.attempts == 2 and row.retried


@pytest.mark.skipif(not SSHD.exists(), reason="/usr/sbin/sshd absent (openssh-server)")
def test_the_clearinghouse_poll_runs_on_its_schedule(queue_db: str, tmp_path: Path) -> None:
    """``poll_minutes = 1``: within a minute and a bit the worker defers the poll itself
    (no one asks for it) and the poll fetches the file waiting on the real sshd."""
    server = start_sshd(tmp_path / "sshd")
    try:
        root = server.root
        for folder in ("outbound", "inbound", "done", "failed"):
            (root / folder).mkdir()
        (root / "inbound" / "unreadable.999").write_text("not an X12 file", encoding="ascii")
        config = tmp_path / "ptrcm.toml"
        config.write_text(
            f"""[clearinghouse.TESTCH]
host = "{server.host}"
port = {server.port}
user = "{server.user}"
key_file = "{server.user_key}"
host_key = "{server.host_public_key}"
outbound = "{root}/outbound"
inbound = "{root}/inbound"
done = "{root}/done"
failed = "{root}/failed"
poll_minutes = 1
""",
            encoding="utf-8",
        )
        spool = str(tmp_path / "spool")
        worker = _worker(queue_db, "--config", str(config), "--schedule-org", "default",
                         "--spool", spool, log=tmp_path / "worker.log")  # fmt: skip
        try:

            def polled() -> bool:
                rows, _ = list_jobs(queue_db, org="default", status="succeeded")
                return any(r.task == "clearinghouse_poll" for r in rows)

            try:
                _wait(polled, 130, "a scheduled clearinghouse poll succeeded")
            except AssertionError:
                print((tmp_path / "worker.log").read_text()[-3000:])
                print(list_jobs(queue_db, org=None))
                raise
        finally:
            _stop(worker)
        rows, _ = list_jobs(queue_db, org="default")
        polls = [r for r in rows if r.task == "clearinghouse_poll"]
        assert polls and all(r.arguments == {"org": "default", "connector": "TESTCH"}
                             for r in polls)  # fmt: skip
        assert not (root / "inbound" / "unreadable.999").exists()
        assert [p.name for p in (root / "failed").iterdir()] == ["unreadable.999"]
    finally:
        stop_sshd(server)
