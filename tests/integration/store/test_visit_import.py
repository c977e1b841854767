"""Importing visit files: all or nothing, quarantine, and re-import without duplicates."""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.domain.interchange import parse_visit
from ptrcm.errors import InputError
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.db import head_revision
from ptrcm.store.repository import Store
from ptrcm.store.tables import import_quarantine, patients, visit_services, visits
from tests.integration.store.conftest import WriteFile
from tests.integration.store.visit_records import visit


def _count(store: Store, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _import(store: Store, org: int, path: object, **kw: bool):  # type: ignore[no-untyped-def]
    return import_visits(partial(store.unit_of_work, org, "test"), path, **kw)  # type: ignore[arg-type]


def test_a_bad_record_on_line_three_imports_nothing_and_names_line_and_field(
    store: Store, org_a: int, write_visits: WriteFile
) -> None:
    path = write_visits([visit("V-1"), visit("V-2"), visit("V-3", date_of_service="2026-02-30")])
    with pytest.raises(InputError) as caught:
        _import(store, org_a, path)
    assert f"{path}:3" in str(caught.value)
    assert "date_of_service" in str(caught.value)
    assert _count(store, visits) == 0
    assert _count(store, patients) == 0
    assert _count(store, import_quarantine) == 0


def test_quarantine_imports_the_good_records_and_keeps_the_bad_ones_with_their_errors(
    store: Store, org_a: int, write_visits: WriteFile
) -> None:
    path = write_visits(
        [visit("V-1"), "{not json", visit("V-2", services=[{"minutes": 5}]), visit("V-1")]
    )
    result = _import(store, org_a, path, quarantine=True)
    assert (result.inserted, result.updated, result.quarantined) == (1, 0, 3)
    with store.unit_of_work(org_a, "test") as uow:
        assert uow.visits.visit_ids() == ["V-1"]
        items = uow.quarantine.items("visit")
    assert [i["line"] for i in items] == [2, 3, 4]
    assert items[0]["record_text"] == "{not json"
    assert items[1]["record_id"] == "V-2"
    assert items[1]["problems"][0]["field"] == "services[0].code"
    assert "duplicate visit id" in items[2]["problems"][0]["message"]


def test_reimporting_the_same_file_changes_nothing_and_never_duplicates(
    store: Store, org_a: int, write_visits: WriteFile
) -> None:
    path = write_visits([visit("V-1"), visit("V-2")])
    first = _import(store, org_a, path)
    with store.engine.connect() as conn:
        before = conn.execute(select(visits.c.updated_at, visits.c.source_line)).all()
    second = _import(store, org_a, write_visits([visit("V-2"), visit("V-1")], name="again.jsonl"))
    assert (first.inserted, first.updated) == (2, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    with store.engine.connect() as conn:
        assert conn.execute(select(visits.c.updated_at, visits.c.source_line)).all() == before
    with store.unit_of_work(org_a, "test") as uow:
        assert [e["action"] for e in uow.audit.events("visits")] == ["create", "create"]
    assert _count(store, visits) == 2
    assert _count(store, visit_services) == 6
    assert _count(store, patients) == 1


def test_a_changed_visit_replaces_its_services_on_reimport(
    store: Store, org_a: int, write_visits: WriteFile
) -> None:
    _import(store, org_a, write_visits([visit("V-1")]))
    changed = visit("V-1", services=[{"code": "97530", "minutes": 38}], total_timed_minutes=38)
    result = _import(store, org_a, write_visits([changed], name="v2.jsonl"))
    assert (result.inserted, result.updated) == (0, 1)
    with store.unit_of_work(org_a, "test") as uow:
        rows = uow.visits.services("V-1")
        stored = uow.visits.get("V-1")
    assert [(r["code"], r["minutes"]) for r in rows] == [("97530", 38)]
    assert stored is not None
    assert stored.total_timed_minutes == 38


def test_a_stored_visit_reads_back_exactly_as_imported(
    store: Store, org_a: int, write_visits: WriteFile
) -> None:
    record = visit("V-9", kx_ytd_allowed="2330.10", custom_field={"kept": True})
    _import(store, org_a, write_visits([record]))
    with store.unit_of_work(org_a, "test") as uow:
        stored = uow.visits.get("V-9")
        services = uow.visits.services("V-9")
    assert stored == parse_visit(record)
    assert [(s["code"], s["billed_units"], s["modifiers"]) for s in services] == [
        ("97110", None, None),
        ("97140", 1, "GP"),
        ("97010", None, None),
    ]


def test_every_imported_visit_is_audited_with_who_and_which_patient(
    store: Store, org_a: int, write_visits: WriteFile
) -> None:
    path = write_visits([visit("V-1"), visit("V-2", patient_id="P-2")])
    _import(store, org_a, path)
    changed = [
        visit("V-1", total_timed_minutes=34),
        visit("V-2", patient_id="P-2", onset_date="2026-01-05"),
    ]
    _import(store, org_a, write_visits(changed, name="changed.jsonl"))
    with store.unit_of_work(org_a, "test") as uow:
        events = uow.audit.events("visits")
    assert [(e["action"], e["record_id"]) for e in events] == [
        ("create", "V-1"),
        ("create", "V-2"),
        ("update", "V-1"),
        ("update", "V-2"),
    ]
    assert {e["actor"] for e in events} == {"test"}
    assert all(e["patient_id"] is not None for e in events)


runner = CliRunner()


def ptrcm(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it (errors become exit codes in ``main``)."""
    command = [sys.executable, "-m", "ptrcm.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_cli_import_exits_2_naming_the_bad_line_and_writes_nothing(
    db_url: str, write_visits: WriteFile
) -> None:
    path = write_visits([visit("V-1"), visit("V-2", discipline="XX")])
    result = ptrcm("import", "visits", str(path), "--db", db_url)
    assert result.returncode == 2, result.stderr
    assert f"{path}:2: field discipline" in result.stderr
    store = Store.open(db_url)
    assert _count(store, visits) == 0
    store.close()


def test_cli_import_prints_counts_and_exits_1_when_records_were_quarantined(
    db_url: str, write_visits: WriteFile
) -> None:
    path = write_visits([visit("V-1"), visit("V-2", discipline="XX")])
    args = ["import", "visits", str(path), "--db", db_url, "--quarantine"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "1 inserted, 0 updated, 1 quarantined" in result.output
    assert ":2: field discipline" in result.output


def test_cli_db_upgrade_reports_the_head_revision(db_url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert result.exit_code == 0, result.output
    head = head_revision()
    assert head is not None
    assert f"database at revision {head}\n" == result.output
