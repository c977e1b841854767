"""Master data and appointments upsert by external id, with references kept in-tenant."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from ptrcm.store.repository import Store


def _seed(store: Store, org: int) -> None:
    with store.unit_of_work(org, "test") as uow:
        uow.master.upsert("payers", [{"external_id": "MEDICARE", "name": "Medicare Part B"}])
        uow.master.upsert("patients", [{"external_id": "P-1", "last_name": "Test"}])
        uow.master.upsert("providers", [{"external_id": "1234567893", "credential": "PT"}])
        uow.commit()


def test_coverage_rows_resolve_their_patient_and_payer_by_external_id(
    store: Store, org_a: int
) -> None:
    _seed(store, org_a)
    coverage = {
        "external_id": "C-1",
        "patient": "P-1",
        "payer": "MEDICARE",
        "rank": "primary",
        "member_id": "1EG4TE5MK73",
        "start_date": date(2026, 1, 1),
    }
    with store.unit_of_work(org_a, "test") as uow:
        counts = uow.master.upsert("coverages", [coverage])
        again = uow.master.upsert("coverages", [coverage | {"end_date": date(2026, 12, 31)}])
        patient = uow.master.get("patients", "P-1")
        stored = uow.master.get("coverages", "C-1")
    assert (counts.inserted, counts.updated) == (1, 0)
    assert (again.inserted, again.updated) == (0, 1)
    assert patient is not None and stored is not None
    assert stored["patient_id"] == patient["id"]
    assert stored["end_date"] == date(2026, 12, 31)


def test_a_reference_to_another_organizations_patient_is_not_found(
    store: Store, org_a: int, org_b: int
) -> None:
    _seed(store, org_a)
    with store.unit_of_work(org_b, "test") as uow, pytest.raises(KeyError, match="P-1"):
        uow.master.upsert(
            "authorizations", [{"external_id": "A-1", "patient": "P-1", "number": "A123"}]
        )


def test_appointments_keep_their_attendance_status(store: Store, org_a: int) -> None:
    _seed(store, org_a)
    start = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    rows = [
        {"external_id": f"AP-{status}", "patient": "P-1", "provider": "1234567893",
         "scheduled_start": start, "status": status}
        for status in ("kept", "no_show", "late_cancel", "cancelled")
    ]  # fmt: skip
    with store.unit_of_work(org_a, "test") as uow:
        counts = uow.appointments.upsert_appointments(rows)
        no_show = uow.master.get("appointments", "AP-no_show")
    assert counts.inserted == 4
    assert no_show is not None
    assert no_show["scheduled_start"] == start


def test_an_unknown_appointment_status_is_refused(store: Store, org_a: int) -> None:
    _seed(store, org_a)
    row = {
        "external_id": "AP-1",
        "patient": "P-1",
        "scheduled_start": datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
        "status": "maybe",
    }
    with store.unit_of_work(org_a, "test") as uow, pytest.raises(IntegrityError):
        uow.appointments.upsert_appointments([row])
