"""``Visit`` back to its interchange record (the inverse of ``interchange.parse_visit``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ptrcm.domain.documentation_record import documentation_record
from ptrcm.domain.visits import Address, Person, Provider, Service, Visit


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _address(a: Address | None) -> dict[str, Any] | None:
    if a is None:
        return None
    out = {"line1": a.line1, "line2": a.line2, "city": a.city, "state": a.state, "zip": a.zip}
    return {k: v for k, v in out.items() if v is not None}


def _person(p: Person) -> dict[str, Any]:
    out: dict[str, Any] = {"first_name": p.first_name, "last_name": p.last_name}
    if p.birth_date:
        out["birth_date"] = p.birth_date.isoformat()
    out["sex"] = p.sex
    if p.address:
        out["address"] = _address(p.address)
    return out


def _service(s: Service) -> dict[str, Any]:
    out: dict[str, Any] = {"code": s.code}
    if s.minutes is not None:
        out["minutes"] = s.minutes
    if s.assistant_minutes:
        out["assistant_minutes"] = s.assistant_minutes
    if s.units is not None:
        out["units"] = s.units
    if s.modifiers is not None:
        out["modifiers"] = list(s.modifiers)
    if s.dx_pointers is not None:
        out["dx_pointers"] = list(s.dx_pointers)
    return out


def visit_to_record(v: Visit) -> dict[str, Any]:
    """The JSON-ready record; unknown keys read with the visit are written back as they were."""
    out: dict[str, Any] = {
        "visit_id": v.visit_id,
        "patient_id": v.patient_id,
        "date_of_service": v.date_of_service.isoformat(),
        "payer_id": v.payer_id,
        "member_id": v.member_id,
        "place_of_service": v.place_of_service,
        "location_id": v.location_id,
        "discipline": v.discipline,
        "rendering": _provider(v.rendering),
        "diagnoses": list(v.diagnoses),
        "services": [_service(s) for s in v.services],
        "total_timed_minutes": v.total_timed_minutes,
        "total_treatment_minutes": v.total_treatment_minutes,
    }
    if v.plan_of_care:
        p = v.plan_of_care
        out["plan_of_care"] = {
            "start": p.start.isoformat(),
            "certified_on": _day(p.certified_on),
            "through": _day(p.through),
        }
    out["episode_visit_number"] = v.episode_visit_number
    out["last_progress_report_visit"] = v.last_progress_report_visit
    if v.authorization:
        a = v.authorization
        out["authorization"] = {
            "number": a.number,
            "visits_authorized": a.visits_authorized,
            "visits_used": a.visits_used,
            "start": _day(a.start),
            "end": _day(a.end),
        }
    if v.patient:
        out["patient"] = _person(v.patient)
    if v.subscriber:
        out["subscriber"] = {"relationship": v.subscriber.relationship} | _person(
            v.subscriber.person
        )
    if v.secondary:
        out["secondary"] = {"payer_id": v.secondary.payer_id, "member_id": v.secondary.member_id}
    if v.supervising:
        out["supervising"] = _provider(v.supervising)
    if v.referring:
        out["referring"] = {"npi": v.referring.npi, "name": v.referring.name}
    out["onset_date"] = _day(v.onset_date)
    out["kx_ytd_allowed"] = None if v.kx_ytd_allowed is None else str(v.kx_ytd_allowed)
    if v.benefits:
        b = v.benefits
        out["benefits"] = {
            "visit_limit": b.visit_limit,
            "visits_used": b.visits_used,
            "plan_year_start": _day(b.plan_year_start),
        }
    out["eligibility_verified_on"] = _day(v.eligibility_verified_on)
    if v.coverage:
        c = v.coverage
        out["coverage"] = {"active": c.active, "start": _day(c.start), "end": _day(c.end)}
    if v.documentation:
        out["documentation"] = documentation_record(v.documentation)
    out = {k: val for k, val in out.items() if val is not None}
    out.update(v.extra)
    return out


def _provider(p: Provider) -> dict[str, str]:
    fields = (("npi", p.npi), ("credential", p.credential), ("name", p.name))
    return {k: val for k, val in fields if val is not None}
