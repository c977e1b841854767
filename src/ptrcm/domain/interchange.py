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

from ptrcm.domain.codes import DISCIPLINES
from ptrcm.domain.money import to_decimal
from ptrcm.domain.visits import (
    ASSISTANT_CREDENTIALS,
    CREDENTIALS,
    RELATIONSHIPS,
    Address,
    Authorization,
    Benefits,
    CoverageStatus,
    Person,
    PlanOfCare,
    Provider,
    Referring,
    SecondaryCoverage,
    Service,
    Subscriber,
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
    }
)
CODE_RE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
ICD_FORMAT_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
POS_RE = re.compile(r"^[0-9]{2}$")
_MISSING = object()


class _Fields:
    """Typed field access that records problems instead of stopping at the first."""

    def __init__(self, source: str, line: int | None) -> None:
        self.source = source
        self.line = line
        self.problems: list[RecordProblem] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(RecordProblem(self.source, self.line, path, message))

    def get(self, obj: dict[str, Any], key: str, path: str, required: bool = False) -> Any:
        value = obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.bad(path, "is required")
            return None
        return value

    def string(
        self, obj: dict[str, Any], key: str, path: str, required: bool = False
    ) -> str | None:
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(path, f"must be a non-empty string, got {_show(value)}")
            return None
        return value.strip()

    def integer(
        self, obj: dict[str, Any], key: str, path: str, minimum: int = 0, required: bool = False
    ) -> int | None:
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(path, f"must be a whole number, got {_show(value)}")
            return None
        if value < minimum:
            self.bad(path, f"must be at least {minimum}, got {value}")
            return None
        return value

    def day(self, obj: dict[str, Any], key: str, path: str, required: bool = False) -> date | None:
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.bad(path, f"must be a date YYYY-MM-DD, got {_show(value)}")
            return None
        try:
            return date.fromisoformat(value) if len(value) == 10 else _raise_date()
        except ValueError:
            self.bad(path, f"must be a valid date YYYY-MM-DD, got {_show(value)}")
            return None

    def obj(
        self, obj: dict[str, Any], key: str, path: str, required: bool = False
    ) -> dict[str, Any] | None:
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(path, f"must be an object, got {_show(value)}")
            return None
        return value

    def boolean(self, obj: dict[str, Any], key: str, path: str) -> bool | None:
        value = self.get(obj, key, path)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.bad(path, f"must be true or false, got {_show(value)}")
            return None
        return value


def _raise_date() -> date:
    raise ValueError("not YYYY-MM-DD")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_visit(record: object, source: str = "<input>", line: int | None = None) -> Visit:
    """A ``Visit`` from one decoded JSON record, or ``InputError`` naming every defect."""
    f = _Fields(source, line)
    if not isinstance(record, dict):
        raise InputError([RecordProblem(source, line, None, "a visit must be a JSON object")])
    visit_id = f.string(record, "visit_id", "visit_id", required=True)
    patient_id = f.string(record, "patient_id", "patient_id", required=True)
    dos = f.day(record, "date_of_service", "date_of_service", required=True)
    payer_id = f.string(record, "payer_id", "payer_id", required=True)
    discipline = f.string(record, "discipline", "discipline", required=True)
    if discipline is not None and discipline not in DISCIPLINES:
        f.bad("discipline", f"must be one of PT, OT, SLP, got {_show(discipline)}")
    rendering = _provider(f, record, "rendering")
    services = _services(f, record)
    diagnoses = _diagnoses(f, record)
    pos = f.string(record, "place_of_service", "place_of_service")
    if pos is not None and not POS_RE.match(pos):
        f.bad("place_of_service", f"must be a two-digit code, got {_show(pos)}")
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
        member_id=f.string(record, "member_id", "member_id"),
        place_of_service=pos,
        location_id=f.string(record, "location_id", "location_id"),
        total_timed_minutes=f.integer(record, "total_timed_minutes", "total_timed_minutes"),
        total_treatment_minutes=f.integer(
            record, "total_treatment_minutes", "total_treatment_minutes"
        ),
        plan_of_care=_plan_of_care(f, record),
        episode_visit_number=f.integer(record, "episode_visit_number", "episode_visit_number", 1),
        last_progress_report_visit=f.integer(
            record, "last_progress_report_visit", "last_progress_report_visit", 0
        ),
        authorization=_authorization(f, record),
        patient=_person(f, record, "patient"),
        subscriber=_subscriber(f, record),
        secondary=_secondary(f, record),
        referring=_referring(f, record),
        onset_date=f.day(record, "onset_date", "onset_date"),
        kx_ytd_allowed=kx,
        benefits=_benefits(f, record),
        eligibility_verified_on=f.day(record, "eligibility_verified_on", "eligibility_verified_on"),
        coverage=_coverage(f, record),
        supervising=_provider(f, record, "supervising"),
        extra={k: v for k, v in record.items() if k not in KNOWN_KEYS},
    )
    if f.problems:
        raise InputError(f.problems)
    return visit


