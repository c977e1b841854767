"""The money-in port: what posting an 835, acknowledgments (999/277CA), underpayments,
appeals and secondary claims use of one transaction.

``MoneyInUnitOfWork`` names the repositories; each is a small ``Protocol`` listing only the
methods those services call. ``ptrcm.store.money_in_uow`` implements them on SQL without
importing this module (structurally, like ``ptrcm.services.ports``); the composition root
(``ptrcm.bootstrap.Root.unit_of_work``) hands that implementation to the commands,
and ``tests/fakes/money_in.py`` implements it in memory for the unit tests.

What crosses the port: stored claims (``ClaimRecord``), ledger entries (``LedgerEntry``),
work items (``WorkItem``) and claim transitions (``Transition``) are domain values; the
rows of remittance files, payments, adjustments, acknowledgments, schedules and appeals are
plain ``Row`` dicts whose keys are the column names each method's docstring lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.lifecycle import Transition
from ptrcm.domain.stored_claims import ClaimRecord, LineRecord
from ptrcm.domain.visits import Visit
from ptrcm.domain.work_queue import WorkItem
from ptrcm.services.ports import ControlNumberSource, Row

# (claim id, claim version id, transition): one step of a claim's life to record.
ClaimStep = tuple[int, int | None, Transition]


class StoredClaims(Protocol):
    """Claims as stored (current version and lines), and their state changes."""

    def by_pcn(self, pcns: Iterable[str], *, with_lines: bool = True) -> dict[str, ClaimRecord]:
        """This organization's claims with these patient control numbers, by CLM01; without
        ``with_lines`` their ``lines`` are left empty (for callers that only move states)."""
        ...

    def by_ids(self, claim_ids: Iterable[int]) -> dict[str, ClaimRecord]:
        """The claims with these row ids, by CLM01."""
        ...

    def by_batch(self, batch_id: int, *, with_lines: bool = True) -> list[ClaimRecord]:
        """The claims whose current version went out in this 837 batch (``lines`` left
        empty without ``with_lines``)."""
        ...

    def lines_on_days(
        self, patient_ids: Iterable[int], days: Iterable[date]
    ) -> list[tuple[int, int, int, LineRecord]]:
        """(claim id, patient id, payer id, line) of the current lines on ``days`` of the
        patients' claims, except claims rejected, voided or replaced by a correction (MPPR
        across a patient's same-day claims)."""
        ...

    def record_transitions(self, steps: Sequence[ClaimStep]) -> None:
        """Append the transitions (never edit one) and move each claim to its last state."""
        ...


class RemittanceStore(Protocol):
    """835 files and transactions, claim and line payments with their adjustments and
    remarks, and the ledger entries posting writes and a reversal points back at."""

    def file_id(self, sha256: str) -> int | None:
        """The remittance file already posted with this content, if any."""
        ...

    def add_file(self, file_name: str, sha256: str, received_at: datetime) -> int: ...

    def posted_payments(self, traces: Sequence[str]) -> list[Row]:
        """Transactions posted with one of these TRN02 trace numbers: ``id``,
        ``payer_key``, ``trace_number``, ``payment_amount``, ``payment_date``,
        ``st_control``, ``file_name``."""
        ...

    def posted_claim_payments(self, pcns: Sequence[str]) -> list[Row]:
        """Claim payments posted for these patient control numbers, oldest first: ``id``,
        ``pcn``, ``payer_claim_number``, ``status_code``, ``paid_amount``,
        ``segment_ref``, ``file_name``, ``file_id`` (the remittance file's id)."""
        ...

    def payer_ids(self) -> dict[str, int]:
        """Row id of every payer by external id."""
        ...

    def add_transaction(
        self,
        file_id: int,
        *,
        st_control: str,
        trace_number: str | None,
        payment_method: str | None,
        payment_amount: Decimal,
        payment_date: date | None,
        payer_key: str,
    ) -> int: ...

    def add_claim_payments(self, rows: Sequence[Row]) -> list[int]:
        """Claim payments (``transaction_id``, ``claim_id``, ``pcn``,
        ``payer_claim_number``, ``status_code``, ``charge_amount``, ``paid_amount``,
        ``patient_responsibility``, ``segment_ref``); ids in the order of ``rows``."""
        ...

    def add_line_payments(self, rows: Sequence[Row]) -> list[int]:
        """Line payments (``claim_payment_id``, ``claim_line_id``, ``code``, ``modifiers``,
        ``charge_amount``, ``paid_amount``, ``units_paid``, ``date_of_service``,
        ``segment_ref``); ids in the order of ``rows``."""
        ...

    def add_adjustments(self, rows: Sequence[Row]) -> None:
        """CAS triplets: ``claim_payment_id``, ``line_payment_id`` (None at claim level),
        ``group_code``, ``carc``, ``amount``, ``quantity``."""
        ...

    def add_remarks(self, rows: Sequence[Row]) -> None:
        """Remark codes: ``claim_payment_id``, ``line_payment_id``, ``rarc``."""
        ...

    def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> None:
        """Append ledger entries (never change one)."""
        ...

    def open_payment_entries(self, claim_id: int) -> list[Row]:
        """The claim's remittance ledger entries that neither reverse an entry nor are
        reversed by one, oldest first (``id``, ``account``, ``amount``,
        ``claim_line_id``...)."""
        ...

    def payment_date(self, transaction_id: int) -> date | None: ...

    def claim_payments(self, claim_id: int | None = None) -> list[Row]:
        """Claim payments (of one claim), oldest first, as ``add_claim_payments`` took
        them plus ``id``."""
        ...

    def line_payments(self, claim_payment_id: int) -> list[Row]: ...

    def adjustments(self, claim_payment_id: int) -> list[Row]: ...

    def remarks(self, claim_payment_id: int) -> list[Row]: ...


