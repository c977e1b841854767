"""`ptrcm scrub --db`: the patients' stored visits are history for the rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ptrcm.cli import app
from tests.integration.store.visit_records import visit

runner = CliRunner()


def write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def clean(visit_id: str, day: str, **changes: Any) -> dict[str, Any]:
    """A Medicare visit with nothing for the file-only rules to find."""
    fields: dict[str, Any] = {
        "date_of_service": day,
        "diagnoses": ["M54.16"],
        "services": [{"code": "97110", "minutes": 30, "units": 2, "modifiers": ["GP"]}],
        "total_timed_minutes": 30,
        "total_treatment_minutes": 35,
    }
    return visit(visit_id, **(fields | changes))


def scrub(path: Path, *extra: str) -> list[dict[str, Any]]:
    result = runner.invoke(
        app, ["scrub", str(path), "--as-of", "2026-03-10", "--format", "json", *extra]
    )
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def rules(findings: list[dict[str, Any]], visit_id: str) -> set[str]:
    return {f["rule"] for f in findings if f["visit_id"] == visit_id}


def test_a_duplicate_of_a_stored_visit_is_found_only_with_the_database(
    db_url: str, tmp_path: Path
) -> None:
    stored = write(tmp_path / "stored.jsonl", clean("V-OLD", "2026-03-02"))
    imported = runner.invoke(app, ["import", "visits", str(stored), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    today = write(tmp_path / "today.jsonl", clean("V-NEW", "2026-03-02"))
    assert "C003" not in rules(scrub(today), "V-NEW")
    with_db = scrub(today, "--db", db_url)
    assert "C003" in rules(with_db, "V-NEW")
    assert all(f["visit_id"] == "V-NEW" for f in with_db)  # stored visits are not scrubbed


def test_kx_year_to_date_counts_stored_visits(db_url: str, tmp_path: Path) -> None:
    # The stored visit says 2,470.00 was already allowed in 2026 before it; its own two
    # units of 97110 (2 x 29.50 = 59.00 on the default schedule) take the year to
    # 2,529.00, over the 2026 threshold of 2,480.00, so the next visit needs KX.
    stored = write(
        tmp_path / "stored.jsonl",
        clean(
            "V-1",
            "2026-03-02",
            kx_ytd_allowed="2470.00",
            services=[{"code": "97110", "minutes": 30, "units": 2, "modifiers": ["GP", "KX"]}],
        ),
    )
    assert runner.invoke(app, ["import", "visits", str(stored), "--db", db_url]).exit_code == 0
    today = write(tmp_path / "today.jsonl", clean("V-2", "2026-03-05"))
    assert "M005" not in rules(scrub(today), "V-2")
    assert "M005" in rules(scrub(today, "--db", db_url), "V-2")


def test_an_unknown_organization_is_a_usage_error(db_url: str, tmp_path: Path) -> None:
    today = write(tmp_path / "today.jsonl", clean("V-2", "2026-03-05"))
    runner.invoke(app, ["db", "upgrade", "--db", db_url])
    result = runner.invoke(app, ["scrub", str(today), "--db", db_url, "--org", "nope"])
    assert result.exit_code == 2
