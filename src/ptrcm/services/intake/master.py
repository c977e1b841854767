"""Import a master-data file (``FILE.master.json``, as ``ptrcm synth`` writes it): the clinic,
locations, therapists, payers, patients, coverages, plans of care and authorizations.

All or nothing: the whole file is read and checked first, every problem named by its JSON
path and field (``coverages[3].member_id``); then everything is written in one
transaction, where a reference that is neither in the file nor already on file for the
organization is a problem too, and nothing is kept. Each kind is upserted by its external
id, so importing the file again updates rows in place.

What goes where:

- ``clinic`` -> the organization's NPI, TIN, taxonomy and time zone (its name and slug stay).
- ``locations`` -> locations (address; the clinic's time zone unless a location has its own).
- ``therapists`` -> providers keyed as visit import keys them (NPI, else credential and
  name), so one therapist is one provider row; the therapist id is kept as ``staff_id``
  for the appointments that name it.
- ``payers`` -> payers (name and class); ``patients`` -> patients (demographics, address).
- ``coverages`` -> coverages keyed ``patient:rank`` (payer, member id, plan dates,
  relationship, subscriber).
- ``plans_of_care`` -> plans of care (start, certified_on, through), with the treating
  therapist, planned visits and diagnoses of their episode.
- ``authorizations`` -> authorizations keyed by number (visits authorized, window).
- ``episodes`` and ``referring_providers`` have no table: they are read for the plans of
  care and counted as not stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ptrcm.domain import input_limits as lim
from ptrcm.domain.input_limits import JsonLimitError, bounded_key, decode_json, excerpt
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.intake.fields import Fields
from ptrcm.services.ports import MasterDataUnitOfWork

Row = dict[str, Any]
KINDS = (
    "locations",
    "providers",
    "payers",
    "patients",
    "coverages",
    "plans_of_care",
    "authorizations",
)
NOT_STORED = ("episodes", "referring_providers")
DISCIPLINES = ("PT", "OT", "SLP")
DISCIPLINE_OF = {"PT": "PT", "PTA": "PT", "OT": "OT", "OTA": "OT", "SLP": "SLP", "SLPA": "SLP"}
RANKS = ("primary", "secondary", "tertiary")
RELATIONSHIPS = ("self", "spouse", "child", "other")
DIAGNOSES_MAX = 12  # HI segment: twelve diagnosis codes per claim


@dataclass(frozen=True, slots=True)
class MasterData:
    """The file's records as store rows, each kind with the JSON path of every row."""

    organization: Row
    rows: dict[str, list[Row]]
    paths: dict[str, list[str]]
    not_stored: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KindCounts:
    inserted: int
    updated: int


@dataclass(frozen=True, slots=True)
class MasterImportResult:
    kinds: dict[str, KindCounts]
    not_stored: dict[str, int]

    @property
    def imported(self) -> int:
        return sum(c.inserted + c.updated for c in self.kinds.values())


def therapist_key(npi: str | None, credential: str, name: str | None) -> str:
    """A therapist's provider external id, exactly as ``store.visits.provider_key`` builds it."""
    return npi or bounded_key(f"{credential}:{name or '-'}")


class _Reader:
    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc, self.source = doc, source
        self.problems: list[RecordProblem] = []
        self.rows: dict[str, list[Row]] = {k: [] for k in KINDS}
        self.paths: dict[str, list[str]] = {k: [] for k in KINDS}
        self.staff: dict[str, str] = {}  # therapist id -> provider key

    def items(self, key: str) -> list[tuple[str, Fields]]:
        value = self.doc.get(key, [])
        if not isinstance(value, list):
            self.problems.append(RecordProblem(self.source, None, key, "must be a list"))
            return []
        return [
            (f"{key}[{i}]", Fields(item, self.source, self.problems, path=f"{key}[{i}]"))
            for i, item in enumerate(value)
        ]

    def add(self, kind: str, path: str, row: Row) -> None:
        seen = {r["external_id"]: p for r, p in zip(self.rows[kind], self.paths[kind], strict=True)}
        if row["external_id"] in seen:
            message = (
                f"duplicate id {excerpt(row['external_id'])} (first at {seen[row['external_id']]})"
            )
            self.problems.append(RecordProblem(self.source, None, path, message))
            return
        self.rows[kind].append(row)
        self.paths[kind].append(path)


def _address(f: Fields) -> Row:
    a = f.sub("address")
    if a is None:
        return {}
    return {
        "line1": a.text("line1", required=False, max_len=lim.ADDRESS_LINE_MAX),
        "line2": a.text("line2", required=False, max_len=lim.ADDRESS_LINE_MAX),
        "city": a.text("city", required=False, max_len=lim.CITY_MAX),
        "state": a.text("state", required=False, max_len=2),
        "zip": a.text("zip", required=False, max_len=10),
    }


