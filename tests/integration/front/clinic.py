"""A small clinic for the front-desk tests: one organization, payers, patients with
coverages, plans of care, authorizations, kept visits and scheduled appointments."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time
from typing import Any

from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.store.front_desk_repo import FrontDeskRepository
from ptrcm.store.repository import Store, UnitOfWork

PAYERS = [
    {"external_id": "MEDICARE", "name": "Medicare Part B", "payer_class": "medicare"},
    {"external_id": "COMMERCIAL", "name": "Commercial PPO", "payer_class": "commercial"},
    {"external_id": "MEDICAID", "name": "State Medicaid", "payer_class": "medicaid"},
]

# 97110 for 30 minutes (2 units) and 97140 for 15 (1 unit): 45 timed minutes, 3 units.
# Default schedule: 2 x 29.50 + 27.60 = 86.60 allowed per visit.
SERVICES = [{"code": "97110", "minutes": 30}, {"code": "97140", "minutes": 15}]


def visit_record(
    visit_id: str, patient: str, payer: str, day: date, **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "visit_id": visit_id,
        "patient_id": patient,
        "date_of_service": day.isoformat(),
        "payer_id": payer,
        "member_id": f"M-{patient}",
        "place_of_service": "11",
        "location_id": "MAIN",
        "discipline": "PT",
        "rendering": {"npi": "1234567893", "credential": "PT", "name": "Ana Ruiz"},
        "diagnoses": ["M54.16"],
        "services": copy.deepcopy(SERVICES),
        "total_timed_minutes": 45,
    }
    record.update(extra)
    return record


class Clinic:
    """Helpers that write through units of work of one organization."""

    def __init__(self, store: Store, slug: str = "front", name: str = "Front Desk Clinic") -> None:
        self.store = store
        self.org = store.ensure_organization(slug, name)
        with self.uow() as uow:
            uow.master.upsert("payers", PAYERS)
            uow.master.upsert("locations", [{"external_id": "MAIN", "name": "Main St"}])
            uow.commit()

    def uow(self) -> UnitOfWork:
        return self.store.unit_of_work(self.org, "test")

    def patient(self, patient: str, payer: str, **coverage: Any) -> None:
        with self.uow() as uow:
            uow.master.upsert(
                "patients",
                [{"external_id": patient, "first_name": "Ida", "last_name": "Test",
                  "birth_date": date(1950, 4, 1), "sex": "F"}],
            )  # fmt: skip
            row = {
                "external_id": f"C-{patient}",
                "patient": patient,
                "payer": payer,
                "rank": "primary",
                "member_id": f"M-{patient}",
                **coverage,
            }
            uow.master.upsert("coverages", [row])
            uow.commit()

    def upsert(self, kind: str, rows: list[dict[str, Any]]) -> None:
        with self.uow() as uow:
            uow.master.upsert(kind, rows)
            uow.commit()

    def visits(self, records: list[dict[str, Any]]) -> None:
        with self.uow() as uow:
            items = [
                SourcedVisit(parse_visit(r), "test.jsonl", n) for n, r in enumerate(records, 1)
            ]
            uow.visits.upsert(items)
            uow.commit()

    def book(self, patient: str, days: list[date], discipline: str = "PT") -> None:
        rows = [
            {
                "external_id": f"A-{patient}-{d.isoformat()}",
                "patient": patient,
                "location": "MAIN",
                "scheduled_start": datetime.combine(d, time(15, 0), UTC),
                "discipline": discipline,
                "status": "scheduled",
            }
            for d in days
        ]
        self.upsert("appointments", rows)

    def repo(self, uow: UnitOfWork) -> FrontDeskRepository:
        return FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
