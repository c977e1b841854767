"""Value types several X12 readers share: references, names, date periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptrcm.x12.values import parse_period


@dataclass(frozen=True, slots=True)
class Reference:
    """A REF segment: qualifier (REF01) and value (REF02)."""

    qualifier: str
    value: str


@dataclass(frozen=True, slots=True)
class PersonName:
    """An NM1 segment: QC patient, IL insured, 74 corrected patient, 82 rendering..."""

    entity: str
    last: str
    first: str = ""
    middle: str = ""
    suffix: str = ""
    id_qualifier: str = ""
    id: str = ""
    entity_type: str = "1"


@dataclass(frozen=True, slots=True)
class DatePeriod:
    """A DTP segment: qualifier, format (D8 or RD8) and the dates (end = start for D8)."""

    qualifier: str
    start: date
    end: date


def get(seg: list[str], index: int) -> str:
    """Element ``index`` of a segment, "" when the segment is shorter."""
    return seg[index] if index < len(seg) else ""


def name_of(seg: list[str]) -> PersonName:
    """A ``PersonName`` from an NM1 segment."""
    return PersonName(
        get(seg, 1),
        get(seg, 3),
        get(seg, 4),
        get(seg, 5),
        get(seg, 7),
        get(seg, 8),
        get(seg, 9),
        get(seg, 2),
    )


def period_of(seg: list[str]) -> DatePeriod:
    """A ``DatePeriod`` from a DTP segment (D8 date or RD8 range)."""
    if get(seg, 2) not in ("D8", "RD8"):
        raise ValueError(f"DTP02 {get(seg, 2)!r} is not D8 or RD8")
    start, end = parse_period(get(seg, 3))
    return DatePeriod(seg[1], start, end)
