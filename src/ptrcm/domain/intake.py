"""Values of bringing records in: a visit with its source, a record kept aside, counts.

They are shared by the import services and the store that keeps them, so they live in the
domain: the store implements the service ports (``ptrcm.services.ports``) structurally and
never imports a service module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ptrcm.domain.visits import Visit
from ptrcm.errors import RecordProblem


@dataclass(frozen=True, slots=True)
class SourcedVisit:
    """A visit and where it came from (file and 1-based line), for traceability."""

    visit: Visit
    source: str
    line: int | None


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """A record kept aside because it could not be imported, with every problem found."""

    kind: str
    source: str
    line: int | None
    record_id: str | None
    text: str
    problems: tuple[RecordProblem, ...]


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """How many records an upsert inserted and how many it replaced. For visits also how
    many were stored exactly as given (left alone), and ``refused``: each visit id left as
    it was because a claim already sent to the payer bills it, with that claim's id and
    state (``"C-1 (paid)"``)."""

    inserted: int
    updated: int
    unchanged: int = 0
    refused: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    """One record as an edge adapter read it, before it is checked as a visit.

    ``record`` is a decoded visit interchange record (what a JSONL line holds) or None
    when the adapter could not map it; ``problems`` are what the adapter found (file,
    line and field, never a patient's data). ``text`` is what quarantine keeps of it and
    ``record_id`` the visit id when one could be read."""

    source: str
    line: int | None
    text: str
    record: object | None
    problems: tuple[RecordProblem, ...] = ()
    record_id: str | None = None
