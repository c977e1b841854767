"""Visit records for the store tests."""

from __future__ import annotations

import copy
from typing import Any

BASE_VISIT: dict[str, Any] = {
    "visit_id": "V-1",
    "patient_id": "P-1",
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
    "patient": {"first_name": "Ida", "last_name": "Test", "birth_date": "1950-04-01", "sex": "F"},
}


def visit(visit_id: str, **changes: Any) -> dict[str, Any]:
    """The base visit under another id, with top-level fields replaced by ``changes``."""
    record = copy.deepcopy(BASE_VISIT)
    record["visit_id"] = visit_id
    record.update(changes)
    return record
