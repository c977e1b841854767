"""The installed `ptrcm` console script, run as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PTRCM = shutil.which("ptrcm", path=str(Path(sys.executable).parent))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    if PTRCM is None:
        pytest.skip("the ptrcm console script is not installed in this environment")
    return subprocess.run([PTRCM, *args], capture_output=True, text=True, timeout=60, check=False)


def test_units_json_follows_the_contract_shape() -> None:
    done = run("units", "97110=33", "97140=7", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"method", "total_timed_minutes", "units"} <= set(data)
    assert data == data | {
        "method": "cms",
        "total_timed_minutes": 40,
        "units": {"97110": 2, "97140": 1},
    }


def test_units_bad_argument_exits_2_with_a_one_line_reason() -> None:
    done = run("units", "97110=-3")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "97110=-3" in done.stderr


def test_charges_summarises_a_visit_file_in_json(tmp_path: Path) -> None:
    base = {
        "visit_id": "V-1", "patient_id": "P-1", "date_of_service": "2026-03-02",
        "payer_id": "MEDICARE", "discipline": "PT",
        "rendering": {"credential": "PT", "npi": "1234567893"}, "diagnoses": ["M54.16"],
        "services": [{"code": "97110", "minutes": 33}, {"code": "97140", "minutes": 7}],
    }  # fmt: skip
    path = tmp_path / "v.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(base | {"visit_id": f"V-{p}", "payer_id": p})
            for p in ("MEDICARE", "COMMERCIAL")
        )
        + "\n"
    )
    done = run("charges", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["units"] == 5
    assert data["charges"] == "276.00"
    assert data["documented_but_not_billable"] == {"97140": 1}


def test_charges_on_a_bad_file_names_line_and_field_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text('{"visit_id": "V-1"}\n')
    done = run("charges", str(path))
    assert done.returncode == 2
    assert f"{path}:1: field patient_id: is required" in done.stderr