class WorkItems(Protocol):
    """The work queues (exception, denial, rejection, underpayment)."""

    def add(self, item: WorkItem) -> int: ...

    def add_many(self, items: Sequence[WorkItem]) -> list[int]:
        """Open several items; ids in the order of ``items``."""
        ...

    def items(
        self, kind: str | None = None, *, state: str | None = None, claim_id: int | None = None
    ) -> list[Row]:
        """Items oldest first (of one claim when ``claim_id`` is given): ``id``, ``kind``,
        ``state``, ``claim_id``, ``amount``, ``due_date``, ``reason``, ``carc``."""
        ...

    def close(self, item_id: int, state: str = "done") -> None: ...


class Acknowledgments(Protocol):
    """999 and 277CA files and the acknowledgment rows they leave."""

    def file_id(self, sha256: str) -> int | None: ...

    def add_file(self, kind: str, file_name: str, sha256: str) -> int: ...

    def batch_for(self, gs_control: int, st_control: int | None) -> int | None:
        """The 837 batch a 999 answers: same GS06, and the ST02 inside its range."""
        ...

    def record(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Acknowledgments: ``batch_id``, ``claim_id``, ``kind``, ``file_name``,
        ``control_number``, ``status``, ``detail``."""
        ...

    def items(self) -> list[Row]:
        """Every acknowledgment row, oldest first (``detail`` keeps a 277CA's payer claim
        number)."""
        ...


class Contracts(Protocol):
    """Payers' contract fee schedules, versioned."""

    def add_schedule(
        self,
        payer_id: int,
        name: str,
        source_file: str,
        sha256: str,
        rates: Mapping[str, Decimal],
        parameters: Mapping[str, Any],
        effective_from: date | None = None,
    ) -> tuple[int, int]:
        """A new version of the payer's schedule; (schedule id, version)."""
        ...

    def current(self, payer_id: int, on: date | None = None) -> Row | None:
        """The newest version in force on ``on``: ``id``, ``name``, ``version``,
        ``parameters``, ``rates`` (code -> allowed)."""
        ...


class Underpayments(Protocol):
    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Underpaid lines: ``work_item_id``, ``claim_id``, ``line_payment_id``,
        ``schedule_id``, ``code``, ``expected_allowed``, ``actual_allowed``, ``variance``,
        ``schedule_name``, ``schedule_version``, ``steps``."""
        ...


class Appeals(Protocol):
    """Appeals of denied claims and the payments that answered them."""

    def add(
        self, claim_id: int, work_item_id: int | None, deadline: date, letter: str | None = None
    ) -> int:
        """A pending level-1 appeal."""
        ...

    def for_claim(self, claim_id: int) -> list[Row]:
        """The claim's appeals, oldest first: ``id``, ``outcome``, ``recovered_amount``,
        ``decided_on``, ``deadline``, ``letter``, ``work_item_id``."""
        ...

    def decide(self, appeal_id: int, outcome: str, amount: Decimal | None, on: date) -> None: ...

    def unanswered(self, claim_ids: Sequence[int]) -> list[Row]:
        """Pending and won appeals of these claims that no payment answered yet, oldest
        first: ``id``, ``claim_id``, ``outcome``, ``recovered_amount``, ``decided_on``."""
        ...

    def link(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Record (appeal id, claim payment id): the payment that answered the appeal."""
        ...


class SecondaryCoverages(Protocol):
    def secondary(self, patient_id: int, on: date) -> tuple[str, str | None] | None:
        """(payer external id, member id) of the patient's secondary coverage on ``on``."""
        ...

    def secondaries(
        self, wanted: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], tuple[str, str | None]]:
        """``secondary`` for many (patient id, date) pairs at once; a pair without a
        secondary coverage is left out."""
        ...


class StoredVisits(Protocol):
    def get(self, visit_id: str) -> Visit | None: ...

    def get_many(self, visit_ids: Sequence[str]) -> dict[str, Visit]:
        """The stored visits of ``visit_ids`` that exist, each read audited as ``get``."""
        ...


class MoneyInUnitOfWork(Protocol):
    """One transaction for one organization and actor: nothing is kept unless ``commit``
    is called before leaving the ``with`` block."""

    @property
    def actor(self) -> str: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def claims(self) -> StoredClaims: ...

    @property
    def remits(self) -> RemittanceStore: ...

    @property
    def work(self) -> WorkItems: ...

    @property
    def acks(self) -> Acknowledgments: ...

    @property
    def contracts(self) -> Contracts: ...

    @property
    def underpayments(self) -> Underpayments: ...

    @property
    def appeals(self) -> Appeals: ...

    @property
    def coverage(self) -> SecondaryCoverages: ...

    @property
    def visits(self) -> StoredVisits: ...

    @property
    def control_numbers(self) -> ControlNumberSource: ...

    def serialize_posting(self) -> None:
        """Wait for any other posting of this organization and hold it off until this
        transaction ends (two copies of a file posted at once are posted once)."""
        ...

    def refresh_read_model(self) -> None:
        """Bring the read model (claim facts) of the claims written so far up to date now,
        inside this transaction; ``commit`` does the rest. A long write calls it now and
        then so what it must remember for the commit stays small."""
        ...

    def commit(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


MoneyInWork = Callable[[], MoneyInUnitOfWork]
"""A factory of money-in units of work: each call, a new transaction."""