def _clinic(r: _Reader) -> Row:
    f = Fields(r.doc.get("clinic", {}), r.source, r.problems, path="clinic")
    values = {
        "npi": f.text("npi", required=False, max_len=10),
        "tin": f.text("tin", required=False, max_len=9),
        "taxonomy": f.text("taxonomy", required=False, max_len=10),
        "timezone": f.text("timezone", required=False, max_len=lim.TIMEZONE_MAX),
    }
    if values["timezone"] is not None and not valid_timezone(values["timezone"]):
        f.fail("timezone", "is not a known IANA time zone")
    return {k: v for k, v in values.items() if v is not None}


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _locations(r: _Reader, timezone: str | None) -> None:
    for path, f in r.items("locations"):
        ext, name = f.text("location_id"), f.text("name", max_len=lim.ORGANIZATION_NAME_MAX)
        tz = f.text("timezone", required=False, max_len=lim.TIMEZONE_MAX) or timezone
        if ext and name:
            r.add("locations", path, {"external_id": ext, "name": name, "timezone": tz,
                                      **_address(f)})  # fmt: skip


def _therapists(r: _Reader) -> None:
    for path, f in r.items("therapists"):
        staff, credential = f.text("therapist_id"), f.text("credential", max_len=8)
        npi = f.text("npi", required=False, max_len=10)
        first = f.text("first_name", required=False, max_len=lim.FIRST_NAME_MAX)
        last = f.text("last_name", required=False, max_len=lim.LAST_NAME_MAX)
        name = " ".join(p for p in (first, last) if p) or None
        if not (staff and credential):
            continue
        key = therapist_key(npi, credential, name)
        r.staff[staff] = key
        row = {"external_id": key, "npi": npi, "name": name, "credential": credential,
               "discipline": DISCIPLINE_OF.get(credential), "staff_id": staff}  # fmt: skip
        r.add("providers", path, row)


def _payers(r: _Reader) -> None:
    for path, f in r.items("payers"):
        ext, name = f.text("payer_id"), f.text("name", max_len=lim.ORGANIZATION_NAME_MAX)
        payer_class = f.text("class", required=False, max_len=32)
        if ext and name:
            r.add("payers", path, {"external_id": ext, "name": name, "payer_class": payer_class})


def _patients(r: _Reader) -> None:
    for path, f in r.items("patients"):
        ext = f.text("patient_id")
        row = {
            "external_id": ext,
            "first_name": f.text("first_name", required=False, max_len=lim.FIRST_NAME_MAX),
            "last_name": f.text("last_name", required=False, max_len=lim.LAST_NAME_MAX),
            "birth_date": f.day("birth_date", required=False),
            "sex": f.choice("sex", ("F", "M", "U"), required=False) or "U",
            **_address(f),
        }
        if ext:
            r.add("patients", path, row)


def _coverages(r: _Reader) -> None:
    for path, f in r.items("coverages"):
        patient, payer = f.text("patient_id"), f.text("payer_id")
        rank = f.choice("rank", RANKS)
        row: Row = {
            "patient": patient,
            "payer": payer,
            "rank": rank,
            "member_id": f.text("member_id", required=False, max_len=lim.MEMBER_ID_MAX),
            "group_number": f.text("group_number", required=False, max_len=lim.REFERENCE_MAX),
            "relationship": f.choice("relationship", RELATIONSHIPS, required=False) or "self",
            "start_date": f.day("start", required=False),
            "end_date": f.day("end", required=False),
        }
        sub = f.sub("subscriber")
        if sub is not None:
            first = sub.text("first_name", required=False, max_len=lim.FIRST_NAME_MAX)
            row["subscriber_first_name"] = first
            last = sub.text("last_name", required=False, max_len=lim.LAST_NAME_MAX)
            row["subscriber_last_name"] = last
            row["subscriber_birth_date"] = sub.day("birth_date", required=False)
        if patient and payer and rank:
            r.add("coverages", path, {"external_id": f"{patient}:{rank}", **row})


