"""`ptrcm scrub` as a user runs it: the JSON contract, exit codes, text, --fix, selection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.services.intake.visit_files import read_visits
from tests.e2e.scrub_cases import CASES
from tests.unit.scrub.factory import base, service

AS_OF = "2026-03-20"
runner = CliRunner()


def _file(tmp_path: Path, records: list[dict[str, Any]], name: str = "visits.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _scrub(tmp_path: Path, records: list[dict[str, Any]], *args: str, config: str | None = None):  # type: ignore[no-untyped-def]
    path = _file(tmp_path, records)
    extra = []
    if config is not None:
        cfg = tmp_path / "ptrcm.toml"
        cfg.write_text(config, encoding="utf-8")
        extra = ["--config", str(cfg)]
    return runner.invoke(app, ["scrub", str(path), "--as-of", AS_OF, *extra, *args])


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_cli_rule_fires_on_its_defect(tmp_path: Path, rule_id: str) -> None:
    firing, _quiet, config = CASES[rule_id]
    done = _scrub(tmp_path, firing, "--format", "json", "--select", rule_id, config=config)
    assert done.exit_code in (0, 1), done.output
    rules = {f["rule"] for f in json.loads(done.stdout)}
    assert rule_id in rules


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_cli_rule_does_not_fire_on_clean_data(tmp_path: Path, rule_id: str) -> None:
    _firing, quiet, config = CASES[rule_id]
    done = _scrub(tmp_path, quiet, "--format", "json", "--select", rule_id, config=config)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == []


def test_json_findings_follow_the_contract_shape(tmp_path: Path) -> None:
    record = base()
    service(record, "97110")["units"] = 3
    done = _scrub(tmp_path, [record], "--format", "json", "--select", "U,M,N")
    assert done.exit_code == 1
    (finding,) = json.loads(done.stdout)
    assert {"visit_id", "line", "code", "rule", "severity", "message", "fix"} <= set(finding)
    assert finding | {"visit_id": "V-1", "line": 1, "code": "97110", "rule": "U002",
                      "severity": "error"} == finding  # fmt: skip
    assert finding["fix"] == "set 97110 units to 2"


def test_a_file_with_only_warnings_exits_zero(tmp_path: Path) -> None:
    done = _scrub(tmp_path, [base(total_timed_minutes=45)], "--select", "U,M,N")
    assert done.exit_code == 0
    assert "U003" in done.stdout and "1 warnings" in done.stdout


def test_text_output_names_visit_line_code_rule_and_summarises_by_rule(tmp_path: Path) -> None:
    record = base()
    service(record, "97140")["modifiers"] = ["GO"]
    done = _scrub(tmp_path, [record, base(visit_id="V-2")], "--select", "U,M,N")
    assert done.exit_code == 1
    first = done.stdout.splitlines()[0]
    assert first.startswith("V-1:2 97140 M002 error: ")
    assert "1 findings in 1 of 2 visits: 1 errors" in done.stdout
    assert "  M002  1 error" in done.stdout


def test_ignore_wins_over_select_like_a_linter(tmp_path: Path) -> None:
    record = base(total_timed_minutes=45)
    service(record, "97110")["units"] = 3
    done = _scrub(tmp_path, [record], "--format", "json", "--select", "U", "--ignore", "U002")
    assert [f["rule"] for f in json.loads(done.stdout)] == ["U003"]


def test_config_rules_ignore_is_honoured(tmp_path: Path) -> None:
    record = base()
    service(record, "97110")["units"] = 3
    done = _scrub(tmp_path, [record], "--format", "json", "--select", "U",
                  config='[rules]\nignore = ["U002"]\n')  # fmt: skip
    assert done.exit_code == 0 and json.loads(done.stdout) == []


def test_fix_writes_visits_whose_rescrub_lacks_every_fixed_finding(tmp_path: Path) -> None:
    records = [rec for rule in ("U002", "U003", "U004", "U005", "M001", "M002", "M003",
                                "M004", "N004") for rec in CASES[rule][0]]  # fmt: skip
    for i, rec in enumerate(records):
        rec["visit_id"], rec["patient_id"] = f"V-{i}", f"P-{i}"
    before = _scrub(tmp_path, records, "--format", "json", "--select", "U,M,N")
    fixable = {(f["visit_id"], f["rule"], f["code"]) for f in json.loads(before.stdout) if f["fix"]}
    assert len(fixable) >= 9
    out = tmp_path / "fixed.jsonl"
    done = _scrub(tmp_path, records, "--fix", "--out", str(out), "--format", "json",
                  "--select", "U,M,N")  # fmt: skip
    assert out.is_file() and len(read_visits(out)) == len(records)
    again = runner.invoke(app, ["scrub", str(out), "--as-of", AS_OF, "--format", "json",
                                "--select", "U,M,N"])  # fmt: skip
    remaining = {(f["visit_id"], f["rule"], f["code"]) for f in json.loads(again.stdout)}
    assert not fixable & remaining
    assert json.loads(done.stdout) == json.loads(again.stdout)


def test_fix_without_out_is_a_usage_error(tmp_path: Path) -> None:
    done = _scrub(tmp_path, [base()], "--fix")
    assert done.exit_code == 2 and "--out" in done.output


@pytest.mark.parametrize(
    ("args", "config", "needle"),
    [
        (["--as-of", "2026-02-30"], None, "--as-of"),
        (["--select", "Q1"], None, "Q1"),
        ([], '[payers.MEDICARE]\nkx_treshold = "1.00"\n', "payers.MEDICARE.kx_treshold"),
        ([], '[payers.MEDICARE]\nunit_method = "cms"\npack = "nope"\n', "payers.MEDICARE.pack"),
    ],
)
def test_bad_usage_or_config_exits_two_naming_the_problem(
    tmp_path: Path, args: list[str], config: str | None, needle: str
) -> None:
    done = _scrub(tmp_path, [base()], *args, config=config)
    assert done.exit_code == 2 and needle in done.output


def test_a_bad_record_exits_two_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "visits.jsonl"
    path.write_text(json.dumps(base()) + "\n" + json.dumps(base(visit_id="V-2", payer_id=7)) + "\n")
    done = runner.invoke(app, ["scrub", str(path)])
    assert done.exit_code == 2 and f"{path}:2: field payer_id" in done.output


def test_an_empty_database_adds_no_history_and_no_findings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0
    done = _scrub(tmp_path, [base()], "--db", url, "--select", "U")
    assert done.exit_code == 0, done.output
    assert "0 findings" in done.output


def test_a_database_file_that_does_not_exist_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    done = _scrub(tmp_path, [base()], "--db", f"sqlite:///{missing}", "--select", "U")
    assert done.exit_code == 2
    assert str(missing) in done.stderr and done.stderr.strip().count("\n") == 0
    assert not missing.exists()
