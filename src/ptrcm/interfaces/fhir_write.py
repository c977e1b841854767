"""Write visits as FHIR R4 resources: a Bulk Data ``$export`` folder of NDJSON files (one
file a resource type) or one Bundle, in the layout of ``fhir_layout``.

Our own writer, for tests and benchmarks. Patients and Practitioners are written once
(a patient's demographics from the first visit naming them); every other resource is the
visit's own. Each resource is checked by its ``fhir.resources`` model before it is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from ptrcm.domain.visits import Address, Person, Provider, Visit
from ptrcm.interfaces import fhir_layout as lay

Resource = dict[str, Any]


def practitioner_id(p: Provider) -> str:
    """A stable id for a provider as a visit names them (NPI, name and credential)."""
    key = f"{p.npi}|{p.name}|{p.credential}".encode()
    return "pr-" + hashlib.sha256(key).hexdigest()[:16]


def _address(a: Address) -> Resource:
    lines = [x for x in (a.line1, a.line2) if x is not None]
    return {"line": lines, "city": a.city, "state": a.state, "postalCode": a.zip}


def _person(p: Person) -> Resource:
    out: Resource = {"name": [{"family": p.last_name, "given": [p.first_name]}]}
    out["gender"] = lay.GENDER.get(p.sex, "unknown")
    if p.birth_date is not None:
        out["birthDate"] = p.birth_date.isoformat()
    if p.address is not None:
        out["address"] = [_address(p.address)]
    return out


def _patient(v: Visit) -> Resource:
    ident = [{"system": "urn:ptrcm:patient", "value": v.patient_id}]
    out: Resource = {"resourceType": "Patient", "id": v.patient_id, "identifier": ident}
    return out | (_person(v.patient) if v.patient is not None else {})


def _practitioner(p: Provider, credential: bool = True) -> Resource:
    out: Resource = {"resourceType": "Practitioner", "id": practitioner_id(p)}
    if p.npi is not None:
        out["identifier"] = [{"system": lay.NPI, "value": p.npi}]
    if p.name is not None:
        out["name"] = [{"text": p.name}]
    if credential and p.credential:
        coding = {"system": lay.CREDENTIAL, "code": p.credential}
        out["qualification"] = [{"code": {"coding": [coding]}}]
    return out


def _ext(url: str, kind: str, value: object) -> Resource:
    if isinstance(value, date):
        value = value.isoformat()
    return {"url": url, kind: value}


def _visit_extension(v: Visit, coverages: list[str]) -> Resource:
    groups = {"plan_of_care": v.plan_of_care, "coverage": v.coverage,
              "authorization": v.authorization, "benefits": v.benefits}  # fmt: skip
    subs = []
    for url, path, kind in lay.VISIT_FIELDS:
        head, _, attr = path.partition(".")
        holder = groups[head] if attr else v
        value = getattr(holder, attr or head) if holder is not None else None
        if value is not None:
            subs.append(_ext(url, kind, str(value) if kind == "valueString" else value))
    if v.authorization is not None:
        subs.append(_ext(lay.HAS_AUTHORIZATION, "valueBoolean", True))
    if v.benefits is not None:
        subs.append(_ext(lay.HAS_BENEFITS, "valueBoolean", True))
    subs += [_ext(lay.COVERAGE_REF, "valueReference", {"reference": f"Coverage/{c}"})
             for c in coverages]  # fmt: skip
    if v.extra:
        subs.append(_ext(lay.OTHER_FIELDS, "valueString", json.dumps(dict(v.extra))))
    return {"url": lay.EXT_VISIT, "extension": subs}


def _coverages(v: Visit) -> list[Resource]:
    patient = {"reference": f"Patient/{v.patient_id}"}
    cov = v.coverage
    primary: Resource = {
        "resourceType": "Coverage", "id": f"{v.visit_id}-cov1",
        "status": "cancelled" if cov is not None and not cov.active else "active",
        "beneficiary": patient, "order": 1,
        "payor": [{"identifier": {"system": lay.PAYER, "value": v.payer_id}}],
    }  # fmt: skip
    if v.member_id is not None:
        primary["subscriberId"] = v.member_id
    if cov is not None and (cov.start or cov.end):
        period = {"start": cov.start, "end": cov.end}
        primary["period"] = {k: d.isoformat() for k, d in period.items() if d is not None}
    if v.subscriber is not None:
        code = v.subscriber.relationship
        primary["relationship"] = {"coding": [{"system": lay.RELATIONSHIP, "code": code}]}
        related = {"resourceType": "RelatedPerson", "id": "subscriber", "patient": patient}
        primary["contained"] = [related | _person(v.subscriber.person)]
        primary["subscriber"] = {"reference": "#subscriber"}
    out = [primary]
    if v.secondary is not None:
        sec: Resource = {
            "resourceType": "Coverage", "id": f"{v.visit_id}-cov2", "status": "active",
            "beneficiary": patient, "order": 2,
            "payor": [{"identifier": {"system": lay.PAYER, "value": v.secondary.payer_id}}],
        }  # fmt: skip
        if v.secondary.member_id is not None:
            sec["subscriberId"] = v.secondary.member_id
        out.append(sec)
    return out


def _participant(role: str, p: Provider) -> Resource:
    coding = {"system": lay.PARTICIPATION, "code": lay.ROLES[role]}
    ref = {"reference": f"Practitioner/{practitioner_id(p)}"}
    return {"type": [{"coding": [coding]}], "individual": ref}


def visit_resources(v: Visit) -> list[Resource]:
    """The visit's own resources: Encounter, Conditions, ChargeItems and Coverages."""
    patient = {"reference": f"Patient/{v.patient_id}"}
    encounter_ref = {"reference": f"Encounter/{v.visit_id}"}
    coverages = _coverages(v)
    conditions = [
        {"resourceType": "Condition", "id": f"{v.visit_id}-dx{i}", "subject": patient,
         "encounter": encounter_ref,
         "code": {"coding": [{"system": lay.ICD10CM, "code": code}]}}
        for i, code in enumerate(v.diagnoses, start=1)
    ]  # fmt: skip
    people = [("rendering", v.rendering), ("supervising", v.supervising)]
    if v.referring is not None:
        people.append(("referring", Provider("", v.referring.npi, v.referring.name)))
    encounter: Resource = {
        "resourceType": "Encounter", "id": v.visit_id, "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "serviceType": {"coding": [{"system": lay.DISCIPLINE, "code": v.discipline}]},
        "subject": patient,
        "participant": [_participant(role, p) for role, p in people if p is not None],
        "period": {"start": v.date_of_service.isoformat(), "end": v.date_of_service.isoformat()},
        "diagnosis": [{"condition": {"reference": f"Condition/{c['id']}"}, "rank": i}
                      for i, c in enumerate(conditions, start=1)],
        "extension": [_visit_extension(v, [c["id"] for c in coverages])],
    }  # fmt: skip
    if v.location_id is not None:
        encounter["location"] = [{"location": {"reference": f"Location/{v.location_id}"}}]
    charges = []
    for i, s in enumerate(v.services, start=1):
        system = lay.CPT if s.code[:1].isdigit() else lay.HCPCS
        subs = [_ext("sequence", "valueInteger", i)]
        if s.minutes is not None:
            subs.append(_ext("minutes", "valueInteger", s.minutes))
        if s.assistant_minutes:
            subs.append(_ext("assistantMinutes", "valueInteger", s.assistant_minutes))
        subs += [_ext("modifier", "valueCode", m) for m in s.modifiers or ()]
        subs += [_ext("dxPointer", "valueInteger", p) for p in s.dx_pointers or ()]
        charge: Resource = {
            "resourceType": "ChargeItem", "id": f"{v.visit_id}-{i}", "status": "billable",
            "code": {"coding": [{"system": system, "code": s.code}]}, "subject": patient,
            "context": encounter_ref, "occurrenceDateTime": v.date_of_service.isoformat(),
            "extension": [{"url": lay.EXT_LINE, "extension": subs}],
        }  # fmt: skip
        if s.units is not None:
            charge["quantity"] = {"value": s.units}
        charges.append(charge)
    return [encounter, *conditions, *charges, *coverages]


