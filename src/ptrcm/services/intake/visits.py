"""Import visit files into the store: all or nothing, or with bad records quarantined.

Every record is held to ``domain.input_limits`` (JSON size, depth and numbers; field
lengths the 837 allows; minutes a day holds; dates in a sane window), and beyond what one
record can say: its payer (and secondary payer) must be configured, its date of service
not after the as-of day, and its visit id unique in the file.

Without quarantine one bad record raises ``InputError`` naming its line and field and
nothing is written. With quarantine, good records are imported and each bad one is kept
aside with its problems, in the same transaction.

A visit id already on file is updated, never duplicated; a visit re-imported exactly as
stored changes nothing. A changed visit whose claim was already sent to the payer is never
rewritten: it is a problem of its line (exit 2, or quarantined), because that claim can
only be changed by a corrected claim.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.domain.input_limits import excerpt
from ptrcm.domain.intake import IncomingRecord, QuarantinedRecord, SourcedVisit
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.records import visit_to_record
from ptrcm.errors import InputError, RecordProblem
from ptrcm.services.intake.visit_files import MAX_PROBLEMS, decode_line, kept_text, numbered_lines
from ptrcm.services.ports import ImportUnitOfWork

MAX_SHOWN_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class ImportResult:
    inserted: int
    updated: int
    quarantined: int
    problems: tuple[RecordProblem, ...] = ()
    unchanged: int = 0

    @property
    def imported(self) -> int:
        return self.inserted + self.updated


def _record_id(record: object) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("visit_id"), str):
        return str(record["visit_id"])[:64]
    return None


def _default_payers() -> frozenset[str]:
    from ptrcm.config import load_config

    return frozenset(load_config().payers)


def _context_problems(
    item: SourcedVisit, payers: Collection[str], as_of: date
) -> list[RecordProblem]:
    """What a good record still cannot be: billed to an unknown payer, or in the future."""
    v, out = item.visit, []

    def bad(path: str, message: str) -> None:
        out.append(RecordProblem(item.source, item.line, path, message))

    if v.payer_id not in payers:
        bad("payer_id", f"{excerpt(v.payer_id)} is not a payer in the configuration")
    if v.secondary is not None and v.secondary.payer_id not in payers:
        bad(
            "secondary.payer_id",
            f"{excerpt(v.secondary.payer_id)} is not a payer in the configuration",
        )
    if v.date_of_service > as_of:
        bad("date_of_service", f"is after the as-of day {as_of.isoformat()}")
    return out


def _jsonl_records(path: Path) -> Iterator[IncomingRecord]:
    """Each non-blank line of a JSON Lines visit file as an incoming record."""
    source = str(path)
    for number, line_text in numbered_lines(path):
        record, problem = decode_line(line_text, source, number)
        text = kept_text(line_text)
        if problem is not None:
            yield IncomingRecord(source, number, text, None, (problem,))
        else:
            yield IncomingRecord(source, number, text, record, (), _record_id(record))


def _relabelled(
    problems: Iterable[RecordProblem], relabel: Callable[[str], str] | None
) -> tuple[RecordProblem, ...]:
    if relabel is None:
        return tuple(problems)
    return tuple(
        RecordProblem(p.source, p.line, relabel(p.field) if p.field else None, p.message)
        for p in problems
    )


def split_records(
    records: Iterable[IncomingRecord],
    *,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
    relabel: Callable[[str], str] | None = None,
) -> tuple[list[SourcedVisit], list[QuarantinedRecord]]:
    """Every good visit among ``records`` and every bad record with its problems.

    Each record is read by ``interchange.parse_visit`` whatever format it came in, so a
    visit mapped from HL7, FHIR or CSV is held to the rules a JSONL line is.
    ``payers``: the configured payer ids (default: the built-in configuration's);
    ``as_of``: the last date of service accepted (default: today, UTC). A visit id seen
    earlier in the same input makes the later record bad. ``relabel`` turns a field path
    of the interchange format into the adapter's own name for it ("FT1[2]-10").
    """
    known = frozenset(payers) if payers is not None else _default_payers()
    last_day = as_of or datetime.now(UTC).date()
    good: list[SourcedVisit] = []
    bad: list[QuarantinedRecord] = []
    first_line: dict[str, int | None] = {}
    for rec in records:
        source, number, text = rec.source, rec.line, rec.text
        if rec.problems or rec.record is None:
            problems = rec.problems or (RecordProblem(source, number, None, "holds no visit"),)
            bad.append(QuarantinedRecord("visit", source, number, rec.record_id, text, problems))
            continue
        try:
            visit = parse_visit(rec.record, source, number)
        except InputError as exc:
            rid = rec.record_id or _record_id(rec.record)
            found = _relabelled(exc.problems, relabel)
            bad.append(QuarantinedRecord("visit", source, number, rid, text, found))
            continue
        item = SourcedVisit(visit, source, number)
        problems_found = list(_relabelled(_context_problems(item, known, last_day), relabel))
        if visit.visit_id in first_line:
            message = (
                f"duplicate visit id {excerpt(visit.visit_id)} (first on line"
                f" {first_line[visit.visit_id]})"
            )
            problems_found.append(RecordProblem(source, number, "visit_id", message))
        if problems_found:
            record_id = visit.visit_id
            bad.append(
                QuarantinedRecord("visit", source, number, record_id, text, tuple(problems_found))
            )
            continue
        first_line[visit.visit_id] = number
        good.append(item)
    return good, bad


def split_visits(
    path: str | os.PathLike[str],
    *,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
) -> tuple[list[SourcedVisit], list[QuarantinedRecord]]:
    """Every good visit of the JSONL file and every bad record with its problems
    (``split_records`` over its lines)."""
    p, source = Path(path), str(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    try:
        return split_records(_jsonl_records(p), payers=payers, as_of=as_of)
    except UnicodeDecodeError as exc:
        raise InputError.one(source, None, None, f"not UTF-8 text ({exc.reason})") from None


def _refused(
    item: SourcedVisit, claim: str, relabel: Callable[[str], str] | None = None
) -> QuarantinedRecord:
    message = (
        f"claim {claim} already sent to the payer bills this visit: a changed visit"
        " is not imported over it (send a corrected claim)"
    )
    field = relabel("visit_id") if relabel else "visit_id"
    problem = RecordProblem(item.source, item.line, field, message)
    text = json.dumps(visit_to_record(item.visit), separators=(",", ":"))
    return QuarantinedRecord("visit", item.source, item.line, item.visit.visit_id, text, (problem,))


def _raise_problems(bad: list[QuarantinedRecord]) -> None:
    problems = [p for record in bad for p in record.problems][:MAX_PROBLEMS]
    if problems:
        raise InputError(problems)


def import_visits(
    unit_of_work: Callable[[], ImportUnitOfWork],
    path: str | os.PathLike[str],
    *,
    quarantine: bool = False,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
    split: tuple[list[SourcedVisit], list[QuarantinedRecord]] | None = None,
) -> ImportResult:
    """Import the visit file at ``path`` in one transaction; see the module docstring.

    ``payers`` are the configured payer ids (default: the built-in configuration's) and
    ``as_of`` the last date of service accepted (default: today). ``split``: the file
    already read by ``split_visits`` with the same ``payers`` and ``as_of`` (the demo
    imports one file into two organizations and reads it once).
    """
    good, bad = split if split is not None else split_visits(path, payers=payers, as_of=as_of)
    return store_split(unit_of_work, str(path), good, bad, quarantine=quarantine)


def import_records(
    unit_of_work: Callable[[], ImportUnitOfWork],
    source: str,
    records: Iterable[IncomingRecord],
    *,
    quarantine: bool = False,
    payers: Collection[str] | None = None,
    as_of: date | None = None,
    relabel: Callable[[str], str] | None = None,
) -> ImportResult:
    """Import records an edge adapter mapped (HL7, FHIR, CSV) exactly as a JSONL file is
    imported: all or nothing, or with the bad ones quarantined; one transaction."""
    good, bad = split_records(records, payers=payers, as_of=as_of, relabel=relabel)
    return store_split(unit_of_work, source, good, bad, quarantine=quarantine, relabel=relabel)


def store_split(
    unit_of_work: Callable[[], ImportUnitOfWork],
    source: str,
    good: list[SourcedVisit],
    bad: list[QuarantinedRecord],
    *,
    quarantine: bool,
    relabel: Callable[[str], str] | None = None,
) -> ImportResult:
    """Write the good visits (and, with ``quarantine``, keep the bad records aside) in one
    unit of work; without ``quarantine`` any problem raises ``InputError``, nothing written."""
    if not quarantine:
        _raise_problems(bad)
        if not good:
            raise InputError.one(source, None, None, "holds no visits")
    with unit_of_work() as uow:
        counts = uow.visits.upsert(good, claim_of=claim_id_for)
        refused = [
            _refused(i, counts.refused[i.visit.visit_id], relabel)
            for i in good
            if i.visit.visit_id in counts.refused
        ]
        if not quarantine:
            _raise_problems(refused)  # leaving the unit of work rolls back
        bad = sorted([*bad, *refused], key=lambda r: r.line or 0)
        uow.quarantine.add(bad)
        uow.commit()
    problems = tuple(p for record in bad for p in record.problems)
    return ImportResult(counts.inserted, counts.updated, len(bad), problems, counts.unchanged)
