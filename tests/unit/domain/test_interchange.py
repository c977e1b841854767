"""The visit reader: good records read whole, bad records named by file, line and field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ptrcm.errors import InputError
from ptrcm.services.intake.visit_files import read_visits, write_visits

GOOD: dict[str, Any] = {
    "visit_id": "V-1001",
    "patient_id": "P-17",
    "date_of_service": "2026-03-02",
    "payer_id": "MEDICARE",
    "member_id": "1EG4TE5MK73",
    "place_of_service": "11",
    "location_id": "MAIN",
    "discipline": "PT",
    "rendering": {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"},
    "diagnoses": ["M54.16", "M62.81"],
    "services": [
        {"code": "97110", "minutes": 23, "assistant_minutes": 0},
        {"code": "97140", "minutes": 10, "units": 1, "modifiers": ["GP"]},
        {"code": "97010"},
    ],
    "total_timed_minutes": 33,
    "total_treatment_minutes": 45,
    "plan_of_care": {"start": "2026-02-10", "certified_on": "2026-02-20", "through": "2026-05-10"},
    "episode_visit_number": 7,
    "last_progress_report_visit": 1,
    "authorization": {
        "number": "A123",
        "visits_authorized": 12,
        "visits_used": 6,
        "start": "2026-02-10",
        "end": "2026-04-10",
    },
    "kx_ytd_allowed": "1234.50",
    "emr_note_id": "N-9",
}


def write_lines(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "visits.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_architecture_example_reads_into_a_visit(tmp_path: Path) -> None:
    [visit] = read_visits(write_lines(tmp_path, [json.dumps(GOOD)]))
    assert visit.date_of_service == date(2026, 3, 2)
    assert visit.services[1].modifiers == ("GP",)
    assert visit.services[2].minutes is None
    assert visit.kx_ytd_allowed == Decimal("1234.50")
    assert visit.plan_of_care is not None
    assert visit.plan_of_care.through == date(2026, 5, 10)
    assert visit.extra == {"emr_note_id": "N-9"}


def test_reading_then_writing_keeps_unknown_keys_and_round_trips(tmp_path: Path) -> None:
    visits = read_visits(write_lines(tmp_path, [json.dumps(GOOD)]))
    out = tmp_path / "out.jsonl"
    write_visits(visits, out)
    assert read_visits(out) == visits
    assert json.loads(out.read_text())["emr_note_id"] == "N-9"


def bad(**changes: Any) -> dict[str, Any]:
    record = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        target = record
        *path, last = key.split("__")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return record


DELETE = object()

# Each kind of bad record, the field the error must name, and a word the message must say.
BAD_RECORDS = [
    ("missing required field", bad(visit_id=DELETE), "visit_id", "required"),
    ("wrong type", bad(patient_id=17), "patient_id", "string"),
    ("impossible date", bad(date_of_service="2026-02-30"), "date_of_service", "date"),
    ("unknown discipline", bad(discipline="PX"), "discipline", "PT, OT, SLP"),
    ("unknown credential", bad(rendering__credential="XYZ"), "rendering.credential", "credential"),
    ("no services", bad(services=[]), "services", "one to 50"),
    ("more lines than an 837P holds", bad(services=[{"code": "97010"}] * 51), "services",
     "one to 50"),
    ("malformed code", bad(services__0__code="9711"), "services[0].code", "CPT"),
    ("negative minutes", bad(services__0__minutes=-5), "services[0].minutes", "from 0 to"),
    ("fractional minutes", bad(services__0__minutes=12.5), "services[0].minutes", "whole"),
    ("zero units", bad(services__1__units=0), "services[1].units", "from 1 to"),
    ("bad modifier", bad(services__1__modifiers=["G"]), "services[1].modifiers[0]", "modifier"),
    ("float money", bad(kx_ytd_allowed=1234.5), "kx_ytd_allowed", "decimal string"),
    ("bad diagnosis shape", bad(diagnoses=["54.16"]), "diagnoses[0]", "ICD-10-CM"),
    ("assistant over total", bad(services__0__assistant_minutes=30),
     "services[0].assistant_minutes", "more than"),
    ("plan ends before start", bad(plan_of_care__through="2026-01-01"),
     "plan_of_care.through", "before"),
    ("bad npi", bad(rendering__npi="12345"), "rendering.npi", "10 digits"),
    ("bad place of service", bad(place_of_service="1"), "place_of_service", "two-digit"),
    # The limits of domain/input_limits.py (docs/input-limits.md), each measured on main.
    ("minutes beyond a day", bad(services__0__minutes=1441), "services[0].minutes", "1,440"),
    ("10^20 minutes", bad(services__0__minutes=10**20), "services[0].minutes", "18 digits"),
    ("a day's minutes exceeded", bad(services__0__minutes=900, services__1__minutes=900),
     "services", "more than 1,440"),
    ("visit total beyond a day", bad(total_timed_minutes=1441), "total_timed_minutes", "1,440"),
    ("units beyond 32 bits", bad(services__1__units=2**31), "services[1].units", "from 1 to 99"),
    ("10^25 authorized visits", bad(authorization__visits_authorized=10**25),
     "authorization.visits_authorized", "18 digits"),
    ("absurd authorized visits", bad(authorization__visits_authorized=10**6),
     "authorization.visits_authorized", "999"),
    ("date of service in year 1", bad(date_of_service="0001-01-01"), "date_of_service", "1900"),
    ("date of service in 9999", bad(date_of_service="9999-12-31"), "date_of_service", "2099"),
    ("birth after the visit", bad(patient={"first_name": "A", "last_name": "B",
                                           "birth_date": "2026-03-03"}),
     "patient.birth_date", "after the date of service"),
    ("member id over NM109", bad(member_id="M" * 81), "member_id", "longer than 80"),
    ("last name over NM103", bad(patient={"first_name": "A", "last_name": "B" * 61}),
     "patient.last_name", "longer than 60"),
    ("first name over NM104", bad(patient={"first_name": "A" * 36, "last_name": "B"}),
     "patient.first_name", "longer than 35"),
    ("visit id over its column", bad(visit_id="V" * 65), "visit_id", "longer than 64"),
    ("NUL in an id", bad(patient_id="P\x00-1"), "patient_id", "control character"),
    ("line break in a name", bad(rendering__name="Ana\nRuiz"), "rendering.name", "control"),
    ("lone surrogate", bad(location_id="MAIN\ud800"), "location_id", "surrogate"),
    ("line break in a modifier", bad(services__1__modifiers=["GP\n"]),
     "services[1].modifiers[0]", "modifier"),
    ("money beyond the store", bad(kx_ytd_allowed="1e999999"), "kx_ytd_allowed", "amount"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "record", "field", "word"), BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS]
)
def test_a_bad_record_is_rejected_naming_line_and_field(
    tmp_path: Path, kind: str, record: dict[str, Any], field: str, word: str
) -> None:
    path = write_lines(tmp_path, [json.dumps(GOOD | {"visit_id": "V-0"}), json.dumps(record)])
    with pytest.raises(InputError) as caught:
        read_visits(path)
    problem = caught.value.problems[0]
    assert problem.line == 2, kind
    assert problem.field == field, kind
    assert word in problem.message, kind
    assert f"{path}:2: field {field}:" in str(caught.value)


def test_invalid_json_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [json.dumps(GOOD), '{"visit_id": "V-2",'])
    with pytest.raises(InputError, match=r":2: not valid JSON"):
        read_visits(path)


def test_a_record_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r":1: a visit must be a JSON object"):
        read_visits(write_lines(tmp_path, ["[1, 2]"]))


def test_duplicate_visit_ids_are_rejected_naming_the_first_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [json.dumps(GOOD), json.dumps(GOOD)])
    with pytest.raises(
        InputError, match=r":2: field visit_id: duplicate visit id 'V-1001' \(first on line 1\)"
    ):
        read_visits(path)


def test_a_file_with_one_bad_record_returns_nothing_and_reports_every_problem(
    tmp_path: Path,
) -> None:
    lines = [json.dumps(GOOD | {"visit_id": f"V-{i}"}) for i in range(5)]
    lines[3] = json.dumps(bad(visit_id="V-3", discipline="XX", services__0__minutes=-1))
    with pytest.raises(InputError) as caught:
        read_visits(write_lines(tmp_path, lines))
    assert {p.field for p in caught.value.problems} == {"discipline", "services[0].minutes"}
    assert "and 1 more problems" in str(caught.value)


def test_blank_lines_and_a_byte_order_mark_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n\n")
    assert len(read_visits(path)) == 1


def test_a_missing_file_and_an_empty_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_visits(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="holds no visits"):
        read_visits(write_lines(tmp_path, [""]))


def test_a_supervising_therapist_is_read_written_back_and_old_files_stay_valid() -> None:
    from ptrcm.domain.interchange import parse_visit
    from ptrcm.domain.records import visit_to_record

    record: dict[str, Any] = {
        "visit_id": "V-1", "patient_id": "P-1", "date_of_service": "2026-03-02",
        "payer_id": "MEDICARE", "discipline": "PT",
        "rendering": {"npi": "1234567893", "credential": "PTA", "name": "Lee Park"},
        "supervising": {"npi": "1245319599", "name": "Ana Ruiz"},
        "services": [{"code": "97110", "minutes": 30, "assistant_minutes": 30}],
    }  # fmt: skip
    visit = parse_visit(record, "<test>", 1)
    assert visit.supervising is not None and visit.supervising.credential == "PT"
    assert visit.billing_provider.npi == "1245319599"
    again = parse_visit(visit_to_record(visit), "<test>", 1)
    assert again.supervising == visit.supervising
    del record["supervising"]
    old = parse_visit(record, "<test>", 1)
    assert old.supervising is None and old.billing_provider.npi == "1234567893"


def test_a_supervising_provider_must_be_a_therapist() -> None:
    from ptrcm.domain.interchange import parse_visit

    record: dict[str, Any] = {
        "visit_id": "V-1", "patient_id": "P-1", "date_of_service": "2026-03-02",
        "payer_id": "MEDICARE", "discipline": "PT", "rendering": {"credential": "PTA"},
        "supervising": {"npi": "1245319599", "credential": "PTA"},
        "services": [{"code": "97110", "minutes": 30}],
    }  # fmt: skip
    with pytest.raises(InputError, match=r"supervising\.credential"):
        parse_visit(record, "<test>", 1)


def test_an_overlong_line_is_named_and_the_lines_after_it_keep_their_numbers(
    tmp_path: Path,
) -> None:
    huge = json.dumps(GOOD | {"visit_id": "V-2", "emr_note": "n" * 200_000})
    path = write_lines(tmp_path, [json.dumps(GOOD), huge, json.dumps(GOOD | {"discipline": "X"})])
    with pytest.raises(InputError) as caught:
        read_visits(path)
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (2, None, "the record is longer than 65,536 bytes"),
        (3, "discipline", "must be one of PT, OT, SLP, got 'X'"),
    ]


def test_a_stored_record_reads_without_the_import_limits_but_not_without_its_shape() -> None:
    from ptrcm.domain.interchange import parse_visit

    legacy = bad(services__0__units=200_000_000, date_of_service="1850-01-01")
    with pytest.raises(InputError):
        parse_visit(legacy)
    visit = parse_visit(legacy, limits=False)
    assert (visit.services[0].units, visit.date_of_service) == (200_000_000, date(1850, 1, 1))
    with pytest.raises(InputError, match=r"services\[0\]\.units"):
        parse_visit(bad(services__0__units="2"), limits=False)