def export_resources(visits: Iterable[Visit]) -> list[Resource]:
    """Every resource of the visits, Patients and Practitioners once each."""
    patients: dict[str, Resource] = {}
    practitioners: dict[str, Resource] = {}
    rest: list[Resource] = []
    for v in visits:
        if v.patient_id not in patients or (v.patient is not None and
                                            "name" not in patients[v.patient_id]):  # fmt: skip
            patients[v.patient_id] = _patient(v)
        for p, cred in ((v.rendering, True), (v.supervising, True)):
            if p is not None:
                practitioners.setdefault(practitioner_id(p), _practitioner(p, cred))
        if v.referring is not None:
            ref = Provider("", v.referring.npi, v.referring.name)
            practitioners.setdefault(practitioner_id(ref), _practitioner(ref, False))
        rest += visit_resources(v)
    return [*patients.values(), *practitioners.values(), *rest]


def _checked(resource: Resource) -> str:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return json.dumps(resource, separators=(",", ":"), ensure_ascii=False)


def write_ndjson_export(visits: Iterable[Visit], folder: str | os.PathLike[str]) -> int:
    """A Bulk Data export: ``Resource.ndjson`` per resource type in ``folder``; visits."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    resources = export_resources(visits)
    by_kind: dict[str, list[str]] = {}
    for r in resources:
        by_kind.setdefault(r["resourceType"], []).append(_checked(r))
    for kind, lines in by_kind.items():
        tmp = out / f"{kind}.ndjson.tmp"
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(out / f"{kind}.ndjson")
    return sum(1 for r in resources if r["resourceType"] == "Encounter")


def write_bundle(visits: Iterable[Visit], path: str | os.PathLike[str]) -> int:
    """One collection Bundle of every resource; visits."""
    resources = export_resources(visits)
    entries = [{"fullUrl": f"urn:ptrcm:{r['resourceType']}/{r['id']}", "resource": r}
               for r in resources]  # fmt: skip
    for r in resources:
        _checked(r)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    tmp.replace(target)
    return sum(1 for r in resources if r["resourceType"] == "Encounter")
