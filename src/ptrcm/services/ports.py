"""Ports: the small interfaces the services use to reach storage.

``ptrcm.store`` implements them on SQLAlchemy; tests may implement them with fakes. A unit
of work is scoped to one organization (tenant) and one actor: everything read or written
through it belongs to that organization, and every change is audited under that actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

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
    inserted: int
    updated: int


class VisitStore(Protocol):
    def upsert(self, visits: Sequence[SourcedVisit]) -> UpsertCounts:
        """Insert new visits and replace existing ones (same visit id) with their services."""
        ...

    def get(self, visit_id: str) -> Visit | None: ...

    def count(self) -> int: ...


class QuarantineStore(Protocol):
    def add(self, records: Sequence[QuarantinedRecord]) -> None: ...

    def count(self, kind: str | None = None) -> int: ...


class ImportUnitOfWork(Protocol):
    """One transaction: nothing is kept unless ``commit`` is called before leaving."""

    @property
    def visits(self) -> VisitStore: ...

    @property
    def quarantine(self) -> QuarantineStore: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
