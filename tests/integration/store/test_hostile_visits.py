"""Each hostile visit file measured against the importer (issue 11 §5), on SQLite and
PostgreSQL: a one-line error naming file, line and field, no PHI, and nothing written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ptrcm.errors import InputError
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.repository import Store
from ptrcm.store.tables import import_quarantine, patients, payers, visit_services, visits
from tests.integration.store.visit_records import BASE_VISIT, visit

TABLES = (visits, visit_services, patients, payers, import_quarantine)


def _counts(store: Store) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in TABLES
        )


def _line(record: dict[str, Any], key: str, raw: str) -> str:
    """The record as one JSON line with ``key`` (a dotted path) set to the raw JSON ``raw``."""
    marker = "__RAW__"
    target = record
    *path, last = key.split(".")
    for part in path:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = marker
    return json.dumps(record).replace(json.dumps(marker), raw)


def _person(**changes: str) -> dict[str, Any]:
    return BASE_VISIT["patient"] | changes  # type: ignore[no-any-return]


# (case, JSON line of the bad record, the field the error must name or None, a word it says)
HOSTILE = [
    ("deep nesting", _line(visit("V-2"), "emr", "[" * 25_000 + "]" * 25_000), None, "deeper"),
    ("nesting in a known field", _line(visit("V-2"), "rendering.name", "[" * 40 + "]" * 40),
     "rendering.name", "deeper"),
    ("5,000-digit integer", _line(visit("V-2"), "services.0.minutes", "9" * 5000),
     "services[0].minutes", "digits"),
    ("10^20 minutes", _line(visit("V-2"), "services.0.minutes", "1" + "0" * 20),
     "services[0].minutes", "digits"),
    ("a day's minutes and more", json.dumps(visit("V-2", total_treatment_minutes=2**31)),
     "total_treatment_minutes", "1,440"),
    ("lone surrogate", _line(visit("V-2"), "patient.last_name", '"Test\\ud800"'),
     "patient.last_name", "surrogate"),
    ("2^31 units", _line(visit("V-2"), "services.1.units", str(2**31)),
     "services[1].units", "from 1 to 99"),
    ("member id longer than NM109", json.dumps(visit("V-2", member_id="9" * 81)),
     "member_id", "80"),
    ("last name longer than NM103", json.dumps(visit("V-2", patient=_person(last_name="L" * 81))),
     "patient.last_name", "60"),
    ("visit id longer than its column", json.dumps(visit("V" * 65)), "visit_id", "64"),
    ("NUL in a name", _line(visit("V-2"), "patient.first_name", '"I\\u0000da"'),
     "patient.first_name", "control"),
    ("raw NUL byte", json.dumps(visit("V-2")).replace("V-2", "V-\x002"), None, "not valid JSON"),
    ("NUL in a kept unknown key", _line(visit("V-2"), "emr_note", '"a\\u0000b"'),
     "emr_note", "control"),
    ("NaN in a kept unknown key", _line(visit("V-2"), "emr_score", "NaN"), None, "NaN"),
    ("infinite number", _line(visit("V-2"), "emr_score", "1e400"), "emr_score", "digits"),
    ("date of service in year 1", json.dumps(visit("V-2", date_of_service="0001-01-01")),
     "date_of_service", "1900-01-01"),
    ("date of service in 9999", json.dumps(visit("V-2", date_of_service="9999-12-31")),
     "date_of_service", "2099-12-31"),
    ("10^25 authorized visits",
     _line(visit("V-2", authorization={"number": "A1"}), "authorization.visits_authorized",
           "1" + "0" * 25), "authorization.visits_authorized", "digits"),
    ("a million authorized visits",
     json.dumps(visit("V-2", authorization={"number": "A1", "visits_authorized": 10**6})),
     "authorization.visits_authorized", "999"),
    ("birth date in the future", json.dumps(visit("V-2", patient=_person(birth_date="2090-01-01"))),
     "patient.birth_date", "after the date of service"),
    ("unknown payer", json.dumps(visit("V-2", payer_id="ACME_HEALTH")), "payer_id",
     "not a payer in the configuration"),
    ("1 MB value", json.dumps(visit("V-2", discipline="P" * 1_000_000)), None, "bytes"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "line", "field", "word"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_record_is_one_clean_error_and_writes_nothing(
    store: Store, tmp_path: Path, case: str, line: str, field: str | None, word: str
) -> None:
    org = store.create_organization("clinic-a", "Clinic A")
    path = tmp_path / "visits.jsonl"
    path.write_text(json.dumps(visit("V-1")) + "\n" + line + "\n", encoding="utf-8")
    before = _counts(store)
    with pytest.raises(InputError) as caught:
        import_visits(partial(store.unit_of_work, org, "test"), path)
    problem = caught.value.problems[0]
    assert problem.line == 2, case
    named = problem.field if problem.field is None else re.sub(r"(\[0\])+$", "", problem.field)
    assert named == field, case
    assert word in problem.message, case
    assert "\n" not in str(caught.value) and len(problem.message) <= 120, case
    assert _counts(store) == before, case
    # Kept aside instead, the bad record is stored on both databases without a crash.
    kept = import_visits(partial(store.unit_of_work, org, "test"), path, quarantine=True)
    assert (kept.inserted, kept.quarantined) == (1, 1), case


def _ptrcm(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ptrcm.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_error_is_one_line_without_patient_data(db_url: str, tmp_path: Path) -> None:
    secret = {"first_name": "Zelda", "last_name": "Quixote\nSmith", "birth_date": "1950-13-40"}
    record = visit("V-2", member_id="1EG4TE5MK73" * 8, diagnoses=["Q99.SECRET1"], patient=secret)
    path = tmp_path / "visits.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = _ptrcm("import", "visits", str(path), "--db", db_url)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"{path}:1: field " in result.stderr
    for phi in ("Zelda", "Quixote", "1950-13-40", "1EG4TE5MK73", "Q99", "SECRET"):
        assert phi not in result.stderr, phi


def test_an_error_quotes_at_most_a_short_escaped_excerpt(tmp_path: Path) -> None:
    path = tmp_path / "visits.jsonl"
    lines = [visit("V-1", discipline="PHYSICAL" + "y" * 50), visit("V-2", discipline="P\nT\r")]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), "utf-8")
    with pytest.raises(InputError) as caught:
        import_visits(lambda: None, path)  # type: ignore[arg-type,return-value]
    first, second = (str(p) for p in caught.value.problems)
    assert first.endswith(
        "field discipline: must be one of PT, OT, SLP, got 'PHYSICALyyyyyyyyyyyyyyyyyyyyyyyyyyyy..."
    )
    assert second.endswith("field discipline: holds a control character (a line break, tab or NUL)")


def test_the_cli_accepts_a_payer_its_config_defines_and_refuses_one_it_does_not(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "visits.jsonl"
    path.write_text(json.dumps(visit("V-1", payer_id="ACME_HEALTH")) + "\n", encoding="utf-8")
    refused = _ptrcm("import", "visits", str(path), "--db", db_url)
    assert refused.returncode == 2, refused.stderr
    assert f"{path}:1: field payer_id: 'ACME_HEALTH' is not a payer" in refused.stderr
    config = tmp_path / "ptrcm.toml"
    config.write_text('[payers.ACME_HEALTH]\nclass = "commercial"\npack = "commercial"\n', "utf-8")
    accepted = _ptrcm("import", "visits", str(path), "--db", db_url, "--config", str(config))
    assert accepted.returncode == 0, accepted.stderr
    assert "1 inserted" in accepted.stdout
