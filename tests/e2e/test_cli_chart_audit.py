"""`ptrcm chart-audit` end to end on a SQLite file: run (exit 1 with a significant finding),
show, feedback files, KPIs, and a re-audit after the corrected note is imported again."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders.episodes import episode_records
from tests.e2e.cli import ptrcm


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _unsigned(rec: dict[str, object]) -> None:
    rec["documentation"]["daily_note"].pop("signature")  # type: ignore[index, attr-defined]


def test_run_show_feedback_kpis_and_reaudit(tmp_path: Path) -> None:
    env = {"PTRCM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    broken = _write(tmp_path / "v.jsonl", episode_records(12, {5: _unsigned}))
    assert ptrcm("import", "visits", str(broken), env=env).returncode == 0
    run = ptrcm("chart-audit", "run", "--from", "2026-03-01", "--to", "2026-03-31",
                "--format", "json", env=env)  # fmt: skip
    assert run.returncode == 1, run.stderr
    result = json.loads(run.stdout)
    assert result["records"] == 12 and result["passed"] == 11
    assert result["findings"] == [{"visit_id": "V-5", "criterion": "TN06",
                                   "severity": "significant"}]  # fmt: skip

    shown = ptrcm("chart-audit", "show", "1", env=env)
    assert shown.returncode == 0 and "V-5" in shown.stdout and "TN06" in shown.stdout
    kpis = json.loads(ptrcm("chart-audit", "kpis", "--format", "json", env=env).stdout)
    assert kpis[-1] == {"therapist": "all", "records": 12, "passed": 11, "pass_rate": "0.9167",
                        "significant_findings": 1}  # fmt: skip

    feedback = ptrcm("chart-audit", "feedback", "1", "--out", str(tmp_path / "fb"), env=env)
    assert feedback.returncode == 0, feedback.stderr
    html = (tmp_path / "fb" / "feedback-1-01.html").read_text(encoding="utf-8")
    assert "TN06" in html and "Ann" not in html and "Reed" not in html
    assert (tmp_path / "fb" / "feedback-1-01.pdf").read_bytes().startswith(b"%PDF")

    added = ptrcm("chart-audit", "request", "add", "--payer", "MEDICARE", "--date", "2026-04-02",
                  "--due", "2026-05-17", "--audit", "1", env=env)  # fmt: skip
    assert added.returncode == 0 and "records request 1" in added.stdout, added.stderr
    assert ptrcm("chart-audit", "request", "update", "1", "--outcome", "upheld",
                 env=env).returncode == 0  # fmt: skip
    assert ptrcm("chart-audit", "recoup", "add", "--payer", "MEDICARE", "--amount", "95.10",
                 "--date", "2026-06-01", "--request", "1", env=env).returncode == 0  # fmt: skip
    k = json.loads(ptrcm("chart-audit", "requests-kpis", "--as-of", "2026-06-02", "--format",
                         "json", env=env).stdout)  # fmt: skip
    assert k["requests_by_payer_month"] == [{"payer": "MEDICARE", "month": "2026-04",
                                             "requests": 1}]  # fmt: skip
    assert (k["open_requests"], k["recoupments"], k["recouped"]) == (0, 1, "95.10")
    assert ptrcm("chart-audit", "recoup", "add", "--payer", "MEDICARE", "--amount", "-1",
                 env=env).returncode == 2  # fmt: skip

    fixed = _write(tmp_path / "fixed.jsonl", episode_records(12))
    assert ptrcm("import", "visits", str(fixed), env=env).returncode == 0
    again = ptrcm("chart-audit", "reaudit", "1", env=env)
    assert again.returncode == 0 and "round 2" in again.stdout and "12 passed" in again.stdout
    kpis = json.loads(ptrcm("chart-audit", "kpis", "--format", "json", env=env).stdout)
    assert kpis[-1]["pass_rate"] == "1.0000"


def test_an_unknown_audit_is_a_usage_error(tmp_path: Path) -> None:
    env = {"PTRCM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    assert ptrcm("db", "upgrade", env=env).returncode == 0
    done = ptrcm("chart-audit", "show", "9", env=env)
    assert done.returncode == 2 and "no chart audit 9" in done.stderr
    bad = ptrcm("chart-audit", "run", "--from", "2026-03-02", "--to", "2026-03-01", env=env)
    assert bad.returncode == 2
