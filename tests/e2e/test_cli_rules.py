"""`ptrcm rules list|docs`: the catalog for scripts and the generated reference."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.rules.catalog import all_rules

runner = CliRunner()


def test_rules_list_json_names_every_rule_with_its_severity_and_source() -> None:
    done = runner.invoke(app, ["rules", "list", "--format", "json"])
    assert done.exit_code == 0
    rows = json.loads(done.stdout)
    assert [r["id"] for r in rows] == [r.id for r in all_rules()]
    assert all(r["severity"] in ("error", "warning", "info") and r["source"] for r in rows)


def test_rules_list_text_has_one_line_per_rule() -> None:
    done = runner.invoke(app, ["rules", "list"])
    assert done.stdout.count("\n") == len(all_rules())
    assert done.stdout.startswith("U001  error")


def test_rules_docs_check_fails_on_a_stale_file_and_passes_after_writing(tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    out.write_text("# old\n")
    stale = runner.invoke(app, ["rules", "docs", "--out", str(out), "--check"])
    assert stale.exit_code == 1 and "stale" in stale.output
    assert runner.invoke(app, ["rules", "docs", "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["rules", "docs", "--out", str(out), "--check"]).exit_code == 0
    assert "### M005 KX missing above the therapy threshold" in out.read_text()
