"""Tenant isolation: one organization never sees or references another's records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.repository import Store
from ptrcm.store.tables import patients, payers, visits
from tests.integration.store.conftest import WriteFile
from tests.integration.store.visit_records import visit


def test_organization_b_cannot_see_organization_a_visits(
    store: Store, org_a: int, org_b: int, write_visits: WriteFile
) -> None:
    import_visits(partial(store.unit_of_work, org_a, "test"), write_visits([visit("V-1")]))
    with store.unit_of_work(org_b, "test") as uow:
        assert uow.visits.count() == 0
        assert uow.visits.get("V-1") is None
        assert uow.visits.services("V-1") == []
        assert uow.master.get("patients", "P-1") is None
    with store.unit_of_work(org_a, "test") as uow:
        assert uow.visits.count() == 1


def test_the_same_visit_id_in_two_organizations_is_two_visits(
    store: Store, org_a: int, org_b: int, write_visits: WriteFile
) -> None:
    path = write_visits([visit("V-1")])
    a = import_visits(partial(store.unit_of_work, org_a, "test"), path)
    b = import_visits(partial(store.unit_of_work, org_b, "test"), path)
    assert (a.inserted, b.inserted, b.updated) == (1, 1, 0)
    with store.engine.connect() as conn:
        owners = conn.execute(select(visits.c.org_id).order_by(visits.c.org_id)).scalars().all()
    assert owners == [org_a, org_b]


def test_database_refuses_a_visit_that_points_at_another_organizations_patient(
    store: Store, org_a: int, org_b: int
) -> None:
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        patient_a = conn.execute(
            insert(patients).returning(patients.c.id),
            {"org_id": org_a, "external_id": "P-1", "created_at": now},
        ).scalar_one()
        payer_b = conn.execute(
            insert(payers).returning(payers.c.id),
            {"org_id": org_b, "external_id": "MEDICARE", "name": "Medicare", "created_at": now},
        ).scalar_one()
    row = {
        "org_id": org_b,
        "external_id": "V-X",
        "patient_id": patient_a,
        "payer_id": payer_b,
        "date_of_service": date(2026, 3, 2),
        "discipline": "PT",
        "diagnoses": [],
        "record": {},
        "updated_at": now,
        "created_at": now,
    }
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(visits), row)


def test_control_numbers_count_separately_for_each_organization(
    store: Store, org_a: int, org_b: int
) -> None:
    with store.unit_of_work(org_a, "test") as uow:
        assert [uow.control_numbers.next("ISA") for _ in range(3)] == [1, 2, 3]
        uow.commit()
    with store.unit_of_work(org_b, "test") as uow:
        assert uow.control_numbers.next("ISA") == 1
        assert uow.control_numbers.peek("GS") == 0


def test_cli_refuses_an_unknown_organization(db_url: str, write_visits: WriteFile) -> None:
    path = write_visits([visit("V-1")])
    result = CliRunner().invoke(
        app, ["import", "visits", str(path), "--db", db_url, "--org", "nobody"]
    )
    assert result.exit_code == 2
    assert "no such organization" in result.output
