"""Visits for tests: one clean Medicare PT visit, changed one field at a time.

``record(**changes)`` is the visit as the interchange format writes it (a JSON-ready dict);
``visit(**changes)`` is the same visit parsed (``Visit``). ``billable(**changes)`` adds what
an 837 needs and a clean scrub expects beyond the base (patient demographics, a certified
plan of care, a progress report on file, an authorization) so a claim built from it goes out.

The base: V-1 for patient P-1 on Monday 2026-03-02, Medicare (member 1EG4TE5MK73), office
(POS 11), PT Ana Ruiz (NPI 1234567893, the CMS example NPI whose check digit is right),
diagnoses M54.16 and M62.81, 97110 for 30 minutes and 97140 for 10: 40 timed minutes, 3
units under the 8-minute rule (97110 2, 97140 1), 45 minutes of treatment.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Visit

DOS = date(2026, 3, 2)
VALID_NPI = "1234567893"
ASSISTANT_NPI = "1245319599"
Record = dict[str, Any]

BASE: Record = {
    "visit_id": "V-1",
    "patient_id": "P-1",
    "date_of_service": DOS.isoformat(),
    "payer_id": "MEDICARE",
    "member_id": "1EG4TE5MK73",
    "place_of_service": "11",
    "discipline": "PT",
    "rendering": {"npi": VALID_NPI, "credential": "PT", "name": "Ana Ruiz"},
    "diagnoses": ["M54.16", "M62.81"],
    "services": [{"code": "97110", "minutes": 30}, {"code": "97140", "minutes": 10}],
    "total_timed_minutes": 40,
    "total_treatment_minutes": 45,
}
PATIENT: Record = {
    "first_name": "Ann",
    "last_name": "Reed",
    "birth_date": "1950-01-01",
    "sex": "F",
    "address": {"line1": "1 Elm St", "city": "Springfield", "state": "IL", "zip": "62704"},
}
SUBSCRIBER: Record = {
    "relationship": "spouse",
    "first_name": "Carlos",
    "last_name": "Lopez",
    "birth_date": "1949-02-03",
    "sex": "M",
    "address": {"line1": "12 Oak Ave", "city": "Springfield", "state": "IL", "zip": "62704"},
}
BILLABLE: Record = {
    "location_id": "MAIN",
    "patient": PATIENT,
    "plan_of_care": {"start": "2026-02-10", "certified_on": "2026-02-12", "through": "2026-05-10"},
    "episode_visit_number": 2,
    "last_progress_report_visit": 1,
    "authorization": {"number": "A1", "visits_authorized": 20, "visits_used": 1,
                      "start": "2026-02-01", "end": "2026-06-30"},
}  # fmt: skip


def record(**changes: Any) -> Record:
    """The base visit record with top-level keys replaced (a value of None removes the key)."""
    out = copy.deepcopy(BASE)
    for key, value in copy.deepcopy(changes).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


COMMERCIAL: Record = {
    "visit_id": "V-1",
    "patient_id": "P-1",
    "date_of_service": DOS.isoformat(),
    "payer_id": "COMMERCIAL",
    "member_id": "M0001X",
    "place_of_service": "11",
    "discipline": "PT",
    "rendering": {"npi": VALID_NPI, "credential": "PT", "name": "Ana Ruiz"},
    "diagnoses": ["M54.16"],
    "patient": {"first_name": "Test", "last_name": "Patient", "birth_date": "1960-05-01",
                "sex": "F"},
    "services": [{"code": "97110", "minutes": 30}],
}  # fmt: skip


def commercial(**changes: Any) -> Record:
    """A plain commercial PT visit (one 97110 for 30 minutes, M54.16, member M0001X) with
    top-level keys replaced: the claim-building tests' visit."""
    return {**copy.deepcopy(COMMERCIAL), **copy.deepcopy(changes)}


def billable(**changes: Any) -> Record:
    """The base visit with everything an 837 and a clean scrub need, then ``changes``."""
    return record(**{**copy.deepcopy(BILLABLE), **changes})


def visit(**changes: Any) -> Visit:
    """The base visit, parsed, with ``changes``."""
    return parse(record(**changes))


def parse(raw: Mapping[str, Any]) -> Visit:
    return parse_visit(dict(raw), "<test>", 1)


def services(*items: tuple[str, int] | tuple[str, int, int]) -> list[Record]:
    """Services from (code, minutes) or (code, minutes, assistant minutes)."""
    out: list[Record] = []
    for item in items:
        entry: Record = {"code": item[0], "minutes": item[1]}
        if len(item) == 3:
            entry["assistant_minutes"] = item[2]
        out.append(entry)
    return out


def service(raw: Mapping[str, Any], code: str) -> Record:
    """The record's service entry for ``code`` (to change it in place)."""
    for entry in raw["services"]:
        if entry["code"] == code:
            return entry  # type: ignore[no-any-return]
    raise KeyError(code)


def assistant(credential: str = "PTA") -> Record:
    """A physical or occupational therapy assistant as the rendering provider."""
    return {"npi": ASSISTANT_NPI, "credential": credential, "name": "Lee Park"}


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any] | str]) -> Path:
    """A visit file: one JSON record a line (a string is written as it is, to break a line)."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
