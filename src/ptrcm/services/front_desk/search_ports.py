"""Ports of finding a patient and reading a patient's account.

``ptrcm.store.patient_records.PatientRecords`` implements ``PatientRecordStore`` without
importing it (structural typing, as for ``ptrcm.services.ports``); the SQL ``UnitOfWork``
offers it as ``patient_records`` beside ``front_desk`` and ``statements``, so it satisfies
``FindUnitOfWork`` as it is. Unit tests use an in-memory fake
(``tests/unit/services/test_patient_search_fake.py``). Rows are plain dicts, one per record,
keyed by the names each method documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ptrcm.domain.patient_search import PatientQuery
from ptrcm.services.ports import FrontDeskStore, StatementStore

Row = dict[str, Any]


class PatientRecordStore(Protocol):
    def find_patients(self, query: PatientQuery) -> tuple[list[Row], int]:
        """One page of the patients meeting every criterion of ``query``, by last name,
        first name and MRN, and how many meet them. Rows: ``id``, ``external_id``,
        ``first_name``, ``last_name``, ``birth_date``, ``city``."""
        ...

    def search_summaries(self, patient_ids: Sequence[int]) -> dict[int, Row]:
        """Per patient: ``payer`` and ``member_id`` (primary coverage, else the latest
        visit's), ``last_visit`` and ``balance`` (the ledger's patient balance)."""
        ...

    def patient_by_mrn(self, mrn: str) -> Row | None:
        """The patient row (names, birth date, sex, address) of this MRN."""
        ...

    def account_claims(self, patient_id: int) -> list[Row]:
        """The patient's claims with their facts: ``pcn``, ``payer``, ``state``,
        ``first_dos``, ``last_dos``, ``charge``, ``payer_paid``, ``patient_paid``,
        ``contractual``, ``patient_responsibility``, ``denied_total``, ``balance``."""
        ...

    def account_visits(self, patient_id: int) -> list[Row]:
        """``id``, ``external_id``, ``date_of_service``, ``discipline``, ``payer``,
        ``location``, ``therapist``, ``claim`` (PCN or None), oldest first."""
        ...

    def payer_payments(self, patient_id: int) -> list[Row]:
        """835 claim payments of the patient's claims: ``pcn``, ``payer``,
        ``payment_date``, ``status_code``, ``charge_amount``, ``paid_amount``,
        ``trace_number``."""
        ...

    def account_adjustments(self, patient_id: int) -> list[Row]:
        """``pcn``, ``payment_date``, ``group_code``, ``carc``, ``amount``, ``code``."""
        ...

    def patient_payments(self, patient_id: int) -> list[Row]:
        """``received_at``, ``amount``, ``method``, ``pcn`` (None: on account)."""
        ...

    def patient_estimates(self, patient_id: int) -> list[Row]: ...

    def record_read(self, patient_ids: Sequence[int], what: str) -> None:
        """Write one audit event per patient: who read which patient's ``what``."""
        ...


class FindUnitOfWork(Protocol):
    """What finding patients and reading accounts use of one transaction. The caller
    commits, which keeps the audit events of the reads."""

    @property
    def patient_records(self) -> PatientRecordStore: ...

    @property
    def front_desk(self) -> FrontDeskStore: ...

    @property
    def statements(self) -> StatementStore: ...
