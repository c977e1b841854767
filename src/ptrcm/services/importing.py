"""Import visit files into the store: all or nothing, or with bad records quarantined.

Without quarantine the whole file is read and checked first (``read_visits``); one bad
record raises ``InputError`` naming its line and field and nothing is written. With
quarantine, good records are imported and each bad one is kept aside with its problems,
in the same transaction. Either way a visit id already on file is updated, never
duplicated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ptrcm.domain.intake import QuarantinedRecord, SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.ports import ImportUnitOfWork
from ptrcm.services.visit_files import read_visits

MAX_SHOWN_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class ImportResult:
    inserted: int
    updated: int
    quarantined: int
    problems: tuple[RecordProblem, ...] = ()

    @property
    def imported(self) -> int:
        return self.inserted + self.updated


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of each non-blank line, as ``read_visits`` counts them."""
    try:
        with path.open("r", encoding="utf-8-sig") as fh:
            for number, text in enumerate(fh, start=1):
                if text.strip():
                    yield number, text.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError.one(str(path), None, None, f"not UTF-8 text ({exc.reason})") from None


def _record_id(record: object) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("visit_id"), str):
        return str(record["visit_id"])[:64]
    return None


def split_visits(
    path: str | os.PathLike[str],
) -> tuple[list[SourcedVisit], list[QuarantinedRecord]]:
    """Every good visit of the file and every bad record with its problems.

    A visit id seen earlier in the same file makes the later record bad.
    """
    p, source = Path(path), str(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    good: list[SourcedVisit] = []
    bad: list[QuarantinedRecord] = []
    first_line: dict[str, int] = {}
    for number, text in _numbered_lines(p):
        record: object = None
        try:
            record = json.loads(text)
            visit = parse_visit(record, source, number)
        except json.JSONDecodeError as exc:
            problem = RecordProblem(source, number, None, f"not valid JSON ({exc.msg})")
            bad.append(QuarantinedRecord("visit", source, number, None, text, (problem,)))
            continue
        except InputError as exc:
            rid = _record_id(record)
            bad.append(QuarantinedRecord("visit", source, number, rid, text, exc.problems))
            continue
        if visit.visit_id in first_line:
            problem = RecordProblem(
                source,
                number,
                "visit_id",
                f"duplicate visit id {visit.visit_id!r} (first on line"
                f" {first_line[visit.visit_id]})",
            )
            bad.append(QuarantinedRecord("visit", source, number, visit.visit_id, text, (problem,)))
            continue
        first_line[visit.visit_id] = number
        good.append(SourcedVisit(visit, source, number))
    return good, bad


def _read_all_or_nothing(path: str | os.PathLike[str]) -> list[SourcedVisit]:
    visits = read_visits(path)  # raises InputError naming line and field; nothing written
    lines = [number for number, _text in _numbered_lines(Path(path))]
    if len(lines) != len(visits):  # read_visits skips the same blank lines we do
        lines = [0] * len(visits)
    return [
        SourcedVisit(visit, str(path), line or None)
        for visit, line in zip(visits, lines, strict=True)
    ]


def import_visits(
    unit_of_work: Callable[[], ImportUnitOfWork],
    path: str | os.PathLike[str],
    *,
    quarantine: bool = False,
) -> ImportResult:
    """Import the visit file at ``path`` in one transaction; see the module docstring."""
    if quarantine:
        good, bad = split_visits(path)
    else:
        good, bad = _read_all_or_nothing(path), []
    with unit_of_work() as uow:
        counts = uow.visits.upsert(good)
        uow.quarantine.add(bad)
        uow.commit()
    problems = tuple(p for record in bad for p in record.problems)
    return ImportResult(counts.inserted, counts.updated, len(bad), problems)
