"""`ptrcm x12 read` and `ptrcm x12 validate` as a user runs them (exit codes 0, 1, 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ptrcm.cli import app
from tests.unit.x12.remits import CORRECTION, DENIAL, PARTIAL, REVERSAL, sample_835

runner = CliRunner()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.835"
    path.write_text(sample_835())
    return path


def test_read_prints_the_model_as_json_with_decimal_strings_and_iso_dates(good: Path) -> None:
    result = runner.invoke(app, ["x12", "read", str(good), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    claim = data["transactions"][0]["claims"][0]
    assert claim["charge"] == "200.00" and claim["lines"][0]["units"] == "2"
    assert claim["dates"][0]["value"] == "2026-05-10"
    assert data["kind"] == "835"


def test_read_text_summarizes_claims(good: Path) -> None:
    result = runner.invoke(app, ["x12", "read", str(good), "--format", "text"])
    assert result.exit_code == 0
    assert "claim PCN-2 status 4" in result.stdout


def test_validate_a_clean_file_exits_0(good: Path) -> None:
    result = runner.invoke(app, ["x12", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout and "pyx12" in result.stdout


def test_validate_reports_balancing_findings_with_exit_1(tmp_path: Path) -> None:
    bad = [PARTIAL[0].replace("*110*", "*111*"), *PARTIAL[1:]]
    path = tmp_path / "bad.835"
    path.write_text(sample_835(total="111", claims=[bad, DENIAL, REVERSAL, CORRECTION]))
    result = runner.invoke(app, ["x12", "validate", str(path), "--no-pyx12", "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert findings[0]["segment_id"] == "CLP" and "PCN-1" in findings[0]["message"]


def test_an_unreadable_file_exits_2_with_one_line_naming_file_and_segment(tmp_path: Path) -> None:
    path = tmp_path / "cut.835"
    path.write_text(sample_835().split("SE*")[0])
    result = runner.invoke(app, ["x12", "read", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "cut.835: segment 3 ST: transaction set '1001' has no SE" in result.stderr


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["x12", "validate", str(tmp_path / "nope.835")])
    assert result.exit_code == 2 and "nope.835" in result.stderr
