"""One Encounter and the resources it names, as a visit interchange record."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ptrcm.domain.intake import IncomingRecord
from ptrcm.errors import InputError, RecordProblem
from ptrcm.interfaces import fhir_layout as lay
from ptrcm.interfaces.fhir_read import (
    Found,
    Index,
    Missing,
    Resource,
    check,
    need,
    own_extension,
    payer_of,
    person_of,
    provider_of,
    read_bundle,
    read_ndjson,
    ref_id,
    sub_values,
)

Record = dict[str, Any]
# Encounters that are no visit to bill: left out of the import.
NOT_VISITS = frozenset({"planned", "cancelled", "entered-in-error"})


def _day(value: object, found: Found, element: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) < 10:
        raise Missing(RecordProblem(found.source, found.line, element, "is not a full date"))
    return text[:10]


def _participants(index: Index, enc: Found, record: Record) -> None:
    r = enc.resource or {}
    for part in r.get("participant") or []:
        codes = [c.get("code") for t in part.get("type") or [] for c in t.get("coding") or []]
        role = next((k for k, v in lay.ROLES.items() if v in codes), None)
        if role is None or role in record:
            continue
        rid = ref_id(part.get("individual"), "Practitioner")
        element = f"Encounter.participant({lay.ROLES[role]})"
        provider = provider_of(need(index, "Practitioner", rid, enc, element), role != "referring")
        record[role] = provider | ({"npi": None} if role == "referring" and
                                   "npi" not in provider else {})  # fmt: skip


def _coverages(index: Index, enc: Found, ext: Resource, patient_id: str) -> list[Resource]:
    refs = [ref_id(v, "Coverage") for v in sub_values(ext, lay.COVERAGE_REF)]
    if refs:
        return [need(index, "Coverage", rid, enc, "Encounter.extension(coverage)")
                for rid in refs]  # fmt: skip
    return [
        f.resource for (kind, _), f in index.by_id.items()
        if kind == "Coverage" and f.resource is not None and f.problem is None
        and ref_id(f.resource.get("beneficiary"), "Patient") == patient_id
    ]  # fmt: skip


def _insurance(index: Index, enc: Found, ext: Resource, record: Record) -> None:
    coverages = sorted(_coverages(index, enc, ext, record["patient_id"]),
                       key=lambda c: c.get("order") or 99)  # fmt: skip
    if not coverages:
        raise Missing(RecordProblem(enc.source, enc.line, "Coverage", "the visit has no Coverage"))
    first = coverages[0]
    record["payer_id"] = payer_of(first)
    record["member_id"] = first.get("subscriberId")
    period = first.get("period") or {}
    record["_coverage"] = (period.get("start"), period.get("end"))
    relationship = [c.get("code") for c in (first.get("relationship") or {}).get("coding") or []]
    if relationship:
        contained = {c.get("id"): c for c in first.get("contained") or []}
        ref = (first.get("subscriber") or {}).get("reference", "")
        person = contained.get(ref.removeprefix("#")) if ref.startswith("#") else None
        record["subscriber"] = {"relationship": relationship[0]} | person_of(person or {})
    if len(coverages) > 1:
        second = coverages[1]
        record["secondary"] = {
            "payer_id": payer_of(second),
            "member_id": second.get("subscriberId"),
        }


def _therapy(ext: Resource, record: Record) -> None:
    groups: dict[str, Record] = {}
    for url, path, _ in lay.VISIT_FIELDS:
        values = sub_values(ext, url)
        if not values:
            continue
        head, _, attr = path.partition(".")
        if attr:
            groups.setdefault(head, {})[attr] = values[0]
        else:
            record[path] = values[0]
    start, end = record.pop("_coverage")
    if groups.get("plan_of_care", {}).get("start"):
        record["plan_of_care"] = groups["plan_of_care"]
    if "active" in groups.get("coverage", {}):
        cov = {"active": groups["coverage"]["active"], "start": start, "end": end}
        record["coverage"] = {k: v for k, v in cov.items() if v is not None}
    if sub_values(ext, lay.HAS_AUTHORIZATION) or "authorization" in groups:
        record["authorization"] = groups.get("authorization", {})
    if sub_values(ext, lay.HAS_BENEFITS) or "benefits" in groups:
        record["benefits"] = groups.get("benefits", {})
    other = sub_values(ext, lay.OTHER_FIELDS)
    if other:
        loaded = json.loads(str(other[0]))
        if isinstance(loaded, dict):
            record.update({k: v for k, v in loaded.items() if k not in record})


def _line(found: Found, fallback: int) -> tuple[int, Record]:
    r = found.resource or {}
    ext = own_extension(r, lay.EXT_LINE)
    codes = [c for c in (r.get("code") or {}).get("coding") or []
             if c.get("system") in lay.CODE_SYSTEMS]  # fmt: skip
    if not codes:
        kind = r.get("resourceType")
        message = "has no CPT or HCPCS coding (unknown code system)"
        raise Missing(RecordProblem(found.source, found.line, f"{kind}.code", message))
    line: Record = {"code": str(codes[0].get("code") or "").strip().upper()}
    for key, url in (("minutes", "minutes"), ("assistant_minutes", "assistantMinutes")):
        values = sub_values(ext, url)
        if values:
            line[key] = values[0]
    quantity = (r.get("quantity") or {}).get("value")
    if quantity is not None:
        line["units"] = int(quantity) if float(quantity).is_integer() else quantity
    line["modifiers"] = [str(m).upper() for m in sub_values(ext, "modifier")]
    pointers = sub_values(ext, "dxPointer")
    if pointers:
        line["dx_pointers"] = pointers
    sequence = sub_values(ext, "sequence")
    return (int(sequence[0]) if sequence else fallback), line


def encounter_record(index: Index, enc: Found) -> Record:
    """The interchange record of one Encounter, or ``Missing`` with its problem."""
    r = enc.resource or {}
    patient_id = ref_id(r.get("subject"), "Patient")
    patient = need(index, "Patient", patient_id, enc, "Encounter.subject")
    ext = own_extension(r, lay.EXT_VISIT)
    disciplines = [c.get("code") for c in (r.get("serviceType") or {}).get("coding") or []]
    location = next((ref_id(x.get("location"), "Location") for x in r.get("location") or []),
                    None)  # fmt: skip
    diagnoses = []
    for d in sorted(r.get("diagnosis") or [], key=lambda d: d.get("rank") or 99):
        cond = need(index, "Condition", ref_id(d.get("condition"), "Condition"), enc,
                     "Encounter.diagnosis")  # fmt: skip
        codes = [c.get("code") for c in (cond.get("code") or {}).get("coding") or []
                 if c.get("system") == lay.ICD10CM]  # fmt: skip
        if codes:
            diagnoses.append(str(codes[0]).strip().upper())
    lines = []
    named = index.lines.get(str(r.get("id")), [])
    charges = [f for f in named if (f.resource or {}).get("resourceType") == "ChargeItem"]
    for i, found in enumerate(charges or named, start=1):  # Procedures only without charges
        if found.problem is not None:
            raise Missing(found.problem)
        lines.append(_line(found, i))
    if not lines:
        raise Missing(RecordProblem(enc.source, enc.line, "ChargeItem",
                                    "the Encounter has no ChargeItem or Procedure"))  # fmt: skip
    record: Record = {
        "visit_id": r.get("id"),
        "patient_id": patient_id,
        "date_of_service": _day((r.get("period") or {}).get("start"), enc, "Encounter.period"),
        "location_id": location,
        "discipline": disciplines[0] if disciplines else None,
        "diagnoses": diagnoses,
        "services": [line for _, line in sorted(lines, key=lambda x: x[0])],
    }
    _participants(index, enc, record)
    person = person_of(patient)
    if person.keys() - {"sex"}:
        record["patient"] = person
    _insurance(index, enc, ext, record)
    _therapy(ext, record)
    return {k: v for k, v in record.items() if v is not None}


def read_fhir(path: str | os.PathLike[str]) -> list[IncomingRecord]:
    """Every Encounter of a Bulk Data folder or Bundle as an incoming record, and every
    bad resource no Encounter could be tied to as a bad record of its own."""
    p, source = Path(path), str(path)
    if p.is_dir():
        found = [check(f) for f in read_ndjson(p)]
    elif p.is_file():
        found = [check(f) for f in read_bundle(p)]
    else:
        raise InputError.one(source, None, None, "no such file or folder")
    index = Index(found)
    out = [IncomingRecord(f.source, f.line, f.text, None, (f.problem,) if f.problem else (
           RecordProblem(f.source, f.line, None, "belongs to no Encounter"),))
           for f in index.orphans]  # fmt: skip
    for (kind, rid), enc in index.by_id.items():
        if kind != "Encounter" or (enc.resource or {}).get("status") in NOT_VISITS:
            continue
        if enc.problem is not None:
            out.append(IncomingRecord(enc.source, enc.line, enc.text, None, (enc.problem,), rid))
            continue
        try:
            record = encounter_record(index, enc)
        except Missing as exc:
            out.append(IncomingRecord(enc.source, enc.line, enc.text, None, (exc.problem,), rid))
            continue
        out.append(IncomingRecord(enc.source, enc.line, enc.text, record, (), rid[:64]))
    if not any(kind == "Encounter" for kind, _ in index.by_id):
        raise InputError.one(source, None, None, "holds no Encounter")
    return sorted(out, key=lambda r: (r.source, r.line or 0))