def _episodes(r: _Reader) -> dict[str, Row]:
    """Episode id -> what its plans of care carry: therapist, planned visits, diagnoses."""
    out: dict[str, Row] = {}
    for path, f in r.items("episodes"):
        ext, staff = f.text("episode_id"), f.text("therapist_id", required=False)
        planned = f.integer("planned_visits")
        dx = f.record.get("diagnoses")
        if dx is not None and not (
            isinstance(dx, list)
            and len(dx) <= DIAGNOSES_MAX
            and all(isinstance(d, str) and 0 < len(d) <= 8 and d.isprintable() for d in dx)
        ):
            f.fail("diagnoses", f"must be a list of at most {DIAGNOSES_MAX} ICD-10 codes")
            dx = None
        if staff is not None and staff not in r.staff:
            f.fail("therapist_id", f"{excerpt(staff)} is not among the therapists")
        if ext:
            provider = None if staff is None else r.staff.get(staff)
            out[ext] = {"provider": provider, "visits_planned": planned,
                        "diagnoses": ",".join(dx) if dx else None, "path": path}  # fmt: skip
    return out


def _plans(r: _Reader, episodes: dict[str, Row]) -> None:
    for path, f in r.items("plans_of_care"):
        ext, patient = f.text("plan_id"), f.text("patient_id")
        episode = f.text("episode_id", required=False)
        if episode is not None and episode not in episodes:
            f.fail("episode_id", f"{excerpt(episode)} is not among the episodes")
        ep = episodes.get(episode or "", {})
        row = {
            "external_id": ext,
            "patient": patient,
            "provider": ep.get("provider"),
            "discipline": f.choice("discipline", DISCIPLINES),
            "start_date": f.day("start"),
            "certified_on": f.day("certified_on", required=False),
            "through": f.day("through", required=False),
            "visits_planned": ep.get("visits_planned"),
            "diagnoses": ep.get("diagnoses"),
        }
        if ext and patient and row["discipline"] and row["start_date"]:
            r.add("plans_of_care", path, row)


def _authorizations(r: _Reader) -> None:
    for path, f in r.items("authorizations"):
        number, patient = f.text("number", max_len=lim.REFERENCE_MAX), f.text("patient_id")
        row = {
            "external_id": number,
            "number": number,
            "patient": patient,
            "payer": f.text("payer_id", required=False),
            "discipline": f.choice("discipline", DISCIPLINES, required=False),
            "visits_authorized": f.integer("visits_authorized"),
            "start_date": f.day("start", required=False),
            "end_date": f.day("end", required=False),
        }
        if number and patient:
            r.add("authorizations", path, row)


def parse_master(doc: object, source: str) -> MasterData:
    """The file's records as store rows; ``InputError`` naming every bad path and field."""
    if not isinstance(doc, dict):
        raise InputError.one(source, None, None, "not a JSON object")
    r = _Reader(doc, source)
    organization = _clinic(r)
    _locations(r, organization.get("timezone"))
    _therapists(r)
    _payers(r)
    _patients(r)
    _coverages(r)
    _plans(r, _episodes(r))
    _authorizations(r)
    if r.problems:
        raise InputError(r.problems)
    refs = doc.get("referring_providers")
    not_stored = {
        "episodes": len(doc.get("episodes") or []),
        "referring_providers": len(refs) if isinstance(refs, list) else 0,
    }
    return MasterData(organization, r.rows, r.paths, not_stored)


def read_master(path: str | os.PathLike[str]) -> MasterData:
    source = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    if p.stat().st_size > lim.DOCUMENT_BYTES_MAX:
        raise InputError.one(source, None, None, f"is larger than {lim.DOCUMENT_BYTES_MAX:,} bytes")
    try:
        doc = decode_json(p.read_text(encoding="utf-8-sig"), max_bytes=lim.DOCUMENT_BYTES_MAX)
    except UnicodeDecodeError as exc:
        raise InputError.one(source, None, None, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise InputError.one(source, exc.lineno, None, f"not valid JSON ({exc.msg})") from None
    except JsonLimitError as exc:
        message = str(exc) if exc.field else f"the document {exc}"
        raise InputError.one(source, None, exc.field, message) from None
    return parse_master(doc, source)


def import_master(
    unit_of_work: Callable[[], MasterDataUnitOfWork], path: str | os.PathLike[str]
) -> MasterImportResult:
    """Import the master file at ``path`` in one transaction; see the module docstring."""
    data = read_master(path)
    kinds: dict[str, KindCounts] = {}
    with unit_of_work() as uow:
        uow.master.update_organization(data.organization)
        for kind in KINDS:
            rows = data.rows[kind]
            unknown = uow.master.unknown_references(kind, rows)
            if unknown:
                problems = [
                    RecordProblem(str(path), None, f"{data.paths[kind][i]}.{name}_id",
                                  f"{excerpt(value)} is neither in the file nor on file")
                    for i, name, value in unknown
                ]  # fmt: skip
                raise InputError(problems)  # leaving the unit of work rolls everything back
            counts = uow.master.upsert(kind, rows)
            kinds[kind] = KindCounts(counts.inserted, counts.updated)
        uow.commit()
    return MasterImportResult(kinds, data.not_stored)
