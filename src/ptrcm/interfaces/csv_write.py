"""Write visits as a CSV export (one row a service line) and the mapping that reads it.

Our own writer, for tests and benchmarks: the export an EMR's "charges" report would give,
visit columns repeated on each of the visit's rows, and beside it the TOML mapping
`ptrcm import csv --mapping` reads it with.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ptrcm.domain.records import visit_to_record
from ptrcm.domain.visits import Visit

VISIT_COLUMNS = (
    "visit_id", "patient_id", "date_of_service", "payer_id", "member_id", "place_of_service",
    "location_id", "discipline", "rendering.npi", "rendering.name", "rendering.credential",
    "supervising.npi", "supervising.name", "supervising.credential", "referring.npi",
    "referring.name", "diagnoses", "total_timed_minutes", "total_treatment_minutes",
    "plan_of_care.start", "plan_of_care.certified_on", "plan_of_care.through",
    "episode_visit_number", "last_progress_report_visit", "authorization.number",
    "authorization.visits_authorized", "authorization.visits_used", "authorization.start",
    "authorization.end", "patient.first_name", "patient.last_name", "patient.birth_date",
    "patient.sex", "patient.address.line1", "patient.address.line2", "patient.address.city",
    "patient.address.state", "patient.address.zip", "subscriber.relationship",
    "subscriber.first_name", "subscriber.last_name", "subscriber.birth_date", "subscriber.sex",
    "subscriber.address.line1", "subscriber.address.line2", "subscriber.address.city",
    "subscriber.address.state", "subscriber.address.zip", "secondary.payer_id",
    "secondary.member_id", "onset_date", "kx_ytd_allowed", "benefits.visit_limit",
    "benefits.visits_used", "benefits.plan_year_start", "eligibility_verified_on",
    "coverage.active", "coverage.start", "coverage.end",
)  # fmt: skip
SERVICE_COLUMNS = ("code", "minutes", "assistant_minutes", "units", "modifiers", "dx_pointers")
EXTRA_COLUMN = "other_fields_json"
SEPARATOR = ";"


def _lookup(record: dict[str, Any], path: str) -> object:
    node: object = record
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return SEPARATOR.join(str(v) for v in value)
    return str(value)


def _extra(visit: Visit) -> str:
    return json.dumps(dict(visit.extra), separators=(",", ":")) if visit.extra else ""


def write_csv_export(visits: Iterable[Visit], path: str | os.PathLike[str]) -> int:
    """Every visit's service lines as rows of one CSV file (atomic); the count of visits.

    A visit without a value for a group (no ``coverage``, no ``authorization``) leaves its
    columns blank; ``authorization`` and ``benefits`` present with no value at all are not
    representable here (the synthetic clinic has none)."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([*VISIT_COLUMNS, *SERVICE_COLUMNS, EXTRA_COLUMN])
        for visit in visits:
            count += 1
            record = visit_to_record(visit)
            head = [_cell(_lookup(record, c)) for c in VISIT_COLUMNS]
            for service in record["services"]:
                tail = [_cell(service.get(c)) for c in SERVICE_COLUMNS]
                out.writerow([*head, *tail, _extra(visit)])
    tmp.replace(target)
    return count


def mapping_toml() -> str:
    """The mapping file that reads ``write_csv_export``'s columns back."""
    lines = [
        "# ptrcm's own CSV export: column names are the interchange field paths.",
        "[format]",
        'delimiter = ","',
        'date_format = "%Y-%m-%d"',
        f'list_separator = "{SEPARATOR}"',
        'blank_modifiers = "empty"',
        f'extra_json = "{EXTRA_COLUMN}"',
        "",
        "[visit]",
        *(f'"{c}" = "{c}"' for c in (*VISIT_COLUMNS, EXTRA_COLUMN)),
        "",
        "[service]",
        *(f'{c} = "{c}"' for c in SERVICE_COLUMNS),
    ]
    return "\n".join(lines) + "\n"
