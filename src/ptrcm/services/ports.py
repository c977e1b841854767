"""Ports: the small interfaces the services use to reach storage.

``ptrcm.store`` implements them on SQLAlchemy without importing this module (the protocols
are structural; the values they carry live in ``ptrcm.domain.intake``); tests may implement
them with fakes. A unit
of work is scoped to one organization (tenant) and one actor: everything read or written
through it belongs to that organization, and every change is audited under that actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from ptrcm.domain.intake import QuarantinedRecord, SourcedVisit, UpsertCounts
from ptrcm.domain.visits import Visit


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
