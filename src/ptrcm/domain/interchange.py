"""Visit interchange format (ARCHITECTURE §3.2): JSON record <-> ``Visit``.

``parse_visit`` checks every field it reads and reports each defect with the source,
line and field path; a record with any defect produces no ``Visit`` at all. Unknown keys
are kept in ``Visit.extra`` and written back unchanged by ``visit_to_record``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain import input_limits as lim
from ptrcm.domain.codes import DISCIPLINES
from ptrcm.domain.documentation_record import read_documentation
from ptrcm.domain.money import to_decimal
from ptrcm.domain.record_fields import RecordFields
from ptrcm.domain.visit_people import read_person, read_referring, read_subscriber
from ptrcm.domain.visits import (
    ASSISTANT_CREDENTIALS,
    CREDENTIALS,
    Authorization,
    Benefits,
    CoverageStatus,
    PlanOfCare,
    Provider,
    SecondaryCoverage,
    Service,
    Visit,
)
from ptrcm.errors import InputError, RecordProblem

KNOWN_KEYS = frozenset(
    {
        "visit_id",
        "patient_id",
        "date_of_service",
        "payer_id",
        "member_id",
        "place_of_service",
        "location_id",
        "discipline",
        "rendering",
        "supervising",
        "diagnoses",
        "services",
        "total_timed_minutes",
        "total_treatment_minutes",
        "plan_of_care",
        "episode_visit_number",
        "last_progress_report_visit",
        "authorization",
        "patient",
        "subscriber",
        "secondary",
        "referring",
        "onset_date",
        "kx_ytd_allowed",
        "benefits",
        "eligibility_verified_on",
        "coverage",
        "documentation",
    }
)
CODE_RE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
ICD_FORMAT_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
POS_RE = re.compile(r"^[0-9]{2}$")
MONEY_RE = re.compile(r"^[0-9]{1,7}(\.[0-9]{1,2})?$")


def parse_visit(
    record: object, source: str = "<input>", line: int | None = None, *, limits: bool = True
) -> Visit:
    """A ``Visit`` from one decoded JSON record, or ``InputError`` naming every defect.

    ``limits=False`` reads a record the store already holds: its shape and types are
    checked, the input limits are not (a visit stored before them still reads, and is held
    at claims build if it cannot be billed, instead of failing every visit's build).
    """
    f = RecordFields(source, line, limits=limits)
    if not isinstance(record, dict):
        raise InputError([RecordProblem(source, line, None, "a visit must be a JSON object")])
    # Known fields are checked one by one below; kept unknown keys are checked as a whole.
    extra = {k: v for k, v in record.items() if k not in KNOWN_KEYS}
    shape = lim.tree_problem(extra) if limits else None
    if shape is not None:
        where, what = shape
        raise InputError(
            [RecordProblem(source, line, where, what if where else f"the record {what}")]
        )
    visit_id = f.string(record, "visit_id", "visit_id", required=True)
    patient_id = f.string(record, "patient_id", "patient_id", required=True)
    dos = f.day(record, "date_of_service", "date_of_service", required=True)
    payer_id = f.string(record, "payer_id", "payer_id", required=True)
    discipline = f.string(record, "discipline", "discipline", required=True)
    if discipline is not None and discipline not in DISCIPLINES:
        f.bad("discipline", "must be one of PT, OT, SLP", discipline)
    rendering = _provider(f, record, "rendering")
    services = _services(f, record)
    diagnoses = _diagnoses(f, record)
    pos = f.string(record, "place_of_service", "place_of_service")
    if pos is not None and not POS_RE.fullmatch(pos):
        f.bad("place_of_service", "must be a two-digit code", pos)
    kx = _decimal(f, record, "kx_ytd_allowed")
    visit = Visit(
        visit_id=visit_id or "",
        patient_id=patient_id or "",
        date_of_service=dos or date.min,
        payer_id=payer_id or "",
        discipline=discipline or "",
        rendering=rendering or Provider(credential=""),
        services=services,
        diagnoses=diagnoses,
        member_id=f.string(record, "member_id", "member_id", max_len=lim.MEMBER_ID_MAX),
        place_of_service=pos,
        location_id=f.string(record, "location_id", "location_id"),
        total_timed_minutes=_minutes(f, record, "total_timed_minutes"),
        total_treatment_minutes=_minutes(f, record, "total_treatment_minutes"),
        plan_of_care=_plan_of_care(f, record),
        episode_visit_number=_count(f, record, "episode_visit_number", "episode_visit_number", 1),
        last_progress_report_visit=_count(
            f, record, "last_progress_report_visit", "last_progress_report_visit"
        ),
        authorization=_authorization(f, record),
        patient=read_person(f, record, "patient"),
        subscriber=read_subscriber(f, record),
        secondary=_secondary(f, record),
        referring=read_referring(f, record),
        onset_date=f.day(record, "onset_date", "onset_date"),
        kx_ytd_allowed=kx,
        benefits=_benefits(f, record),
        eligibility_verified_on=f.day(record, "eligibility_verified_on", "eligibility_verified_on"),
        coverage=_coverage(f, record),
        supervising=_provider(f, record, "supervising"),
        documentation=read_documentation(f, record),
        extra=extra,
    )
    if limits:
        _check_day(f, visit)
    if f.problems:
        raise InputError(f.problems)
    return visit


def _check_day(f: RecordFields, visit: Visit) -> None:
    """What one date of service can hold: minutes of one day, nobody born after it."""
    total = sum(s.minutes or 0 for s in visit.services)
    if total > lim.MINUTES_PER_DAY:
        f.bad("services", f"add up to more than {lim.MINUTES_PER_DAY:,} minutes in one day")
    people = (
        ("patient", visit.patient),
        ("subscriber", visit.subscriber.person if visit.subscriber is not None else None),
    )
    for path, person in people:
        born = person.birth_date if person is not None else None
        if born is not None and visit.date_of_service != date.min and born > visit.date_of_service:
            f.bad(f"{path}.birth_date", "is after the date of service")


def _provider(f: RecordFields, record: dict[str, Any], key: str) -> Provider | None:
    """``rendering`` (required) or ``supervising`` (optional: the therapist an assistant
    works under, ``{"npi", "name", "credential"}``; credential defaults to the visit's
    discipline and must not be an assistant's)."""
    rendering = key == "rendering"
    raw = f.obj(record, key, key, required=rendering)
    if raw is None:
        return None
    credential = f.string(raw, "credential", f"{key}.credential", required=rendering)
    if credential is not None and credential not in CREDENTIALS:
        f.bad(f"{key}.credential", "is not a known credential", credential)
    if not rendering and credential in ASSISTANT_CREDENTIALS:
        f.bad(f"{key}.credential", "the supervising provider must be a therapist, not an assistant")
    if not rendering and credential is None:
        discipline = record.get("discipline")
        credential = discipline if discipline in DISCIPLINES else ""
    npi = f.string(raw, "npi", f"{key}.npi")
    if npi is not None and not (len(npi) == 10 and npi.isdigit()):
        f.bad(f"{key}.npi", "must be 10 digits")
    name = f.string(raw, "name", f"{key}.name", max_len=lim.PROVIDER_NAME_MAX)
    return Provider(credential or "", npi, name)


def _services(f: RecordFields, record: dict[str, Any]) -> tuple[Service, ...]:
    raw = f.get(record, "services", "services", required=True)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or (f.limits and len(raw) > lim.SERVICES_MAX):
        f.bad("services", f"must be a list of one to {lim.SERVICES_MAX} services")
        return ()
    out = []
    for i, item in enumerate(raw):
        path = f"services[{i}]"
        if not isinstance(item, dict):
            f.bad(path, "must be an object")
            continue
        code = f.string(item, "code", f"{path}.code", required=True)
        if code is not None and not CODE_RE.fullmatch(code):
            f.bad(f"{path}.code", "is not a CPT/HCPCS code", code)
        minutes = _minutes(f, item, "minutes", f"{path}.minutes")
        assistant = _minutes(f, item, "assistant_minutes", f"{path}.assistant_minutes") or 0
        if minutes is not None and assistant > minutes:
            f.bad(f"{path}.assistant_minutes", f"{assistant} is more than the {minutes} minutes")
        units = f.integer(item, "units", f"{path}.units", 1, maximum=lim.UNITS_MAX)
        out.append(
            Service(
                code=code or "",
                minutes=minutes,
                assistant_minutes=assistant,
                units=units,
                modifiers=_modifiers(f, item, path),
                dx_pointers=_pointers(f, item, path),
            )
        )
    return tuple(out)


def _modifiers(f: RecordFields, item: dict[str, Any], path: str) -> tuple[str, ...] | None:
    raw = f.get(item, "modifiers", f"{path}.modifiers")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > 4:
        f.bad(f"{path}.modifiers", "must be a list of at most four modifiers")
        return None
    mods = []
    for j, m in enumerate(raw):
        if not isinstance(m, str) or not MODIFIER_RE.fullmatch(m):
            f.bad(f"{path}.modifiers[{j}]", "is not a two-character modifier", m)
        else:
            mods.append(m)
    return tuple(mods)


def _pointers(f: RecordFields, item: dict[str, Any], path: str) -> tuple[int, ...] | None:
    raw = f.get(item, "dx_pointers", f"{path}.dx_pointers")
    if raw is None:
        return None
    ok = isinstance(raw, list) and 0 < len(raw) <= 4
    if ok and all(isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 12 for p in raw):
        return tuple(raw)
    f.bad(f"{path}.dx_pointers", "must be a list of one to four numbers from 1 to 12")
    return None


def _diagnoses(f: RecordFields, record: dict[str, Any]) -> tuple[str, ...]:
    raw = f.get(record, "diagnoses", "diagnoses")
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 12:
        f.bad("diagnoses", "must be a list of at most twelve ICD-10-CM codes")
        return ()
    out = []
    for i, code in enumerate(raw):
        if not isinstance(code, str) or not ICD_FORMAT_RE.fullmatch(code.strip().upper()):
            f.bad(f"diagnoses[{i}]", "is not shaped like an ICD-10-CM code")
        else:
            out.append(code.strip().upper())
    return tuple(out)


def _decimal(f: RecordFields, record: dict[str, Any], key: str) -> Decimal | None:
    value = f.get(record, key, key)
    if value is None:
        return None
    if not isinstance(value, str):
        f.bad(key, 'must be a decimal string such as "1234.50"', value)
        return None
    if value.strip().startswith("-") and MONEY_RE.fullmatch(value.strip()[1:]):
        f.bad(key, "must not be negative")
        return None
    if not MONEY_RE.fullmatch(value.strip()) or to_decimal(value) > lim.MONEY_MAX:
        f.bad(key, f"must be an amount from 0.00 to {lim.MONEY_MAX:,} in dollars and cents", value)
        return None
    return to_decimal(value)


def _minutes(f: RecordFields, obj: dict[str, Any], key: str, path: str | None = None) -> int | None:
    """Minutes of one day: a service's, its assistant share, or a visit total."""
    return f.integer(obj, key, path or key, maximum=lim.MINUTES_PER_DAY)


def _count(
    f: RecordFields, obj: dict[str, Any], key: str, path: str, minimum: int = 0
) -> int | None:
    """A count of visits (visit numbers, visits authorized or used, benefit limits)."""
    return f.integer(obj, key, path, minimum, maximum=lim.VISIT_COUNT_MAX)


def _plan_of_care(f: RecordFields, record: dict[str, Any]) -> PlanOfCare | None:
    raw = f.obj(record, "plan_of_care", "plan_of_care")
    if raw is None:
        return None
    start = f.day(raw, "start", "plan_of_care.start", required=True)
    through = f.day(raw, "through", "plan_of_care.through")
    if start and through and through < start:
        f.bad("plan_of_care.through", "is before plan_of_care.start")
    certified = f.day(raw, "certified_on", "plan_of_care.certified_on")
    return PlanOfCare(start or date.min, certified, through)


def _authorization(f: RecordFields, record: dict[str, Any]) -> Authorization | None:
    raw = f.obj(record, "authorization", "authorization")
    if raw is None:
        return None
    p = "authorization."
    start = f.day(raw, "start", p + "start")
    end = f.day(raw, "end", p + "end")
    if start and end and end < start:
        f.bad(p + "end", "is before authorization.start")
    return Authorization(
        number=f.string(raw, "number", p + "number", max_len=lim.REFERENCE_MAX),
        visits_authorized=_count(f, raw, "visits_authorized", p + "visits_authorized"),
        visits_used=_count(f, raw, "visits_used", p + "visits_used"),
        start=start,
        end=end,
    )


def _secondary(f: RecordFields, record: dict[str, Any]) -> SecondaryCoverage | None:
    raw = f.obj(record, "secondary", "secondary")
    if raw is None:
        return None
    payer = f.string(raw, "payer_id", "secondary.payer_id", required=True)
    member = f.string(raw, "member_id", "secondary.member_id", max_len=lim.MEMBER_ID_MAX)
    return SecondaryCoverage(payer or "", member)


def _benefits(f: RecordFields, record: dict[str, Any]) -> Benefits | None:
    raw = f.obj(record, "benefits", "benefits")
    if raw is None:
        return None
    return Benefits(
        visit_limit=_count(f, raw, "visit_limit", "benefits.visit_limit"),
        visits_used=_count(f, raw, "visits_used", "benefits.visits_used"),
        plan_year_start=f.day(raw, "plan_year_start", "benefits.plan_year_start"),
    )


def _coverage(f: RecordFields, record: dict[str, Any]) -> CoverageStatus | None:
    raw = f.obj(record, "coverage", "coverage")
    if raw is None:
        return None
    active = f.boolean(raw, "active", "coverage.active")
    return CoverageStatus(
        active=True if active is None else active,
        start=f.day(raw, "start", "coverage.start"),
        end=f.day(raw, "end", "coverage.end"),
    )
