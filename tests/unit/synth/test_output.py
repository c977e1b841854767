"""The synthetic run's files: readable, linked, deterministic."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.services.intake.visit_files import read_visits
from ptrcm.synth import SynthOptions, companion_paths, iter_visit_records, write_synth
from tests.unit.synth.conftest import Run

SMALL = ("--patients", "60", "--months", "3", "--seed", "9", "--defect-rate", "0.2")


def test_every_visit_reads_back_through_read_visits(defect_run: Run) -> None:
    visits = read_visits(defect_run.paths["visits"])
    assert len(visits) == len(defect_run.visits) > 3000


def test_truth_has_one_line_per_visit_in_the_same_order(defect_run: Run) -> None:
    assert [t["visit_id"] for t in defect_run.truth] == [v["visit_id"] for v in defect_run.visits]
    labelled = [t for t in defect_run.truth if t["defects"]]
    share = len(labelled) / len(defect_run.truth)
    assert 0.18 < share < 0.3
    for t in labelled:
        for d in t["defects"]:
            assert set(d) >= {"kind", "rule", "code", "detail"}


def test_every_visit_embeds_the_patient_and_dependents_their_subscriber(clean_run: Run) -> None:
    dependents = 0
    for v in clean_run.visits:
        assert {"first_name", "last_name", "birth_date", "sex", "address"} <= set(v["patient"])
        if "subscriber" in v:
            dependents += 1
            assert v["subscriber"]["relationship"] in ("spouse", "child")
    assert dependents > 0


def test_master_names_the_period_and_the_day_after_the_last_service(clean_run: Run) -> None:
    master = clean_run.master
    last = max(date.fromisoformat(v["date_of_service"]) for v in clean_run.visits)
    assert master["as_of"] == (last + timedelta(days=1)).isoformat()
    assert master["period"] == {"start": "2025-10-01", "end": "2026-03-31"}
    assert len(master["patients"]) == 600
    assert {x["location_id"] for x in master["locations"]} == {"MAIN", "NORTH", "EAST"}
    assert {t["credential"] for t in master["therapists"]} >= {"PT", "PTA", "OT", "OTA", "SLP"}
    for key in ("coverages", "plans_of_care", "authorizations", "episodes", "payers"):
        assert master[key], key


def test_kept_appointments_point_at_their_visits(clean_run: Run) -> None:
    ids = {v["visit_id"] for v in clean_run.visits}
    kept = [a for a in clean_run.appointments if a["status"] == "kept"]
    assert {a["visit_id"] for a in kept} == ids
    assert all(a["visit_id"] is None for a in clean_run.appointments if a["status"] != "kept")


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    options = SynthOptions(patients=80, months=4, seed=3, defect_rate=0.3)
    write_synth(options, tmp_path / "a.jsonl")
    write_synth(options, tmp_path / "b.jsonl")
    for kind, a in companion_paths(tmp_path / "a.jsonl").items():
        b = companion_paths(tmp_path / "b.jsonl")[kind]
        assert a.read_bytes() == b.read_bytes(), kind


def test_another_process_with_another_hash_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["synth", "visits", *SMALL, "--out", str(tmp_path / "a.jsonl")]
    )
    assert result.exit_code == 0, result.output
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    code = "from ptrcm.cli import main; main()"
    args = [
        sys.executable,
        "-c",
        code,
        "synth",
        "visits",
        *SMALL,
        "--out",
        str(tmp_path / "b.jsonl"),
    ]
    subprocess.run(args, env=env, check=True, capture_output=True)
    for kind, a in companion_paths(tmp_path / "a.jsonl").items():
        assert a.read_bytes() == companion_paths(tmp_path / "b.jsonl")[kind].read_bytes(), kind


def test_another_seed_gives_other_visits() -> None:
    first = [v["services"] for v in iter_visit_records(30, 3, seed=1)]
    second = [v["services"] for v in iter_visit_records(30, 3, seed=2)]
    assert first != second


def test_defects_leave_every_other_visit_exactly_as_in_the_clean_run(
    clean_run: Run, defect_run: Run
) -> None:
    clean = {v["visit_id"]: v for v in clean_run.visits}
    for visit, truth in zip(defect_run.visits, defect_run.truth, strict=True):
        if not truth["defects"]:
            assert visit == clean[visit["visit_id"]]


def test_the_command_refuses_a_bad_start_date_with_exit_2(tmp_path: Path) -> None:
    out = str(tmp_path / "x.jsonl")
    result = CliRunner().invoke(app, ["synth", "visits", "--start", "2026-13-01", "--out", out])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["synth", "visits", "--locations", "9", "--out", out])
    assert result.exit_code == 2
    assert not (tmp_path / "x.jsonl").exists()
