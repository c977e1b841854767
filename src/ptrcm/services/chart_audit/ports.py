"""The chart audit's port: what it reads and writes in the store, one organization per unit
of work (implemented by ``ptrcm.store.chart_audit_repo``; tests may fake it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from ptrcm.domain.chart_audit.engine import RecordScore
from ptrcm.domain.chart_audit.stored import (
    AuditSpec,
    Candidate,
    ChartAudit,
    RecordsRequest,
    Recoupment,
    StoredResult,
)
from ptrcm.domain.visits import Visit
from ptrcm.services.ports import Transaction


class ChartAuditStore(Protocol):
    def candidates(self, start: date, end: date) -> list[Candidate]:
        """Stored visits with dates of service in [start, end], with charge and denial
        CARCs; the read of each patient's visits is written to the audit log."""
        ...

    def visits(self, visit_ids: Sequence[str]) -> list[Visit]:
        """The stored visits with these ids (a re-audit reads them as corrected)."""
        ...

    def create(self, spec: AuditSpec) -> int: ...

    def add_results(self, audit_id: int, round_number: int, scores: Sequence[RecordScore],
                    version: str) -> None: ...  # fmt: skip

    def get(self, audit_id: int) -> ChartAudit | None: ...

    def all(self) -> list[ChartAudit]: ...

    def results(self, audit_id: int | None = None) -> list[StoredResult]:
        """Every stored score of the audit (all audits when None), in round order."""
        ...


class RecordsRequestStore(Protocol):
    def add_request(self, r: RecordsRequest) -> int: ...

    def close_request(self, request_id: int, outcome: str, on: date, status: str) -> bool: ...

    def requests(self) -> list[RecordsRequest]: ...

    def add_recoupment(self, r: Recoupment) -> int: ...

    def recoupments(self) -> list[Recoupment]: ...


class ChartAuditUnitOfWork(Transaction, Protocol):
    @property
    def chart_audits(self) -> ChartAuditStore: ...

    @property
    def records_requests(self) -> RecordsRequestStore: ...


# A new unit of work for one organization under one actor (the web app's, per principal).
ChartAuditWork = Callable[[], ChartAuditUnitOfWork]
