"""Import an appointments file (``FILE.appointments.jsonl``, one appointment per line): all
or nothing, or with bad lines quarantined.

Each line becomes one appointment keyed by its ``appointment_id``: the patient, the
therapist (found by the staff id the master file gave them), the location, the status
(scheduled, kept, no-show, late cancel, cancelled) and, for a kept appointment, the visit
it produced. ``date`` and ``start`` are the clinic's wall-clock time: the location's time
zone, else the organization's; the store keeps the start in UTC. The master file (and the
visits a kept appointment names) must be imported first; a reference not on file is a
problem of that line, named by its field.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ptrcm.domain.appointments import APPOINTMENT_STATUSES
from ptrcm.domain.input_limits import MINUTES_PER_DAY, excerpt
from ptrcm.domain.intake import QuarantinedRecord
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.intake.fields import Fields
from ptrcm.services.intake.visit_files import decode_line, kept_text, numbered_lines
from ptrcm.services.intake.visits import ImportResult
from ptrcm.services.ports import MasterDataUnitOfWork

KIND = "appointment"
# Reference name in the row -> the field of the line that named it.
REF_FIELDS = {"patient": "patient_id", "location": "location_id", "visit": "visit_id"}


@dataclass(slots=True)
class _Line:
    number: int
    text: str
    record_id: str | None
    row: dict[str, Any]
    staff: str | None
    problems: list[RecordProblem]


def _lines(path: Path, source: str) -> Iterator[tuple[int, str]]:
    try:
        yield from numbered_lines(path)
    except UnicodeDecodeError as exc:
        raise InputError.one(source, None, None, f"not UTF-8 text ({exc.reason})") from None


def _parse_line(number: int, text: str, source: str) -> _Line:
    problems: list[RecordProblem] = []
    record, problem = decode_line(text, source, number)
    if problem is not None:
        problems.append(problem)
        return _Line(number, text, None, {}, None, problems)
    f = Fields(record, source, problems, line=number)
    ext = f.text("appointment_id")
    row = {
        "external_id": ext,
        "patient": f.text("patient_id"),
        "location": f.text("location_id", required=False),
        "visit": f.text("visit_id", required=False),
        "duration_minutes": f.integer("duration_minutes", minimum=1, maximum=MINUTES_PER_DAY),
        "discipline": f.choice("discipline", ("PT", "OT", "SLP"), required=False),
        "status": f.choice("status", APPOINTMENT_STATUSES),
        "_date": f.day("date"),
        "_start": f.clock_time("start"),
    }
    staff = f.text("therapist_id", required=False)
    return _Line(number, text, ext, row, staff, problems)


def _read(path: str | os.PathLike[str]) -> list[_Line]:
    source, p = str(path), Path(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    lines: list[_Line] = []
    first: dict[str, int] = {}
    for number, text in _lines(p, source):
        line = _parse_line(number, text, source)
        ext = line.record_id
        if ext is not None and ext in first and not line.problems:
            message = f"duplicate appointment id {excerpt(ext)} (first on line {first[ext]})"
            line.problems.append(RecordProblem(source, number, "appointment_id", message))
        elif ext is not None:
            first.setdefault(ext, number)
        lines.append(line)
    return lines


def _resolve(uow: MasterDataUnitOfWork, lines: list[_Line], source: str) -> None:
    """Therapist, time zone and references of the lines read well; problems otherwise."""
    staff = uow.master.providers_by_staff_id()
    zones = uow.master.location_timezones()
    default_zone = uow.master.organization_timezone()
    ok = [line for line in lines if not line.problems]
    for line in ok:
        row = line.row
        row["provider"] = None
        if line.staff is not None:
            if line.staff in staff:
                row["provider"] = staff[line.staff]
            else:
                message = (
                    f"{excerpt(line.staff)} is not a therapist on file"
                    " (import the master file first)"
                )
                line.problems.append(RecordProblem(source, line.number, "therapist_id", message))
        zone = ZoneInfo(zones.get(row["location"] or "") or default_zone)
        local = datetime.combine(row.pop("_date"), row.pop("_start"), tzinfo=zone)
        row["scheduled_start"] = local.astimezone(UTC)
    rows = [line.row for line in ok]
    for index, name, value in uow.master.unknown_references("appointments", rows):
        field = REF_FIELDS.get(name, name)
        message = f"{excerpt(value)} is not on file for this organization"
        ok[index].problems.append(RecordProblem(source, ok[index].number, field, message))


def import_appointments(
    unit_of_work: Callable[[], MasterDataUnitOfWork],
    path: str | os.PathLike[str],
    *,
    quarantine: bool = False,
) -> ImportResult:
    """Import the appointments at ``path`` in one transaction; see the module docstring.

    Without ``quarantine`` any bad line raises ``InputError`` and nothing is written.
    """
    source = str(path)
    lines = _read(path)
    if not quarantine:
        _raise_if_bad(lines)
    with unit_of_work() as uow:
        _resolve(uow, lines, source)
        if not quarantine:
            _raise_if_bad(lines)  # leaving the unit of work rolls back
        good = [line.row for line in lines if not line.problems]
        bad = [
            QuarantinedRecord(KIND, source, line.number, line.record_id, kept_text(line.text),
                              tuple(line.problems))
            for line in lines if line.problems
        ]  # fmt: skip
        counts = uow.appointments.upsert_appointments(good)
        uow.quarantine.add(bad)
        uow.commit()
    problems = tuple(p for record in bad for p in record.problems)
    return ImportResult(counts.inserted, counts.updated, len(bad), problems)


def _raise_if_bad(lines: list[_Line]) -> None:
    problems = [p for line in lines for p in line.problems]
    if problems:
        raise InputError(problems)


def import_synth_companions(
    unit_of_work: Callable[[], MasterDataUnitOfWork], visits_file: str | os.PathLike[str]
) -> ImportResult:
    """After the visits of a synthetic run: its master file, then its appointments."""
    from ptrcm.services.intake.master import import_master
    from ptrcm.synth.writer import companion_paths

    paths = companion_paths(visits_file)
    import_master(unit_of_work, paths["master"])
    return import_appointments(unit_of_work, paths["appointments"])
