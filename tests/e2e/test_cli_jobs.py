"""`ptrcm jobs` and `ptrcm worker` on SQLite, as a user runs them: a deferred task runs at
once in the command's own process (no queue) and does what the command it stands for does;
a worker, which needs PostgreSQL, is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import ptrcm


def test_on_sqlite_a_deferred_task_runs_in_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    made = ptrcm("synth", "visits", "--out", "visits.jsonl", "--patients", "8", "--months", "1",
                 "--start", "2026-06-01", "--seed", "5", cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert ptrcm("db", "upgrade", "--db", url, cwd=tmp_path).returncode == 0
    done = ptrcm("jobs", "defer", "import_visits", "path=visits.jsonl", "--db", url,
                 "--format", "json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    records = len((tmp_path / "visits.jsonl").read_text().splitlines())
    assert result["id"] is None and result["result"]["imported"] == records > 0
    again = ptrcm("jobs", "defer", "import_visits", "path=visits.jsonl", "--db", url,
                  "--format", "json", cwd=tmp_path)  # fmt: skip
    assert json.loads(again.stdout)["result"] == {"imported": 0, "unchanged": records,
                                                  "quarantined": 0}  # fmt: skip
    wrong = ptrcm("jobs", "defer", "import_visits", "file=visits.jsonl", "--db", url, cwd=tmp_path)
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert "takes org, path" in wrong.stderr  # checked before anything runs
    bad = ptrcm("jobs", "defer", "no_such_task", "--db", url, cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "unknown task" in bad.stderr


def test_a_worker_needs_postgresql(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert ptrcm("db", "upgrade", "--db", url, cwd=tmp_path).returncode == 0
    done = ptrcm("worker", "--db", url, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "needs PostgreSQL" in done.stderr
    listed = ptrcm("jobs", "list", "--db", url, cwd=tmp_path)
    assert listed.returncode == 2 and "no job queue on SQLite" in listed.stderr