def _provider(f: _Fields, record: dict[str, Any], key: str) -> Provider | None:
    """``rendering`` (required) or ``supervising`` (optional: the therapist an assistant
    works under, ``{"npi", "name", "credential"}``; credential defaults to the visit's
    discipline and must not be an assistant's)."""
    rendering = key == "rendering"
    raw = f.obj(record, key, key, required=rendering)
    if raw is None:
        return None
    credential = f.string(raw, "credential", f"{key}.credential", required=rendering)
    if credential is not None and credential not in CREDENTIALS:
        f.bad(f"{key}.credential", f"unknown credential {_show(credential)}")
    if not rendering and credential in ASSISTANT_CREDENTIALS:
        f.bad(f"{key}.credential", "the supervising provider must be a therapist, not an assistant")
    if not rendering and credential is None:
        discipline = record.get("discipline")
        credential = discipline if discipline in DISCIPLINES else ""
    npi = f.string(raw, "npi", f"{key}.npi")
    if npi is not None and not (len(npi) == 10 and npi.isdigit()):
        f.bad(f"{key}.npi", "must be 10 digits")
    return Provider(credential or "", npi, f.string(raw, "name", f"{key}.name"))


def _services(f: _Fields, record: dict[str, Any]) -> tuple[Service, ...]:
    raw = f.get(record, "services", "services", required=True)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        f.bad("services", "must be a non-empty list of services")
        return ()
    out = []
    for i, item in enumerate(raw):
        path = f"services[{i}]"
        if not isinstance(item, dict):
            f.bad(path, "must be an object")
            continue
        code = f.string(item, "code", f"{path}.code", required=True)
        if code is not None and not CODE_RE.match(code):
            f.bad(f"{path}.code", f"is not a CPT/HCPCS code: {_show(code)}")
        minutes = f.integer(item, "minutes", f"{path}.minutes")
        assistant = f.integer(item, "assistant_minutes", f"{path}.assistant_minutes") or 0
        if minutes is not None and assistant > minutes:
            f.bad(f"{path}.assistant_minutes", f"{assistant} is more than the {minutes} minutes")
        units = f.integer(item, "units", f"{path}.units", minimum=1)
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


def _modifiers(f: _Fields, item: dict[str, Any], path: str) -> tuple[str, ...] | None:
    raw = f.get(item, "modifiers", f"{path}.modifiers")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > 4:
        f.bad(f"{path}.modifiers", "must be a list of at most four modifiers")
        return None
    mods = []
    for j, m in enumerate(raw):
        if not isinstance(m, str) or not MODIFIER_RE.match(m):
            f.bad(f"{path}.modifiers[{j}]", f"is not a two-character modifier: {_show(m)}")
        else:
            mods.append(m)
    return tuple(mods)


def _pointers(f: _Fields, item: dict[str, Any], path: str) -> tuple[int, ...] | None:
    raw = f.get(item, "dx_pointers", f"{path}.dx_pointers")
    if raw is None:
        return None
    ok = isinstance(raw, list) and 0 < len(raw) <= 4
    if ok and all(isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 12 for p in raw):
        return tuple(raw)
    f.bad(f"{path}.dx_pointers", "must be a list of one to four numbers from 1 to 12")
    return None


def _diagnoses(f: _Fields, record: dict[str, Any]) -> tuple[str, ...]:
    raw = f.get(record, "diagnoses", "diagnoses")
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 12:
        f.bad("diagnoses", "must be a list of at most twelve ICD-10-CM codes")
        return ()
    out = []
    for i, code in enumerate(raw):
        if not isinstance(code, str) or not ICD_FORMAT_RE.match(code.strip().upper()):
            f.bad(f"diagnoses[{i}]", f"is not shaped like an ICD-10-CM code: {_show(code)}")
        else:
            out.append(code.strip().upper())
    return tuple(out)


def _decimal(f: _Fields, record: dict[str, Any], key: str) -> Decimal | None:
    value = f.get(record, key, key)
    if value is None:
        return None
    if not isinstance(value, str):
        f.bad(key, f'must be a decimal string such as "1234.50", got {_show(value)}')
        return None
    try:
        amount = to_decimal(value)
    except ValueError as exc:
        f.bad(key, str(exc))
        return None
    if amount < 0:
        f.bad(key, "must not be negative")
        return None
    return amount


