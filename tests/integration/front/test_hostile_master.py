"""Hostile master-data and appointment files, on SQLite and PostgreSQL: one clean error
naming the path or line and the field, no patient data quoted, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ptrcm.errors import InputError
from ptrcm.services.intake.appointments import import_appointments
from ptrcm.services.intake.master import import_master
from ptrcm.store.repository import Store

PATIENT = {
    "patient_id": "P-1",
    "first_name": "Ida",
    "last_name": "Test",
    "birth_date": "1950-04-01",
}
APPOINTMENT = {"appointment_id": "A-1", "patient_id": "P-1", "date": "2026-03-02",
               "start": "09:00", "status": "scheduled", "duration_minutes": 45}  # fmt: skip

MASTER = [
    ("last name longer than NM103", {"patients": [PATIENT | {"last_name": "Q" * 81}]},
     "patients[0].last_name", "60"),
    ("first name longer than NM104", {"patients": [PATIENT | {"first_name": "Z" * 36}]},
     "patients[0].first_name", "35"),
    ("NUL in a name", {"patients": [PATIENT | {"first_name": "I\x00da"}]},
     "patients[0].first_name", "control"),
    ("birth date in year 1", {"patients": [PATIENT | {"birth_date": "0001-01-01"}]},
     "patients[0].birth_date", "1900-01-01"),
    ("a line break in an address", {"patients": [PATIENT | {"address": {"line1": "1 Elm\nSt"}}]},
     "patients[0].address.line1", "control"),
    ("member id longer than NM109", {"coverages": [{"patient_id": "P-1", "payer_id": "MEDICARE",
                                                    "rank": "primary", "member_id": "9" * 81}]},
     "coverages[0].member_id", "80"),
    ("10^25 authorized visits", {"authorizations": [{"number": "A1", "patient_id": "P-1",
                                                     "visits_authorized": 10**25}]},
     "authorizations[0].visits_authorized", "digits"),
    ("2^31 authorized visits", {"authorizations": [{"number": "A1", "patient_id": "P-1",
                                                    "visits_authorized": 2**31}]},
     "authorizations[0].visits_authorized", "999"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "doc", "field", "word"), MASTER, ids=[m[0] for m in MASTER])
def test_a_hostile_master_file_is_one_clean_error_and_writes_nothing(
    store: Store, tmp_path: Path, case: str, doc: dict[str, Any], field: str, word: str
) -> None:
    org = store.create_organization("clinic")
    path = tmp_path / "clinic.master.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_master(lambda: store.unit_of_work(org, "test"), path)
    [problem] = caught.value.problems
    assert problem.field == field, case
    assert word in problem.message, case
    for phi in ("Ida", "QQQ", "ZZZ", "999999", "Elm"):
        assert phi not in str(caught.value), case
    with store.unit_of_work(org, "test") as uow:
        assert [uow.master.count(k) for k in ("patients", "coverages", "authorizations")] == [
            0, 0, 0]  # fmt: skip


def test_a_deeply_nested_or_huge_number_master_file_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "clinic.master.json"
    for text, word in (("[" * 30_000 + "]" * 30_000, "deeper"), ('{"n": ' + "9" * 5000 + "}",
                                                                  "digits")):  # fmt: skip
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=word):
            import_master(lambda: None, path)  # type: ignore[arg-type,return-value]


def _raw(record: dict[str, Any], key: str, raw: str) -> str:
    return json.dumps(record | {key: "__RAW__"}).replace('"__RAW__"', raw)


APPOINTMENTS = [
    ("2^31 minutes", json.dumps(APPOINTMENT | {"duration_minutes": 2**31}), "duration_minutes",
     "1,440"),
    ("5,000-digit integer", _raw(APPOINTMENT, "duration_minutes", "9" * 5000), "duration_minutes",
     "digits"),
    ("deep nesting", _raw(APPOINTMENT, "notes", "[" * 20_000 + "]" * 20_000), None, "deeper"),
    ("NUL in the id", json.dumps(APPOINTMENT | {"appointment_id": "A\x001"}), "appointment_id",
     "control"),
    ("lone surrogate", _raw(APPOINTMENT, "patient_id", '"P\\ud800"'), "patient_id", "surrogate"),
    ("date in 9999", json.dumps(APPOINTMENT | {"date": "9999-12-31"}), "date", "2099-12-31"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "line", "field", "word"), APPOINTMENTS, ids=[a[0] for a in APPOINTMENTS]
)
def test_a_hostile_appointment_line_is_one_clean_error_or_kept_aside(
    store: Store, tmp_path: Path, case: str, line: str, field: str | None, word: str
) -> None:
    org = store.create_organization("clinic")
    path = tmp_path / "clinic.appointments.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_appointments(lambda: store.unit_of_work(org, "test"), path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (1, field), case
    assert word in problem.message and "\n" not in str(caught.value), case
    kept = import_appointments(lambda: store.unit_of_work(org, "test"), path, quarantine=True)
    assert (kept.inserted, kept.quarantined) == (0, 1), case
