"""Hand-built visits and scrub contexts for the part-B rule tests (D, E, A, P, C).

One clean Medicare PT visit, changed one field at a time with ``make_visit(**changes)``;
its context is built the way the scrub service builds it: charges from
``charge_visit`` under the built-in configuration, the shipped code catalog, the real
ICD-10-CM adapter, and a ``Pack`` made here with only the parameters a test sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from ptrcm.config import load_config
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.visits import Provider, Service, Visit
from ptrcm.rules.engine import Check, Hit, Pack, PatientHistory, ScrubContext
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims.charging import charge_visit

CONFIG = load_config()
CATALOG = load_catalog()
DIAGNOSES = Icd10Codes()
DOS = date(2026, 3, 2)
AS_OF = date(2026, 3, 20)
VALID_NPI = "1234567893"  # the CMS example NPI; its check digit is right


def make_visit(**changes: Any) -> Visit:
    """A clean Medicare PT visit on 2026-03-02 with ``changes`` applied."""
    visit = Visit(
        visit_id="V-1",
        patient_id="P-1",
        date_of_service=DOS,
        payer_id="MEDICARE",
        discipline="PT",
        rendering=Provider(credential="PT", npi=VALID_NPI, name="Ana Ruiz"),
        services=(Service("97110", minutes=30), Service("97140", minutes=10)),
        diagnoses=("M54.16", "M62.81"),
        member_id="1EG4TE5MK73",
        place_of_service="11",
        total_timed_minutes=40,
        total_treatment_minutes=45,
    )
    return replace(visit, **changes)


def make_pack(**params: Any) -> Pack:
    return Pack(name="test", version="1", effective_from=date(2018, 1, 1), params=params)


def make_context(
    visit: Visit | None = None,
    *,
    pack: Pack | None = None,
    history: Sequence[Visit] = (),
    as_of: date = AS_OF,
) -> ScrubContext:
    """The scrub context of ``visit`` (default: the clean visit) under the built-in config."""
    visit = make_visit() if visit is None else visit
    return ScrubContext(
        visit=visit,
        charges=charge_visit(visit, CONFIG, CATALOG),
        pack=make_pack() if pack is None else pack,
        payer=CONFIG.payers[visit.payer_id],
        clinic=CONFIG.clinic,
        as_of=as_of,
        catalog=CATALOG,
        history=PatientHistory(tuple(history)),
        diagnoses=DIAGNOSES,
    )


def hits(check: Check, ctx: ScrubContext) -> list[Hit]:
    return list(check(ctx))


def earlier(visit_id: str, day: date, **changes: Any) -> Visit:
    """An earlier visit of the same patient for a history."""
    return make_visit(visit_id=visit_id, date_of_service=day, **changes)