def _plan_of_care(f: _Fields, record: dict[str, Any]) -> PlanOfCare | None:
    raw = f.obj(record, "plan_of_care", "plan_of_care")
    if raw is None:
        return None
    start = f.day(raw, "start", "plan_of_care.start", required=True)
    through = f.day(raw, "through", "plan_of_care.through")
    if start and through and through < start:
        f.bad("plan_of_care.through", "is before plan_of_care.start")
    certified = f.day(raw, "certified_on", "plan_of_care.certified_on")
    return PlanOfCare(start or date.min, certified, through)


def _authorization(f: _Fields, record: dict[str, Any]) -> Authorization | None:
    raw = f.obj(record, "authorization", "authorization")
    if raw is None:
        return None
    p = "authorization."
    start = f.day(raw, "start", p + "start")
    end = f.day(raw, "end", p + "end")
    if start and end and end < start:
        f.bad(p + "end", "is before authorization.start")
    return Authorization(
        number=f.string(raw, "number", p + "number"),
        visits_authorized=f.integer(raw, "visits_authorized", p + "visits_authorized"),
        visits_used=f.integer(raw, "visits_used", p + "visits_used"),
        start=start,
        end=end,
    )


def _address(f: _Fields, raw: dict[str, Any], path: str) -> Address | None:
    obj = f.obj(raw, "address", path)
    if obj is None:
        return None
    state = f.string(obj, "state", path + ".state", required=True)
    if state is not None and not (len(state) == 2 and state.isalpha()):
        f.bad(path + ".state", "must be a two-letter state code")
    zipc = f.string(obj, "zip", path + ".zip", required=True)
    if zipc is not None and not (zipc.isdigit() and len(zipc) in (5, 9)):
        f.bad(path + ".zip", "must be 5 or 9 digits")
    return Address(
        line1=f.string(obj, "line1", path + ".line1", required=True) or "",
        city=f.string(obj, "city", path + ".city", required=True) or "",
        state=state or "",
        zip=zipc or "",
        line2=f.string(obj, "line2", path + ".line2"),
    )


def _person_fields(f: _Fields, raw: dict[str, Any], path: str) -> Person:
    sex = f.string(raw, "sex", path + ".sex") or "U"
    if sex not in ("F", "M", "U"):
        f.bad(path + ".sex", f"must be F, M or U, got {_show(sex)}")
    return Person(
        first_name=f.string(raw, "first_name", path + ".first_name", required=True) or "",
        last_name=f.string(raw, "last_name", path + ".last_name", required=True) or "",
        birth_date=f.day(raw, "birth_date", path + ".birth_date"),
        sex=sex,
        address=_address(f, raw, path + ".address"),
    )


def _person(f: _Fields, record: dict[str, Any], key: str) -> Person | None:
    raw = f.obj(record, key, key)
    return None if raw is None else _person_fields(f, raw, key)


def _subscriber(f: _Fields, record: dict[str, Any]) -> Subscriber | None:
    raw = f.obj(record, "subscriber", "subscriber")
    if raw is None:
        return None
    rel = f.string(raw, "relationship", "subscriber.relationship", required=True)
    if rel is not None and rel not in RELATIONSHIPS:
        f.bad("subscriber.relationship", f"must be one of spouse, child, other, got {_show(rel)}")
    return Subscriber(rel or "", _person_fields(f, raw, "subscriber"))


def _secondary(f: _Fields, record: dict[str, Any]) -> SecondaryCoverage | None:
    raw = f.obj(record, "secondary", "secondary")
    if raw is None:
        return None
    payer = f.string(raw, "payer_id", "secondary.payer_id", required=True)
    return SecondaryCoverage(payer or "", f.string(raw, "member_id", "secondary.member_id"))


def _referring(f: _Fields, record: dict[str, Any]) -> Referring | None:
    raw = f.obj(record, "referring", "referring")
    if raw is None:
        return None
    npi = f.string(raw, "npi", "referring.npi")
    if npi is not None and not (len(npi) == 10 and npi.isdigit()):
        f.bad("referring.npi", "must be 10 digits")
    return Referring(npi, f.string(raw, "name", "referring.name"))


def _benefits(f: _Fields, record: dict[str, Any]) -> Benefits | None:
    raw = f.obj(record, "benefits", "benefits")
    if raw is None:
        return None
    return Benefits(
        visit_limit=f.integer(raw, "visit_limit", "benefits.visit_limit"),
        visits_used=f.integer(raw, "visits_used", "benefits.visits_used"),
        plan_year_start=f.day(raw, "plan_year_start", "benefits.plan_year_start"),
    )


def _coverage(f: _Fields, record: dict[str, Any]) -> CoverageStatus | None:
    raw = f.obj(record, "coverage", "coverage")
    if raw is None:
        return None
    active = f.boolean(raw, "active", "coverage.active")
    return CoverageStatus(
        active=True if active is None else active,
        start=f.day(raw, "start", "coverage.start"),
        end=f.day(raw, "end", "coverage.end"),
    )
