"""`ptrcm x12 write-837` as a user runs it: valid files, mixed claim types, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.unit.x12_write import factory as f
from tests.x12_oracle import pyx12_errors

PTRCM = shutil.which("ptrcm", path=str(Path(sys.executable).parent))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    if PTRCM is None:
        pytest.skip("the ptrcm console script is not installed in this environment")
    return subprocess.run([PTRCM, *args], capture_output=True, text=True, timeout=60, check=False)


def _files(tmp_path: Path, records: list[dict[str, object]]) -> tuple[Path, Path]:
    visits = tmp_path / "visits.jsonl"
    visits.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    config = tmp_path / "ptrcm.toml"
    config.write_text(f.INSTITUTIONAL_PAYERS + '\n[x12]\nusage = "T"\n', encoding="utf-8")
    return visits, config


def test_one_claim_type_writes_exactly_the_file_asked_for_and_it_validates(
    tmp_path: Path,
) -> None:
    visits, config = _files(tmp_path, [f.visit_record(), f.visit_record(visit_id="V-2")])
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="ascii")
    assert text.count("CLM*") == 2
    assert pyx12_errors(text) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "claims.x12",
        "ptrcm.toml",
        "visits.jsonl",
    ]


def test_mixed_claim_types_write_one_valid_file_per_type(tmp_path: Path) -> None:
    records = [f.visit_record(), f.visit_record(visit_id="V-2", payer_id="MEDICARE_HOPD")]
    visits, config = _files(tmp_path, records)
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr
    professional = (tmp_path / "claims.837P.x12").read_text(encoding="ascii")
    institutional = (tmp_path / "claims.837I.x12").read_text(encoding="ascii")
    assert "005010X222A1" in professional and "005010X223A2" in institutional
    assert pyx12_errors(professional) == [] and pyx12_errors(institutional) == []
    assert not out.exists()


def test_a_visit_missing_the_patient_exits_2_naming_file_line_and_field_and_writes_nothing(
    tmp_path: Path,
) -> None:
    records = [f.visit_record(), f.visit_record(visit_id="V-2", patient=None)]
    visits, config = _files(tmp_path, records)
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 2
    assert f"{visits}:2: field patient" in done.stderr
    assert not out.exists()
    assert not list(tmp_path.glob("*.tmp"))


def test_an_unreadable_visit_record_exits_2(tmp_path: Path) -> None:
    visits, config = _files(tmp_path, [f.visit_record()])
    visits.write_text(visits.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 2
    assert f"{visits}:2" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("payer", ["MEDICARE", "MEDICARE_HOPD"])
def test_a_five_digit_clinic_zip_stops_write_837_naming_the_key_and_nine_validate(
    tmp_path: Path, payer: str
) -> None:
    # 2010AA N403 (billing provider ZIP) must be nine digits in 837P and 837I (pyx12).
    visits, config = _files(tmp_path, [f.visit_record(payer_id=payer)])
    text = config.read_text(encoding="utf-8")
    address = (
        '[clinic]\naddress = { line1 = "1 Elm St", city = "Springfield", state = "IL",'
        ' zip = "%s" }\n'
    )
    config.write_text(address % "62701" + text, encoding="utf-8")
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 2 and "clinic.address.zip" in done.stderr
    assert not out.exists()
    config.write_text(address % "627010001" + text, encoding="utf-8")
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert pyx12_errors(out.read_text(encoding="ascii")) == []


def test_an_assistants_visit_is_billed_under_the_supervising_therapist_with_cq_lines(
    tmp_path: Path,
) -> None:
    pta = {"npi": "1679576722", "credential": "PTA", "name": "Sam Hill"}
    supervising = {"npi": "1245319599", "credential": "PT", "name": "Ana Ruiz, DPT"}
    services = [{"code": "97110", "minutes": 36, "assistant_minutes": 23},
                {"code": "97140", "minutes": 30}]  # fmt: skip
    record = f.visit_record(rendering=pta, supervising=supervising, services=services)
    visits, config = _files(tmp_path, [record])
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="ascii")
    assert "1679576722" not in text and "NM1*82*1*Ruiz*Ana" in text
    assert "SV1*HC:97110:GP*" in text and "SV1*HC:97110:GP:CQ*" in text
    assert pyx12_errors(text) == []
    record.pop("supervising")
    visits, config = _files(tmp_path, [record])
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 2 and "supervising" in done.stderr


def test_a_visit_dated_after_today_is_not_billed(tmp_path: Path) -> None:
    # Nothing in the future is billed: a claim is for services already furnished.
    soon = (date.today() + timedelta(days=3)).isoformat()
    records = [f.visit_record(), f.visit_record(visit_id="V-9", date_of_service=soon)]
    visits, config = _files(tmp_path, records)
    out = tmp_path / "claims.x12"
    done = run("x12", "write-837", str(visits), "--out", str(out), "--config", str(config))
    assert done.returncode == 2 and "date_of_service" in done.stderr and "V-9" in done.stderr
    assert not out.exists()
