"""Property: a valid-looking visit with one field turned hostile goes through import ->
claims build -> claims scrub with nothing but clean errors, on SQLite and PostgreSQL.

A record the importer refuses raises ``InputError`` (the CLI's exit 2) whose problems are
one line each and name the file and line, and leaves every row count as it was; a record
it accepts builds and scrubs without any other exception.
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ptrcm.bootstrap import build_context
from ptrcm.errors import InputError, PtrcmError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims import lifecycle
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.intake.visits import import_visits
from ptrcm.store.claims_lifecycle import claims_unit_of_work
from ptrcm.store.repository import Store
from ptrcm.store.tables import claims, import_quarantine, patients, visit_services, visits
from tests.integration.store.visit_records import BASE_VISIT

pytestmark = pytest.mark.slow
AS_OF = date(2026, 3, 10)
TABLES = (visits, visit_services, patients, claims, import_quarantine)
PATHS = [
    "visit_id", "patient_id", "date_of_service", "payer_id", "member_id", "place_of_service",
    "location_id", "discipline", "rendering", "rendering.npi", "rendering.credential",
    "rendering.name", "diagnoses", "diagnoses.0", "services", "services.0", "services.0.code",
    "services.0.minutes", "services.0.assistant_minutes", "services.1.units",
    "services.1.modifiers", "services.1.modifiers.0", "services.0.dx_pointers",
    "total_timed_minutes", "total_treatment_minutes", "episode_visit_number",
    "last_progress_report_visit", "plan_of_care", "plan_of_care.start",
    "authorization", "authorization.visits_authorized", "patient", "patient.first_name",
    "patient.last_name", "patient.birth_date", "patient.sex", "subscriber", "secondary",
    "referring", "onset_date", "kx_ytd_allowed", "benefits", "coverage", "emr_extra",
]  # fmt: skip


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1440, 1441, 2**31, 2**63, 10**20, 10**25]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=90),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda t: t + "\ud800"),
    st.sampled_from(["a\x00b", "two\nlines", "\t", " ", "x" * 5000, "P" * 100_000]),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "1899-12-31",
            "2100-01-01",
            "2026-03-11",
            "2026-3-2",
            "20260302",
        ]
    ),
    st.integers(min_value=1, max_value=60).map(_nested),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
)


# The store tests' visit with every optional object a mutation may reach into.
FULL = BASE_VISIT | {
    "plan_of_care": {"start": "2026-02-10", "certified_on": "2026-02-20", "through": "2026-05-10"},
    "authorization": {"number": "A123", "visits_authorized": 12, "visits_used": 6},
    "total_treatment_minutes": 45,
    "episode_visit_number": 7,
    "last_progress_report_visit": 1,
}


class Raw(str):
    """JSON text written into the line as it is: what ``json.dumps`` cannot produce."""


# Hostile JSON beyond Python values: deep nesting, integers past the decoder's 4,300 digits,
# numbers that overflow a float, and the non-standard constants.
RAW = st.sampled_from(
    ["[" * 5000 + "]" * 5000, "9" * 5000, "-" + "9" * 400, "1e400", "NaN", "-Infinity",
     '"\\ud800"', '"\\u0000"', '{"a": ' * 40 + "1" + "}" * 40]
).map(Raw)  # fmt: skip


MARKER = "__RAW_JSON__"


def _mutated_line(path: str, value: Any) -> str:
    """The full visit as V-2, as one JSON line, with the field at ``path`` set to ``value``."""
    record = copy.deepcopy(FULL) | {"visit_id": "V-2"}
    target: Any = record
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    stored = MARKER if isinstance(value, Raw) else value
    if isinstance(target, list):
        target[int(last)] = stored
    else:
        target[last] = stored
    text = json.dumps(record)
    return text.replace(json.dumps(MARKER), str(value)) if isinstance(value, Raw) else text


def _counts(store: Store, org: int) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        return tuple(
            int(
                conn.execute(
                    select(func.count()).select_from(t).where(t.c.org_id == org)
                ).scalar_one()
            )
            for t in TABLES
        )


_orgs = itertools.count(1)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(PATHS), value=st.one_of(RAW, HOSTILE))
def test_one_hostile_field_gives_clean_errors_and_no_partial_writes(
    store: Store, tmp_path: Path, path: str, value: Any
) -> None:
    ctx = build_context()
    org = store.ensure_organization(f"fuzz-{next(_orgs)}")

    def uow() -> Any:
        return claims_unit_of_work(store, org, "fuzz")

    good = copy.deepcopy(FULL)
    lines = [json.dumps(good), _mutated_line(path, value)]
    file = tmp_path / f"visits-{org}.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _counts(store, org)
    try:
        import_visits(uow, file)
    except InputError as exc:
        assert _counts(store, org) == before
        for problem in exc.problems:
            assert problem.source == str(file) and problem.line in (None, 1, 2)
            assert "\n" not in str(problem) and len(problem.message) <= 200
        return
    try:
        lifecycle.build_claims(uow, ctx.config, ctx.catalog, through=AS_OF)
        scrubber = Scrubber(ctx.config, ctx.catalog, Icd10Codes(), AS_OF)
        lifecycle.scrub_claims(uow, scrubber, ctx.config, ctx.catalog)
    except PtrcmError as exc:  # a clean, named error is acceptable; anything else fails
        assert "\n" not in str(exc)
