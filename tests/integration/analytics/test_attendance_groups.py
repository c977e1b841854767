"""Attendance by therapist counts per provider id and names the ids afterwards: ids that
share a name add up under it, and therapists without an NPI count with appointments that
name no therapist under "unknown", as the count grouped by the joined name did."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert

from ptrcm.analytics import KpiFilters, Scope, scheduling
from ptrcm.store.repository import Store
from ptrcm.store.tables import appointments, providers
from tests.integration.analytics.clinic import Clinic, at


def test_therapists_without_npi_and_unassigned_appointments_count_as_unknown(
    store: Store,
) -> None:
    org = store.create_organization("groups", "Groups")
    with store.engine.begin() as conn:
        c = Clinic(conn, org)
        c.location("MAIN")
        c.provider("ANA", "1111111112")
        c.patient("P1")
        for ext in ("NONPI-1", "NONPI-2"):
            c.ids[ext] = int(
                conn.execute(
                    insert(providers).returning(providers.c.id),
                    {"org_id": org, "created_at": at("2026-01-01"), "external_id": ext,
                     "name": ext, "credential": "PT", "discipline": "PT", "npi": None},
                ).scalar_one()
            )  # fmt: skip
        c.appointment("A1", "P1", at("2026-03-02", 14), "kept", "MAIN", "ANA")
        c.appointment("A2", "P1", at("2026-03-03", 14), "no_show", "MAIN", "NONPI-1")
        c.appointment("A3", "P1", at("2026-03-04", 14), "kept", "MAIN", "NONPI-2")
        c.appointment("A4", "P1", at("2026-03-05", 14), "late_cancel", "MAIN", "NONPI-2")
        conn.execute(
            insert(appointments),
            {"org_id": org, "created_at": at("2026-01-01"), "external_id": "A5",
             "patient_id": c.ids["P1"], "status": "no_show",
             "scheduled_start": at("2026-03-06", 14), "location_id": c.ids["MAIN"]},
        )  # fmt: skip
    with store.engine.connect() as conn:
        report = scheduling.attendance(
            Scope(conn, org), KpiFilters(date(2026, 3, 1), date(2026, 3, 31)), "UTC", Decimal(10)
        )
    found = [(r.key, r.due, r.kept, r.no_shows, r.late_cancels) for r in report.by_therapist]
    assert found == [("1111111112", 1, 1, 0, 0), ("unknown", 4, 1, 2, 1)]
    assert report.by_therapist[1].revenue_lost == Decimal("30.00")
    assert [(r.key, r.due) for r in report.by_location] == [("MAIN", 5)]
