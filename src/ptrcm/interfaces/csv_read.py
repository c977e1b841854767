"""Read an EMR's CSV export with a saved column mapping (TOML) into visit records.

One row is one service line; rows that share a visit id are one visit (in any order),
whose visit-level columns must agree from row to row. The mapping names, for each
interchange field path ("patient.first_name", "services[].minutes" as ``[service]``
``minutes``), the column that holds it; ``[constants]`` fills fields the export lacks.
docs/interfaces.md describes the file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ptrcm.domain.intake import IncomingRecord
from ptrcm.domain.interchange import KNOWN_KEYS
from ptrcm.errors import ConfigError, InputError, RecordProblem

INT_FIELDS = frozenset({
    "total_timed_minutes", "total_treatment_minutes", "episode_visit_number",
    "last_progress_report_visit", "authorization.visits_authorized",
    "authorization.visits_used", "benefits.visit_limit", "benefits.visits_used",
    "minutes", "assistant_minutes", "units",
})  # fmt: skip
DATE_FIELDS = frozenset({
    "date_of_service", "onset_date", "eligibility_verified_on", "plan_of_care.start",
    "plan_of_care.certified_on", "plan_of_care.through", "authorization.start",
    "authorization.end", "benefits.plan_year_start", "coverage.start", "coverage.end",
    "patient.birth_date", "subscriber.birth_date",
})  # fmt: skip
BOOL_FIELDS = frozenset({"coverage.active"})
LIST_FIELDS = frozenset({"diagnoses", "modifiers", "dx_pointers"})
SERVICE_KEYS = frozenset({"code", "minutes", "assistant_minutes", "units", "modifiers",
                          "dx_pointers"})  # fmt: skip
TRUE, FALSE = frozenset({"y", "yes", "true", "1"}), frozenset({"n", "no", "false", "0"})
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Mapping_:
    """A loaded mapping file: which column holds each field, and how cells are written."""

    source: str
    visit: Mapping[str, str]
    service: Mapping[str, str]
    constants: Mapping[str, Any] = field(default_factory=dict)
    delimiter: str = ","
    date_format: str = "%Y-%m-%d"
    list_separator: str = ";"
    blank_modifiers: str = "none"
    extra_json: str | None = None

    def where(self, path: str) -> str:
        """A field path named by the column it came from: "column 'Units' (services[0].units)"."""
        if path.startswith("services["):
            key = path.split(".", 1)[1].split("[", 1)[0] if "." in path else ""
            column = self.service.get(key)
        else:
            column = self.visit.get(path) or self.visit.get(path.split("[", 1)[0])
        return f"column {column!r} ({path})" if column else path


def load_mapping(path: str | os.PathLike[str]) -> Mapping_:
    """The mapping file at ``path``, or ``ConfigError`` naming the bad key."""
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(source, "-", "no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(source, "-", f"not valid TOML ({exc})") from None
    fmt, visit = data.get("format", {}), data.get("visit", {})
    service, constants = data.get("service", {}), data.get("constants", {})
    for key, table in (("format", fmt), ("visit", visit), ("service", service),
                       ("constants", constants)):  # fmt: skip
        if not isinstance(table, dict):
            raise ConfigError(source, key, "must be a table")
    for key, column in [*visit.items(), *service.items()]:
        if not isinstance(column, str) or not column:
            raise ConfigError(source, key, "must name a column (a non-empty string)")
    for key in visit:
        head = key.split(".", 1)[0]
        if head == "services" or (head in KNOWN_KEYS and "." not in key and head in
                                  ("patient", "subscriber", "rendering")):  # fmt: skip
            raise ConfigError(source, f"visit.{key}", "name a field inside it (patient.last_name)")
    unknown = set(service) - SERVICE_KEYS
    if unknown:
        raise ConfigError(source, f"service.{sorted(unknown)[0]}", "is not a service field")
    if "visit_id" not in visit or "code" not in service:
        raise ConfigError(source, "visit.visit_id / service.code", "both columns are required")
    blank = fmt.get("blank_modifiers", "none")
    if blank not in ("none", "empty"):
        raise ConfigError(source, "format.blank_modifiers", 'must be "none" or "empty"')
    return Mapping_(
        source, visit, service, constants, str(fmt.get("delimiter", ",")),
        str(fmt.get("date_format", "%Y-%m-%d")), str(fmt.get("list_separator", ";")), blank,
        fmt.get("extra_json"),
    )  # fmt: skip


class CellProblem(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


def _convert(m: Mapping_, path: str, raw: str) -> object:
    leaf = path.rsplit(".", 1)[-1] if path.startswith("services") else path
    text = raw.strip()
    if leaf in LIST_FIELDS:
        items = [x.strip() for x in text.split(m.list_separator) if x.strip()] if text else []
        if leaf == "dx_pointers":
            if not all(x.isdigit() for x in items):
                raise CellProblem(path, "must list whole numbers")
            return [int(x) for x in items]
        return [x.upper() for x in items]
    if leaf in INT_FIELDS:
        if not text.isdigit() or len(text) > 6:
            raise CellProblem(path, "must be a whole number")
        return int(text)
    if leaf in DATE_FIELDS:
        try:
            return datetime.strptime(text, m.date_format).date().isoformat()
        except ValueError:
            raise CellProblem(path, f"is not a date written {m.date_format}") from None
    if leaf in BOOL_FIELDS:
        if text.lower() not in TRUE | FALSE:
            raise CellProblem(path, "must be yes or no")
        return text.lower() in TRUE
    return text


def _put(record: Record, path: str, value: object) -> None:
    parts = path.split(".")
    node = record
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _visit_values(m: Mapping_, row: Mapping[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for path, column in m.visit.items():
        raw = row.get(column) or ""
        if raw.strip() or (path == "diagnoses" and column in row):
            out[path] = _convert(m, path, raw)
    return out


def _service(m: Mapping_, row: Mapping[str, str], index: int) -> Record:
    service: Record = {}
    for key, column in m.service.items():
        raw = row.get(column) or ""
        if raw.strip():
            service[key] = _convert(m, f"services[{index}].{key}", raw)
        elif key == "modifiers" and m.blank_modifiers == "empty":
            service[key] = []
    return service


@dataclass
class _Visit:
    line: int
    rows: list[str]
    values: dict[str, object]
    services: list[Record]
    problems: list[RecordProblem]


def _group(m: Mapping_, source: str, text: str) -> Iterator[_Visit]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=m.delimiter)
    missing = [c for c in [*m.visit.values(), *m.service.values()]
               if c not in (reader.fieldnames or [])]  # fmt: skip
    if missing:
        raise InputError.one(source, 1, None, f"the header has no column {missing[0]!r}")
    visits: dict[str, _Visit] = {}
    line = 1
    for row in reader:
        start, line = line + 1, reader.line_num
        row_text = m.delimiter.join(row.get(c) or "" for c in reader.fieldnames or [])
        visit_id = (row.get(m.visit["visit_id"]) or "").strip()
        key = visit_id or f"#line{start}"
        group = visits.get(key)
        try:
            values = _visit_values(m, row)
            if group is not None and not group.problems:
                changed = [p for p, v in values.items() if group.values.get(p) != v]
                if changed:
                    message = f"differs from line {group.line}, the visit's first row"
                    group.problems.append(
                        RecordProblem(source, start, m.where(changed[0]), message)
                    )
            index = len(group.services) if group else 0
            service = _service(m, row, index)
        except CellProblem as exc:
            problem = RecordProblem(source, start, m.where(exc.path), exc.message)
            if group is None:
                known = {"visit_id": visit_id} if visit_id else {}
                visits[key] = _Visit(start, [row_text], known, [], [problem])
            else:
                group.problems.append(problem)
                group.rows.append(row_text)
            continue
        if group is None:
            visits[key] = _Visit(start, [row_text], values, [service], [])
        else:
            group.rows.append(row_text)
            group.services.append(service)
    yield from visits.values()


def _record(m: Mapping_, group: _Visit) -> Record:
    record: Record = {}
    for path, value in m.constants.items():
        _put(record, path, value)
    extra_column = m.extra_json
    for path, value in group.values.items():
        if path == extra_column:
            continue
        _put(record, path, value)
    if extra_column and isinstance(group.values.get(extra_column), str):
        try:
            extra = json.loads(str(group.values[extra_column]))
        except ValueError:
            raise CellProblem(extra_column, "is not a JSON object") from None
        if not isinstance(extra, dict):
            raise CellProblem(extra_column, "is not a JSON object")
        record.update({k: v for k, v in extra.items() if k not in record})
    record["services"] = group.services
    return record


def read_csv_file(path: str | os.PathLike[str], m: Mapping_) -> list[IncomingRecord]:
    """Every visit of the export as an incoming record (rows grouped by visit id)."""
    p, source = Path(path), str(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(source, None, None, f"not UTF-8 text ({exc.reason})") from None
    out = []
    try:
        groups = list(_group(m, source, text))
    except csv.Error as exc:
        raise InputError.one(source, None, None, f"not CSV the mapping can read ({exc})") from None
    for group in groups:
        kept = "\n".join(group.rows)
        rid = group.values.get("visit_id")
        rid = str(rid)[:64] if rid else None
        if group.problems:
            out.append(IncomingRecord(source, group.line, kept, None, tuple(group.problems), rid))
            continue
        try:
            record = _record(m, group)
        except CellProblem as exc:
            problem = RecordProblem(source, group.line, m.where(exc.path), exc.message)
            out.append(IncomingRecord(source, group.line, kept, None, (problem,), rid))
            continue
        out.append(IncomingRecord(source, group.line, kept, record, (), rid))
    if not out:
        raise InputError.one(source, None, None, "holds no rows")
    return out


def preview_rows(records: list[IncomingRecord], count: int) -> list[Record]:
    """The first ``count`` visits as mapped, each with its problems (interchange checks
    included), for `ptrcm import csv --preview`."""
    from ptrcm.domain.interchange import parse_visit

    out = []
    for rec in records[:count]:
        problems = [str(p) for p in rec.problems]
        if rec.record is not None:
            try:
                parse_visit(rec.record, rec.source, rec.line)
            except InputError as exc:
                problems += [str(p) for p in exc.problems]
        out.append({"line": rec.line, "record": rec.record, "problems": problems})
    return out


def preview_text(path: str, shown: list[Record]) -> str:
    lines = [f"{path}: the first {len(shown)} visits as mapped"]
    for item in shown:
        lines.append(f"line {item['line']}:")
        if item["record"] is not None:
            lines.append("  " + json.dumps(item["record"], ensure_ascii=False))
        lines += [f"  problem: {p}" for p in item["problems"]]
    return "\n".join(lines)
