"""CSV with a saved column mapping: ptrcm's own export reads back to the same visits; an
EMR-style export with its own headers, date format and constants maps; bad cells and
mappings are named by row, column and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Visit
from ptrcm.errors import ConfigError, InputError
from ptrcm.interfaces.csv_read import load_mapping, preview_rows, read_csv_file
from ptrcm.interfaces.csv_write import mapping_toml, write_csv_export
from tests.unit.interfaces.clinic import synthetic_clinic

EMR_MAPPING = """
[format]
date_format = "%m/%d/%Y"
list_separator = ","
[visit]
visit_id = "Encounter #"
patient_id = "Acct"
date_of_service = "DOS"
payer_id = "Ins Code"
member_id = "Policy"
"rendering.npi" = "Provider NPI"
"rendering.name" = "Provider"
"rendering.credential" = "Cred"
diagnoses = "ICD-10"
"patient.first_name" = "First"
"patient.last_name" = "Last"
[service]
code = "CPT"
minutes = "Min"
units = "Units"
modifiers = "Mods"
[constants]
discipline = "PT"
place_of_service = "11"
"""
HEADER = "Encounter #,Acct,DOS,Ins Code,Policy,Provider NPI,Provider,Cred,ICD-10,First,Last,"
ROW = "{v},P-9,{d},MEDICARE,1EG4TE5MK72,1234567893,Ana Ruiz,PT,{dx},Ann,Lee,"
DX2 = '"M54.16,M62.81"'
EMR_CSV = "\n".join([
    HEADER + "CPT,Min,Units,Mods",
    ROW.format(v="E-1", d="10/02/2025", dx=DX2) + "97110,30,2,GP",
    ROW.format(v="E-1", d="10/02/2025", dx=DX2) + '97140,15,1,"GP,59"',
    ROW.format(v="E-2", d="10/09/2025", dx="M54.16") + "97110,38,,",
]) + "\n"  # fmt: skip


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> list[Visit]:
    return synthetic_clinic(tmp_path_factory.mktemp("csv"))[1]


def test_own_export_reads_back_the_same_visits(visits: list[Visit], tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(mapping_toml(), encoding="utf-8")
    assert write_csv_export(visits, tmp_path / "x.csv") == len(visits)
    records = read_csv_file(tmp_path / "x.csv", load_mapping(tmp_path / "m.toml"))
    assert [r.problems for r in records] == [()] * len(visits)
    assert [parse_visit(r.record) for r in records] == visits


def _emr(tmp_path: Path, text: str = EMR_CSV, mapping: str = EMR_MAPPING) -> list:  # type: ignore[type-arg]
    (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
    (tmp_path / "e.csv").write_text(text, encoding="utf-8")
    return read_csv_file(tmp_path / "e.csv", load_mapping(tmp_path / "m.toml"))


def test_an_emr_export_maps_rows_to_visits(tmp_path: Path) -> None:
    first, second = (parse_visit(r.record) for r in _emr(tmp_path))
    assert first.visit_id == "E-1" and first.date_of_service.isoformat() == "2025-10-02"
    assert [(s.code, s.minutes, s.units, s.modifiers) for s in first.services] == [
        ("97110", 30, 2, ("GP",)), ("97140", 15, 1, ("GP", "59")),
    ]  # fmt: skip
    assert first.diagnoses == ("M54.16", "M62.81") and first.discipline == "PT"
    assert first.place_of_service == "11" and first.patient is not None
    # A blank modifiers cell means "not given" (ptrcm computes them) by default.
    assert second.services[0].modifiers is None and second.services[0].units is None


def test_bad_cells_name_row_and_column_without_values(tmp_path: Path) -> None:
    bad = EMR_CSV.replace("10/09/2025", "2025-10-09").replace("97140,15,", "97140,1x5,")
    first, second = _emr(tmp_path, bad)
    assert str(first.problems[0]) == (
        f"{tmp_path / 'e.csv'}:3: field column 'Min' (services[1].minutes): must be a whole number"
    )
    assert "column 'DOS' (date_of_service): is not a date written %m/%d/%Y" in str(
        second.problems[0]
    )


def test_rows_of_one_visit_must_agree(tmp_path: Path) -> None:
    second_row = ROW.format(v="E-1", d="10/02/2025", dx=DX2) + "97140"
    text = EMR_CSV.replace(second_row, second_row.replace("10/02/2025", "10/03/2025"))
    first = _emr(tmp_path, text)[0]
    assert "column 'DOS' (date_of_service): differs from line 2" in str(first.problems[0])


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"service\.colour"):
        _emr(tmp_path, mapping=EMR_MAPPING.replace('code = "CPT"', 'code = "CPT"\ncolour = "C"'))
    with pytest.raises(ConfigError, match=r"format\.blank_modifiers"):
        _emr(tmp_path, mapping=EMR_MAPPING.replace("[format]", '[format]\nblank_modifiers = "x"'))
    with pytest.raises(InputError, match="the header has no column 'Min'"):
        _emr(tmp_path, EMR_CSV.replace(",Min,", ",Minutes,"))


def test_preview_shows_the_first_visits_mapped_with_their_problems(tmp_path: Path) -> None:
    shown = preview_rows(_emr(tmp_path, EMR_CSV.replace("97110,38", "9711,38")), 5)
    assert [s["line"] for s in shown] == [2, 4]
    assert shown[0]["problems"] == [] and shown[0]["record"]["visit_id"] == "E-1"
    assert "is not a CPT/HCPCS code" in shown[1]["problems"][0]
