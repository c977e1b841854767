"""Read FHIR R4 resources (a Bulk Data ``$export`` folder of NDJSON, or a Bundle) into
visit interchange records: one record an Encounter.

Every resource is checked by its ``fhir.resources`` model (R4B models, which read these
R4 resources) before it is read. A resource that fails, or that its Encounter needs and
is missing, makes that visit bad: its problem names the file, line and element, never a
value. A bad line no Encounter can be tied to is a bad record of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from ptrcm.domain.input_limits import RECORD_BYTES_MAX
from ptrcm.errors import InputError, RecordProblem
from ptrcm.interfaces import fhir_layout as lay
from ptrcm.services.intake.visit_files import decode_line, numbered_lines

Resource = dict[str, Any]


@dataclass
class Found:
    """One resource read from one place (file and line, or bundle entry)."""

    source: str
    line: int | None
    text: str
    resource: Resource | None
    problem: RecordProblem | None = None


def _validation_problem(exc: ValidationError, kind: str, found: Found) -> RecordProblem:
    first = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function"))
    what = "is required" if first["type"] == "missing" else f"is not valid ({first['type']})"
    return RecordProblem(found.source, found.line, f"{kind}.{where}".rstrip("."), what)


def check(found: Found) -> Found:
    """The resource checked by its model; a failure becomes the found's problem."""
    r = found.resource
    if found.problem is not None or r is None:
        return found
    kind = r.get("resourceType")
    if not isinstance(kind, str) or kind not in lay.KINDS:
        shown = kind if isinstance(kind, str) and kind.isalpha() else "none"
        found.problem = RecordProblem(
            found.source, found.line, "resourceType", f"{shown[:40]} is not a resource read here"
        )
        return found
    try:
        get_fhir_model_class(kind).model_validate(r)
    except ValidationError as exc:
        found.problem = _validation_problem(exc, kind, found)
    return found


def read_ndjson(folder: Path) -> Iterator[Found]:
    for path in sorted(folder.glob("*.ndjson")):
        source = str(path)
        try:
            for number, text in numbered_lines(path):
                record, problem = decode_line(text, source, number)
                kept = text[:RECORD_BYTES_MAX].replace("\x00", "\\u0000")
                if problem is None and not isinstance(record, dict):
                    problem = RecordProblem(source, number, None, "a resource must be an object")
                yield Found(source, number, kept, record if problem is None else None, problem)  # type: ignore[arg-type]
        except UnicodeDecodeError as exc:
            raise InputError.one(source, None, None, f"not UTF-8 text ({exc.reason})") from None


def read_bundle(path: Path) -> Iterator[Found]:
    source = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        raise InputError.one(source, None, None, "not a JSON Bundle") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise InputError.one(source, None, "resourceType", "is not Bundle")
    for number, entry in enumerate(data.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        text = json.dumps(resource)[:RECORD_BYTES_MAX]
        if not isinstance(resource, dict):
            problem = RecordProblem(source, number, "entry.resource", "must be a resource")
            yield Found(source, number, text, None, problem)
        else:
            yield Found(source, number, text, resource)


def ref_id(ref: object, kind: str) -> str | None:
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    text = str(ref["reference"])
    return text.split("/", 1)[1] if text.startswith(kind + "/") else None


def sub_values(ext: Resource, url: str) -> list[Any]:
    out = []
    for item in ext.get("extension") or []:
        if item.get("url") == url:
            out += [v for k, v in item.items() if k.startswith("value")]
    return out


def own_extension(resource: Resource, url: str) -> Resource:
    return next((e for e in resource.get("extension") or [] if e.get("url") == url), {})


class Index:
    """The resources by type and id, and the ChargeItems/Procedures by Encounter."""

    def __init__(self, found: list[Found]) -> None:
        self.by_id: dict[tuple[str, str], Found] = {}
        self.lines: dict[str, list[Found]] = {}
        self.orphans: list[Found] = []
        for f in found:
            r = f.resource
            if r is None or not isinstance(r.get("resourceType"), str):
                self.orphans.append(f)
                continue
            kind = str(r["resourceType"])
            if kind in ("ChargeItem", "Procedure"):
                key = "context" if kind == "ChargeItem" else "encounter"
                encounter = ref_id(r.get(key), "Encounter")
                if encounter is None:
                    self.orphans.append(f)
                else:
                    self.lines.setdefault(encounter, []).append(f)
            elif isinstance(r.get("id"), str):
                first = self.by_id.get((kind, str(r["id"])))
                if first is not None and f.problem is None:
                    message = f"duplicate {kind} id (first at {first.source}:{first.line})"
                    f.problem = RecordProblem(f.source, f.line, f"{kind}.id", message)
                    self.orphans.append(f)
                    continue
                self.by_id[(kind, str(r["id"]))] = f
            else:
                self.orphans.append(f)

    def get(self, kind: str, rid: str | None) -> Found | None:
        return None if rid is None else self.by_id.get((kind, rid))


class Missing(Exception):
    def __init__(self, problem: RecordProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def need(index: Index, kind: str, rid: str | None, enc: Found, element: str) -> Resource:
    found = index.get(kind, rid)
    if found is None or found.resource is None:
        message = f"names no {kind} in the export" if rid else f"has no {kind} reference"
        raise Missing(RecordProblem(enc.source, enc.line, element, message))
    if found.problem is not None:
        raise Missing(found.problem)
    return found.resource


def person_of(r: Resource) -> Resource:
    name = (r.get("name") or [{}])[0]
    address = (r.get("address") or [None])[0]
    out: Resource = {
        "last_name": name.get("family"),
        "first_name": " ".join(name.get("given") or []) or None,
        "birth_date": r.get("birthDate"),
        "sex": lay.SEX.get(str(r.get("gender")), "U") if r.get("gender") else None,
    }
    if isinstance(address, dict):
        lines = list(address.get("line") or [])
        parts = {"line1": lines[0] if lines else None, "line2": lines[1] if len(lines) > 1
                 else None, "city": address.get("city"), "state": address.get("state"),
                 "zip": address.get("postalCode")}  # fmt: skip
        out["address"] = {k: v for k, v in parts.items() if v is not None}
    return {k: v for k, v in out.items() if v is not None}


def provider_of(r: Resource, credential: bool) -> Resource:
    npi = next((i.get("value") for i in r.get("identifier") or [] if i.get("system") == lay.NPI),
               None)  # fmt: skip
    names = r.get("name") or [{}]
    name = names[0].get("text") or " ".join([*names[0].get("given", []), names[0].get("family",
                                             "")]).strip() or None  # fmt: skip
    out: Resource = {"npi": npi, "name": name}
    if credential:
        quals = [c.get("code") for q in r.get("qualification") or []
                 for c in (q.get("code") or {}).get("coding") or []]  # fmt: skip
        out["credential"] = quals[0] if quals else None
    return {k: v for k, v in out.items() if v is not None}


def payer_of(coverage: Resource) -> str | None:
    payor = (coverage.get("payor") or [{}])[0]
    ident = payor.get("identifier") or {}
    return ident.get("value") or ref_id(payor, "Organization") or payor.get("display")
