"""Master data and appointments from a synthetic clinic's files into the store, on SQLite
and PostgreSQL: every kind counted and resolved, re-imports update, bad input named and
nothing written, appointment starts in UTC, and the front desk working on the result."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ptrcm.analytics.filters import KpiFilters, Scope
from ptrcm.analytics.scheduling import attendance
from ptrcm.cli import app
from ptrcm.errors import InputError
from ptrcm.services.front_desk.booking import check_booking
from ptrcm.services.front_desk.worklist import build_worklist
from ptrcm.services.intake.appointments import import_appointments
from ptrcm.services.intake.master import import_master
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.front_desk_repo import FrontDeskRepository
from ptrcm.store.repository import Store
from ptrcm.store.tables import providers
from ptrcm.synth import SynthOptions, write_synth

KINDS = ("locations", "payers", "patients", "coverages", "plans_of_care", "authorizations")


@pytest.fixture(scope="module")
def clinic_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("synth") / "clinic.jsonl"
    summary = write_synth(SynthOptions(30, 2, 7, date(2025, 10, 1)), out)
    return {k: Path(v) for k, v in summary.files.items()}


def _master(files: dict[str, Path]) -> dict[str, Any]:
    return json.loads(files["master"].read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _uow(store: Store, org: int) -> Any:
    return lambda: store.unit_of_work(org, "test")


def test_a_master_file_imports_every_kind_and_a_second_import_only_updates(
    store: Store, clinic_files: dict[str, Path]
) -> None:
    org = store.create_organization("clinic")
    doc = _master(clinic_files)
    first = import_master(_uow(store, org), clinic_files["master"])
    for kind in KINDS:
        assert first.kinds[kind].inserted == len(doc[kind]), kind
    assert first.kinds["providers"].inserted == len(doc["therapists"])
    doc["authorizations"][0]["visits_authorized"] = 99
    changed = clinic_files["master"].with_name("changed.master.json")
    changed.write_text(json.dumps(doc), encoding="utf-8")
    again = import_master(_uow(store, org), changed)
    assert all(c.inserted == 0 for c in again.kinds.values())
    assert again.kinds["coverages"].updated == len(doc["coverages"])
    import_visits(_uow(store, org), clinic_files["visits"])  # same therapists, by NPI
    with store.unit_of_work(org, "test") as uow:
        coverage = uow.master.get("coverages", f"{doc['coverages'][0]['patient_id']}:primary")
        patient = uow.master.get("patients", doc["coverages"][0]["patient_id"])
        payer = uow.master.get("payers", doc["coverages"][0]["payer_id"])
        auth = uow.master.get("authorizations", doc["authorizations"][0]["number"])
        provider_rows = uow.master.count("providers")
        tz = uow.master.organization_timezone()
        staff = uow.connection.execute(
            select(func.count()).where(providers.c.org_id == org, providers.c.staff_id.is_not(None))
        ).scalar_one()
    assert coverage is not None and patient is not None and payer is not None
    assert (coverage["patient_id"], coverage["payer_id"]) == (patient["id"], payer["id"])
    assert coverage["member_id"] == doc["coverages"][0]["member_id"]
    assert auth is not None and auth["visits_authorized"] == 99
    assert provider_rows == staff == len(doc["therapists"])
    assert tz == doc["clinic"]["timezone"]


def test_a_bad_master_record_is_named_by_path_and_field_and_nothing_is_written(
    store: Store, clinic_files: dict[str, Path], tmp_path: Path
) -> None:
    org = store.create_organization("clinic")
    doc = _master(clinic_files)
    rank, doc["coverages"][3]["rank"] = doc["coverages"][3]["rank"], "fourth"
    bad = tmp_path / "bad.master.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_master(_uow(store, org), bad)
    assert [(p.field, p.source) for p in caught.value.problems] == [("coverages[3].rank", str(bad))]
    doc["coverages"][3]["rank"] = rank
    doc["coverages"][0]["payer_id"] = "NO-SUCH-PAYER"  # caught only against the store
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match=r"coverages\[0\]\.payer_id"):
        import_master(_uow(store, org), bad)
    with store.unit_of_work(org, "test") as uow:
        assert [uow.master.count(k) for k in ("locations", "patients", "payers")] == [0, 0, 0]


def test_appointments_keep_their_status_and_store_clinic_time_in_utc(
    store: Store, clinic_files: dict[str, Path]
) -> None:
    org = store.create_organization("clinic")
    import_visits(_uow(store, org), clinic_files["visits"])
    import_master(_uow(store, org), clinic_files["master"])
    lines = [json.loads(t) for t in clinic_files["appointments"].read_text().splitlines()]
    first = import_appointments(_uow(store, org), clinic_files["appointments"])
    again = import_appointments(_uow(store, org), clinic_files["appointments"])
    assert (first.inserted, again.inserted, again.updated) == (len(lines), 0, len(lines))
    october = next(a for a in lines if a["date"] == "2025-10-02")  # Chicago is UTC-5 (CDT)
    november = next(a for a in lines if a["date"] >= "2025-11-03")  # UTC-6 (CST)
    with store.unit_of_work(org, "test") as uow:
        stored = {a["appointment_id"]: uow.master.get("appointments", a["appointment_id"])
                  for a in lines}  # fmt: skip
    statuses = Counter(str(row["status"]) for row in stored.values() if row is not None)
    assert statuses == Counter(a["status"] for a in lines)
    for appt, offset in ((october, 5), (november, 6)):
        local = datetime.fromisoformat(f"{appt['date']}T{appt['start']}")
        row = stored[appt["appointment_id"]]
        assert row is not None
        start = row["scheduled_start"]
        assert start.tzinfo is not None
        assert start.astimezone(UTC).replace(tzinfo=None) - local == timedelta(hours=offset)
    kept = [a for a in lines if a["status"] == "kept"]
    assert all(stored[a["appointment_id"]]["visit_id"] is not None for a in kept)  # type: ignore[index]


def test_an_unknown_therapist_fails_the_whole_file_or_is_quarantined_by_line(
    store: Store, clinic_files: dict[str, Path], tmp_path: Path
) -> None:
    org = store.create_organization("clinic")
    import_visits(_uow(store, org), clinic_files["visits"])
    import_master(_uow(store, org), clinic_files["master"])
    lines = clinic_files["appointments"].read_text().splitlines()
    record = json.loads(lines[1]) | {"therapist_id": "T-999"}
    bad = tmp_path / "bad.appointments.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(record), *lines[2:]]) + "\n")
    with pytest.raises(InputError) as caught:
        import_appointments(_uow(store, org), bad)
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "therapist_id")]
    with store.unit_of_work(org, "test") as uow:
        assert uow.master.count("appointments") == 0
    kept_aside = import_appointments(_uow(store, org), bad, quarantine=True)
    assert (kept_aside.inserted, kept_aside.quarantined) == (len(lines) - 1, 1)


def test_the_cli_imports_master_data_as_json_and_exits_2_on_a_bad_file(
    db_url: str, clinic_files: dict[str, Path], tmp_path: Path
) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app, ["import", "master", str(clinic_files["master"]), "--db", db_url, "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["kinds"]["patients"] == {"inserted": 30, "updated": 0}
    broken = tmp_path / "broken.master.json"
    broken.write_text('{"patients": [{"first_name": "X"}]}', encoding="utf-8")
    failed = runner.invoke(app, ["import", "master", str(broken), "--db", db_url])
    assert failed.exit_code == 2
    assert "patients[0].patient_id" in failed.output


def test_after_a_small_clinic_is_imported_the_front_desk_and_no_show_kpi_have_data(
    store: Store, clinic_files: dict[str, Path]
) -> None:
    org = store.create_organization("clinic")
    import_visits(_uow(store, org), clinic_files["visits"])
    import_master(_uow(store, org), clinic_files["master"])
    import_appointments(_uow(store, org), clinic_files["appointments"])
    doc = _master(clinic_files)
    day = date(2025, 12, 1)
    lapsed = next(
        p for p in doc["plans_of_care"] if date.fromisoformat(p["through"]) < day
        and not any(q["episode_id"] == p["episode_id"] and q["start"] > p["start"]
                    for q in doc["plans_of_care"])
    )  # fmt: skip
    with store.unit_of_work(org, "test") as uow:
        repo = FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
        booking = check_booking(repo, lapsed["patient_id"], day, lapsed["discipline"])
        items = build_worklist(repo, day)
        report = attendance(Scope(uow.connection, org), KpiFilters(day.replace(month=10), day),
                            doc["clinic"]["timezone"], None)  # fmt: skip
    kinds = {a.kind for a in booking.alerts}
    assert not booking.covered and "poc_expired" in kinds and "no_coverage" not in kinds
    assert items, "the work list has items"
    assert {i.patient for i in items} <= {p["patient_id"] for p in doc["patients"]}
    assert {i.location for i in items} <= {loc["location_id"] for loc in doc["locations"]}
    lines = [json.loads(t) for t in clinic_files["appointments"].read_text().splitlines()]
    due = Counter(a["status"] for a in lines if a["status"] in ("kept", "no_show", "late_cancel"))
    assert report.total.due == sum(due.values())
    assert report.total.no_show_rate is not None
    expected = Decimal(due["no_show"]) / Decimal(sum(due.values()))
    assert report.total.no_show_rate == expected.quantize(Decimal("0.0001"))
