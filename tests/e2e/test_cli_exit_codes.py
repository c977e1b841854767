"""Exit codes that mean what README says: 1 findings to act on (x12 read included), 3 an
unexpected error, shown as one line with an error id while its details go to a log that
carries no patient data."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ptrcm import cli
from ptrcm.commands import error_log
from tests.unit.x12.remits import CORRECTION, DENIAL, PARTIAL, REVERSAL, sample_835

runner = CliRunner()
PATIENT = "Jane Q Patientname"
MEMBER_ID = "1EG4TE5MK73"


def _unbalanced_835(tmp_path: Path) -> Path:
    bad = [PARTIAL[0].replace("*110*", "*111*"), *PARTIAL[1:]]
    path = tmp_path / "unbalanced.835"
    path.write_text(sample_835(total="111", claims=[bad, DENIAL, REVERSAL, CORRECTION]))
    return path


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_x12_read_exits_1_when_the_file_has_an_error_finding(tmp_path: Path, fmt: str) -> None:
    done = runner.invoke(cli.app, ["x12", "read", str(_unbalanced_835(tmp_path)), "--format", fmt])
    assert done.exit_code == 1, done.output
    if fmt == "json":  # the model is still printed in full
        findings = json.loads(done.stdout)["findings"]
        assert any(f["severity"] == "error" for f in findings)


def test_x12_read_of_a_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "clean.835"
    path.write_text(sample_835())
    done = runner.invoke(cli.app, ["x12", "read", str(path)])
    assert done.exit_code == 0, done.output


def _crash(*_args: object, **_kwargs: object) -> None:
    try:
        raise KeyError(f"member {MEMBER_ID}")
    except KeyError as inner:
        raise RuntimeError(f"cannot read claim of {PATIENT}") from inner


def test_an_unexpected_error_exits_3_with_one_line_and_an_error_id_and_no_phi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "errors.log"
    monkeypatch.setenv(error_log.LOG_ENV, str(log))
    monkeypatch.setattr("ptrcm.x12.read.read_x12", _crash)
    path = tmp_path / f"{PATIENT}.835"
    path.write_text(sample_835())
    monkeypatch.setattr(sys, "argv", ["ptrcm", "x12", "read", str(path)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == error_log.EXIT_INTERNAL == 3
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1, stderr
    found = re.search(r"internal error (E\d{8}-[0-9a-f]{8})", stderr)
    assert found is not None, stderr
    text = log.read_text(encoding="utf-8")
    assert found.group(1) in text and str(log) in stderr
    assert "builtins.RuntimeError" in text and "builtins.KeyError" in text
    assert "in _crash" in text and "ptrcm x12 read" in text
    for secret in (PATIENT, MEMBER_ID, "Patientname"):
        assert secret not in stderr and secret not in text


def test_the_default_error_log_is_under_var_log_of_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(error_log.LOG_ENV, raising=False)
    assert error_log.log_path() == Path("var/log/ptrcm-errors.log")


def test_a_ptrcm_error_is_still_exit_2_not_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(error_log.LOG_ENV, str(tmp_path / "errors.log"))
    monkeypatch.setattr(sys, "argv", ["ptrcm", "x12", "read", str(tmp_path / "nope.835")])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    assert "nope.835" in capsys.readouterr().err
    assert not (tmp_path / "errors.log").exists()
