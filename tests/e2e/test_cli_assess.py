"""`ptrcm assess` end to end: the CLI on the public 835 samples and on a synthetic
practice's 835s and 837s, its figures checked against an independent reading of the same
files (tests/e2e/assess_oracle.py), and the report's three files written."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e import cli
from tests.e2e.assess_oracle import aging_total, denial_figures, read_835s, read_837s

REPO = Path(__file__).resolve().parents[2]
SAMPLES = Path(os.environ.get("PTRCM_X12_SAMPLES", REPO.parent / "shared" / "x12-samples"))
AS_OF = "2026-09-30"


def ptrcm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli.ptrcm(*args, cwd=cwd, env={"COLUMNS": "200"}, timeout=600)


def _class(data: dict, name: str) -> dict:
    return next(c for c in data["classes"] if c["class"] == name)


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic practice: visits -> 837 -> the payer simulator's 835 (and 999, 277CA)."""
    root = tmp_path_factory.mktemp("practice")
    (root / "claims").mkdir()
    (root / "answers").mkdir()
    steps = (
        (
            "synth",
            "visits",
            "--out",
            "visits.jsonl",
            "--patients",
            "40",
            "--months",
            "2",
            "--start",
            "2026-06-01",
            "--seed",
            "3",
        ),
        ("x12", "write-837", "visits.jsonl", "--out", "claims/claims.837"),
        (
            "payer",
            "simulate",
            "--in",
            "claims",
            "--out",
            "answers",
            "--profile",
            "medicare",
            "--received",
            "2026-08-15",
        ),
    )
    for step in steps:
        done = ptrcm(*step, cwd=root)
        assert done.returncode == 0, done.stderr
    (root / "remits").mkdir()
    (root / "remits" / "claims.835").write_bytes((root / "answers" / "claims.835").read_bytes())
    return root


def test_synthetic_practice_matches_an_independent_reading(practice: Path) -> None:
    done = ptrcm(
        "assess",
        "remits",
        "--claims",
        "claims",
        "--out",
        "report",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        cwd=practice,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    remits = read_835s(practice / "remits")
    expected = denial_figures(remits)
    assert data["denials"]["count"] == expected["count"] > 0
    assert Decimal(data["denials"]["dollars"]) == expected["dollars"]
    assert Decimal(_class(data, "preventable")["dollars"]) == expected["preventable"]
    assert sum(Decimal(c["dollars"]) for c in data["classes"]) == expected["dollars"]
    buckets = aging_total(read_837s(practice / "claims"), remits, date.fromisoformat(AS_OF))
    overall = next(r for r in data["aging"] if r["payer_class"] == "all")
    got = {b["bucket"]: Decimal(b["dollars"]) for b in overall["buckets"] if Decimal(b["dollars"])}
    assert got == buckets and got
    assert data["claims_answered"] == len(remits)
    for name in ("assessment.json", "assessment.html", "assessment.pdf"):
        assert (practice / "report" / name).stat().st_size > 0
    assert (practice / "report" / "assessment.pdf").read_bytes().startswith(b"%PDF")
    html = (practice / "report" / "assessment.html").read_text()
    assert "Top denial reasons" in html and "<svg" in html
    assert json.loads((practice / "report" / "assessment.json").read_text()) == data


def test_a_resent_copy_of_a_remittance_changes_nothing(practice: Path, tmp_path: Path) -> None:
    folder = tmp_path / "remits"
    folder.mkdir()
    original = (practice / "remits" / "claims.835").read_bytes()
    (folder / "a.835").write_bytes(original)
    (folder / "b.835").write_bytes(original + b"\n")  # same payment, other bytes
    done = ptrcm(
        "assess",
        str(folder),
        "--out",
        str(tmp_path / "r"),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        cwd=practice,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["duplicates_dropped"] >= 1
    assert data["denials"]["count"] == denial_figures(read_835s(practice / "remits"))["count"]
    assert data["aging"] is None
    assert any("no 837s" in n for n in data["not_computed"])


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"public X12 samples not found at {SAMPLES}")
def test_public_samples_match_an_independent_reading(tmp_path: Path) -> None:
    done = ptrcm(
        "assess",
        str(SAMPLES),
        "--out",
        str(tmp_path / "r"),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    remits = read_835s(SAMPLES)
    expected = denial_figures(remits)
    assert data["claims_answered"] == len(remits)
    assert data["denials"]["count"] == expected["count"] > 0
    assert Decimal(data["denials"]["dollars"]) == expected["dollars"]
    assert Decimal(_class(data, "preventable")["dollars"]) == expected["preventable"]
    assert any(s.endswith("not an 835") for s in data["skipped"])


def test_bad_usage_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = ptrcm("assess", str(empty), "--out", str(tmp_path / "r"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no readable 835" in done.stderr
    done = ptrcm("assess", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2 and "is not a folder" in done.stderr
    done = ptrcm("assess", str(empty), "--target", "1.5", cwd=tmp_path)
    assert done.returncode == 2 and "--target" in done.stderr
