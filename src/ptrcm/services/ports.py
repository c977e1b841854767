"""Ports: the small interfaces the services use to reach storage.

``ptrcm.store`` implements them on SQLAlchemy without importing this module (the protocols
are structural; the values they carry live in ``ptrcm.domain``); tests may implement them
with fakes. A unit of work is scoped to one organization (tenant) and one actor: everything
read or written through it belongs to that organization, and every change is audited under
that actor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

from ptrcm.domain.intake import QuarantinedRecord, SourcedVisit, UpsertCounts
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.visits import Visit


class VisitStore(Protocol):
    def upsert(
        self, visits: Sequence[SourcedVisit], *, claim_of: Callable[[str], str] | None = None
    ) -> UpsertCounts:
        """Insert new visits and replace changed ones (same visit id) with their services.

        A visit stored exactly as given is left alone. With ``claim_of`` (visit id -> its
        claim's CLM01) a changed visit whose claim was already submitted is refused."""
        ...

    def get(self, visit_id: str) -> Visit | None: ...

    def get_many(self, visit_ids: Sequence[str]) -> dict[str, Visit]:
        """The stored visits of ``visit_ids`` that exist, each read audited as ``get``."""
        ...

    def count(self) -> int: ...


class QuarantineStore(Protocol):
    def add(self, records: Sequence[QuarantinedRecord]) -> None: ...

    def count(self, kind: str | None = None) -> int: ...


class Transaction(Protocol):
    """A unit of work's transaction: nothing is kept unless ``commit`` is called before the
    ``with`` block ends (the unit-of-work ports extend it)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class ImportUnitOfWork(Transaction, Protocol):
    """One transaction: nothing is kept unless ``commit`` is called before leaving."""

    @property
    def visits(self) -> VisitStore: ...

    @property
    def quarantine(self) -> QuarantineStore: ...


Row = dict[str, Any]


class MasterDataReader(Protocol):
    def get(self, kind: str, external_id: str) -> Row | None:
        """The master-data record of ``kind`` (``patients``, ``payers``...) by external id."""
        ...


class LedgerWriter(Protocol):
    def append(self, entries: Sequence[LedgerEntry]) -> list[int]:
        """Append entries (never change one); their ids in the order given."""
        ...


class StatementStore(Protocol):
    """Patient statements: the ledger behind a balance, issued statements, payments."""

    def claim_entries(self, patient_id: int) -> list[Row]: ...

    def lines(self, line_ids: list[int]) -> dict[int, Row]: ...

    def patient_balance(self, patient_id: int) -> Decimal: ...

    def patients_with_balance(self) -> list[int]: ...

    def patients(self, ids: list[int]) -> list[Row]: ...

    def add_statement(self, values: Mapping[str, Any]) -> int: ...

    def add_issue(self, values: Mapping[str, Any]) -> int: ...

    def set_state(self, statement_id: int, state: str) -> None: ...

    def statements(self, patient_id: int) -> list[Row]: ...

    def add_payment(
        self,
        patient_id: int,
        amount: Decimal,
        method: str,
        reference: str | None,
        received_at: datetime,
        claim_id: int | None,
        statement_id: int | None,
    ) -> int: ...


class StatementsUnitOfWork(Protocol):
    """What the statement services use of one transaction (the caller commits)."""

    @property
    def master(self) -> MasterDataReader: ...

    @property
    def ledger(self) -> LedgerWriter: ...

    @property
    def statements(self) -> StatementStore: ...


class MasterDataStore(MasterDataReader, Protocol):
    """Master data (patients, payers, providers, locations...) and the tenant's identity."""

    def upsert(self, kind: str, rows: Sequence[Mapping[str, Any]]) -> UpsertCounts: ...

    def unknown_references(
        self, kind: str, rows: Sequence[Mapping[str, Any]]
    ) -> list[tuple[int, str, str]]:
        """(row index, reference name, external id) of each reference not on file."""
        ...

    def update_organization(self, values: Mapping[str, Any]) -> None: ...

    def providers_by_staff_id(self) -> dict[str, str]: ...

    def location_timezones(self) -> dict[str, str | None]: ...

    def organization_timezone(self) -> str: ...


class AppointmentStore(Protocol):
    def upsert_appointments(self, rows: Sequence[Mapping[str, Any]]) -> UpsertCounts: ...


class MasterDataUnitOfWork(Transaction, Protocol):
    """One transaction of the master-data and appointment imports."""

    @property
    def master(self) -> MasterDataStore: ...

    @property
    def appointments(self) -> AppointmentStore: ...

    @property
    def quarantine(self) -> QuarantineStore: ...


class FrontDeskStore(Protocol):
    """The front end of the cycle: coverages and benefits snapshots, authorizations, kept
    visits, plans of care and their events, appointments and estimates."""

    def patient_id(self, external_id: str) -> int | None: ...

    def patient_external_ids(self, ids: list[int]) -> dict[int, str]: ...

    def patient(self, patient_id: int) -> Row: ...

    def location_external_id(self, location_id: int) -> str | None: ...

    def coverages(self, patient_id: int | None = None) -> list[Row]: ...

    def coverage_by_member(self, member_id: str) -> Row | None: ...

    def add_snapshot(self, values: Mapping[str, Any]) -> int: ...

    def latest_snapshot(self, coverage_id: int, on_or_before: date | None = None) -> Row | None: ...

    def kept_visits(self, patient_id: int) -> list[Row]: ...

    def visit_codes(self, visit_ids: list[int]) -> dict[int, list[tuple[str, int | None]]]: ...

    def authorizations(self, patient_id: int) -> list[Row]: ...

    def plans_of_care(self, patient_id: int) -> list[Row]: ...

    def plan_events(self, plan_id: int) -> list[Row]: ...

    def add_plan_event(self, plan_id: int, kind: str, on_date: date, note: str | None) -> int: ...

    def appointments(
        self, start: datetime, end: datetime, patient_id: int | None = None
    ) -> list[Row]: ...

    def patients_with_activity(self, since: date, until: date | None = None) -> list[int]: ...

    def add_estimate(self, values: Mapping[str, Any]) -> int: ...

    def estimates(self) -> list[Row]: ...

    def estimate_statuses(self, since: date) -> dict[tuple[int, date], str]: ...

    def patient_responsibility_by_claim(self, patient_id: int) -> list[Row]: ...


class FrontDeskUnitOfWork(Protocol):
    """What the front-desk estimates use of one transaction (the caller commits)."""

    @property
    def front_desk(self) -> FrontDeskStore: ...


class ControlNumberSource(Protocol):
    def next(self, counter: str) -> int:
        """The next ISA, GS or ST control number of the organization."""
        ...


class EligibilityUnitOfWork(FrontDeskUnitOfWork, Protocol):
    """What eligibility (benefits snapshots, 270 inquiries) uses of one transaction."""

    @property
    def control_numbers(self) -> ControlNumberSource: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...
