"""Read and write visit interchange files (JSON Lines, one visit per line)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ptrcm.domain.input_limits import RECORD_BYTES_MAX, JsonLimitError, decode_json, excerpt
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.records import visit_to_record
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError, RecordProblem

MAX_PROBLEMS = 200


def decode_line(text: str, source: str, number: int) -> tuple[object | None, RecordProblem | None]:
    """(decoded record, None) for one line within ``input_limits``, else (None, its problem).

    The problem names the field when the limit is about one, is one line and never quotes
    the record."""
    try:
        return decode_json(text), None
    except json.JSONDecodeError as exc:
        message = f"not valid JSON ({exc.msg} at column {exc.colno})"
        return None, RecordProblem(source, number, None, message)
    except JsonLimitError as exc:
        message = str(exc) if exc.field else f"the record {exc}"
        return None, RecordProblem(source, number, exc.field, message)
    except ValueError:  # the decoder's own limits, should one remain
        return None, RecordProblem(source, number, None, "not valid JSON")


def kept_text(text: str) -> str:
    """A bad line as it is kept aside for a person to read: NUL written as ``\\u0000`` (no
    database text column holds it) and cut at the size a record may have."""
    return text[:RECORD_BYTES_MAX].replace("\x00", "\\u0000")


def iter_records(path: Path) -> Iterator[tuple[int, object | None, str | None]]:
    """(line number, decoded record or None, JSON error or None) for each non-blank line."""
    for number, text in numbered_lines(path):
        record, problem = decode_line(text, str(path), number)
        yield number, record, None if problem is None else str(problem)


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without its line ending) of each non-blank line.

    A line longer than a record may be is read only that far (the rest is skipped), so a
    gigabyte without a line break costs no more memory than one record. Raises
    ``UnicodeDecodeError`` for a file that is not UTF-8 text."""
    chunk = RECORD_BYTES_MAX + 1
    with path.open("r", encoding="utf-8-sig") as fh:
        number = 0
        while text := fh.readline(chunk):
            number += 1
            rest = text
            while len(rest) == chunk and not rest.endswith("\n"):
                rest = fh.readline(chunk)
            if text.strip():
                yield number, text.rstrip("\r\n")


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
        for number, text in numbered_lines(p):
            record, problem = decode_line(text, source, number)
            if problem is not None:
                problems.append(problem)
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
                                f"duplicate visit id {excerpt(visit.visit_id)} (first on line"
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
