"""FHIR R4: a Bulk Data export and a Bundle of the synthetic clinic read back to the same
visits; a bad resource makes only its own visit bad, named by file, line and element."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.interfaces.fhir_visit import read_fhir
from ptrcm.interfaces.fhir_write import write_bundle, write_ndjson_export
from tests.unit.interfaces.clinic import synthetic_clinic


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> list[Visit]:
    return synthetic_clinic(tmp_path_factory.mktemp("fhir"))[1]


def _visits_of(path: Path) -> dict[str, Visit]:
    records = read_fhir(path)
    assert [r.problems for r in records] == [()] * len(records)
    return {r.record_id or "": parse_visit(r.record, r.source, r.line) for r in records}


def test_bulk_export_reads_back_the_same_visits(visits: list[Visit], tmp_path: Path) -> None:
    assert write_ndjson_export(visits, tmp_path / "export") == len(visits)
    names = sorted(p.name for p in (tmp_path / "export").iterdir())
    assert names == [
        "ChargeItem.ndjson", "Condition.ndjson", "Coverage.ndjson", "Encounter.ndjson",
        "Patient.ndjson", "Practitioner.ndjson",
    ]  # fmt: skip
    assert _visits_of(tmp_path / "export") == {v.visit_id: v for v in visits}


def test_bundle_reads_back_the_same_visits(visits: list[Visit], tmp_path: Path) -> None:
    write_bundle(visits, tmp_path / "bundle.json")
    assert _visits_of(tmp_path / "bundle.json") == {v.visit_id: v for v in visits}


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, rows: list[dict[str, object]] | list[str]) -> None:
    text = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def test_bad_resources_spoil_only_their_visit(visits: list[Visit], tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_ndjson_export(visits[:6], folder)
    charges = _lines(folder / "ChargeItem.ndjson")
    encounters = _lines(folder / "Encounter.ndjson")
    first, second, third = (str(e["id"]) for e in encounters[:3])
    for c in charges:  # an unknown code system on the first visit's lines
        if c["context"] == {"reference": f"Encounter/{first}"}:
            c["code"] = {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]}
    _write(folder / "ChargeItem.ndjson", charges)
    encounters[1]["period"] = {"start": "2025-13-45"}  # fails the Encounter model
    encounters[2]["subject"] = {"reference": "Patient/nobody"}
    _write(folder / "Encounter.ndjson", [*encounters, "{not json"])
    records = read_fhir(folder)
    by_id = {r.record_id: r for r in records}
    assert "unknown code system" in str(by_id[first].problems[0])
    assert "field Encounter.period.start: is not valid" in str(by_id[second].problems[0])
    assert "Encounter.subject: names no Patient" in str(by_id[third].problems[0])
    broken = [r for r in records if r.record_id is None]
    assert len(broken) == 1 and "not valid JSON" in str(broken[0].problems[0])
    assert broken[0].line == len(encounters) + 1
    fine = [r for r in records if r.record is not None]
    assert len(fine) == 3
    for r in records:  # no patient data in any reason
        for v in visits[:6]:
            assert v.patient is None or v.patient.last_name not in str(r.problems)


def test_duplicate_encounter_ids_are_refused(visits: list[Visit], tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_ndjson_export(visits[:2], folder)
    encounters = _lines(folder / "Encounter.ndjson")
    _write(folder / "Encounter.ndjson", [*encounters, encounters[0]])
    problems = [str(p) for r in read_fhir(folder) for p in r.problems]
    assert any("duplicate Encounter id (first at" in p for p in problems)


def test_not_a_bundle_and_no_encounter_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text('{"resourceType": "Patient"}', encoding="utf-8")
    with pytest.raises(InputError, match="is not Bundle"):
        read_fhir(tmp_path / "b.json")
    (tmp_path / "e").mkdir()
    _write(tmp_path / "e" / "Patient.ndjson", [{"resourceType": "Patient", "id": "p1"}])
    with pytest.raises(InputError, match="holds no Encounter"):
        read_fhir(tmp_path / "e")


def test_procedures_are_the_lines_of_an_encounter_without_charge_items(
    visits: list[Visit], tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    write_ndjson_export(visits[:2], folder)
    charges = _lines(folder / "ChargeItem.ndjson")
    target = {"reference": f"Encounter/{visits[0].visit_id}"}
    _write(folder / "ChargeItem.ndjson", [c for c in charges if c["context"] != target])
    procedures = [
        {"resourceType": "Procedure", "id": f"pr{i}", "status": "completed",
         "subject": c["subject"], "encounter": c["context"], "code": c["code"]}
        for i, c in enumerate(charges) if c["context"] == target
    ]  # fmt: skip
    _write(folder / "Procedure.ndjson", procedures)
    got = _visits_of(folder)[visits[0].visit_id]
    assert [s.code for s in got.services] == [s.code for s in visits[0].services]
    assert all(s.units is None and s.minutes is None for s in got.services)
    assert _visits_of(folder)[visits[1].visit_id] == visits[1]


def test_cancelled_encounters_are_left_out(visits: list[Visit], tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_ndjson_export(visits[:3], folder)
    encounters = _lines(folder / "Encounter.ndjson")
    encounters[1]["status"] = "cancelled"
    _write(folder / "Encounter.ndjson", encounters)
    assert sorted(_visits_of(folder)) == sorted([visits[0].visit_id, visits[2].visit_id])
