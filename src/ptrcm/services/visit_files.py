"""Read and write visit interchange files (JSON Lines, one visit per line)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.records import visit_to_record
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError, RecordProblem

MAX_PROBLEMS = 200


def iter_records(path: Path) -> Iterator[tuple[int, object | None, str | None]]:
    """(line number, decoded record or None, JSON error or None) for each non-blank line."""
    with path.open("r", encoding="utf-8-sig") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                yield number, json.loads(text), None
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def read_visits(path: str | os.PathLike[str]) -> list[Visit]:
    """Every visit in the file, or ``InputError`` naming the line and field of each defect.

    Nothing is returned when any record is bad: the file is read whole or not at all.
    Visit ids must be unique within a file.
    """
    p = Path(path)
    source = str(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    visits: list[Visit] = []
    problems: list[RecordProblem] = []
    seen: dict[str, int] = {}
    try:
        for number, record, error in iter_records(p):
            if error is not None:
                problems.append(RecordProblem(source, number, None, error))
            else:
                try:
                    visit = parse_visit(record, source, number)
                except InputError as exc:
                    problems.extend(exc.problems)
                else:
                    if visit.visit_id in seen:
                        problems.append(
                            RecordProblem(
                                source,
                                number,
                                "visit_id",
                                f"duplicate visit id {visit.visit_id!r} (first on line"
                                f" {seen[visit.visit_id]})",
                            )
                        )
                    seen.setdefault(visit.visit_id, number)
                    visits.append(visit)
            if len(problems) >= MAX_PROBLEMS:
                break
    except UnicodeDecodeError as exc:
        problems.append(RecordProblem(source, None, None, f"not UTF-8 text ({exc.reason})"))
    if problems:
        raise InputError(problems)
    if not visits:
        raise InputError.one(source, None, None, "holds no visits")
    return visits


def write_visits(visits: Iterable[Visit], path: str | os.PathLike[str]) -> int:
    """Write visits as JSON Lines atomically (a temporary file renamed into place)."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for visit in visits:
            fh.write(json.dumps(visit_to_record(visit), separators=(",", ":")) + "\n")
            count += 1
    tmp.replace(target)
    return count
