"""The statement services run on the ``StatementsUnitOfWork`` port alone: an in-memory fake,
no database. Claim V-1 (2 March 2026) bills 97110 x2 110.00 and 97140 x1 56.00; its 835
paid 42.48 and 17.36, took CO-45 56.90 and 33.64 and left the patient PR-2 10.62 and 5.00,
so the patient owes 15.62. A 10.00 card payment on that claim leaves 5.62."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.services.front_desk.statements import apply_payment, build_statement, patient_balance

D = Decimal
Row = dict[str, Any]
PATIENT_ID, CLAIM_ID = 7, 3
DOS = date(2026, 3, 2)


class FakeMaster:
    def get(self, kind: str, external_id: str) -> Row | None:
        return {"id": PATIENT_ID} if (kind, external_id) == ("patients", "P-1") else None


class FakeLedger:
    def __init__(self) -> None:
        self.entries: list[LedgerEntry] = []

    def append(self, entries: Sequence[LedgerEntry]) -> list[int]:
        start = len(self.entries)
        self.entries.extend(entries)
        return list(range(start + 1, len(self.entries) + 1))


class FakeStatements:
    """Statements over the fake ledger: the claim's remittance entries plus what is appended."""

    def __init__(self, ledger: FakeLedger) -> None:
        self.ledger = ledger
        self.issued: list[Row] = []
        self.payments: list[tuple[Decimal, int | None]] = []
        self.claim_lines = {
            11: {"id": 11, "code": "97110", "units": 2, "date_of_service": DOS,
                 "charge_amount": D("110.00")},
            12: {"id": 12, "code": "97140", "units": 1, "date_of_service": DOS,
                 "charge_amount": D("56.00")},
        }  # fmt: skip
        remit = [
            (11, "payer_payment", "42.48"), (11, "adjustment_CO", "56.90"),
            (11, "patient_responsibility", "10.62"), (12, "payer_payment", "17.36"),
            (12, "adjustment_CO", "33.64"), (12, "patient_responsibility", "5.00"),
        ]  # fmt: skip
        for line, account, amount in remit:
            ledger.append([LedgerEntry(account, D(amount), DOS, patient_id=PATIENT_ID,
                                       claim_id=CLAIM_ID, claim_line_id=line)])  # fmt: skip

    def claim_entries(self, patient_id: int) -> list[Row]:
        return [
            {"account": e.account, "amount": e.amount, "claim_id": e.claim_id,
             "claim_line_id": e.claim_line_id, "pcn": "V-1" if e.claim_id else None,
             "claim_date": DOS if e.claim_id else None}
            for e in self.ledger.entries
            if e.patient_id == patient_id
        ]  # fmt: skip

    def lines(self, line_ids: list[int]) -> dict[int, Row]:
        return {i: self.claim_lines[i] for i in line_ids}

    def patient_balance(self, patient_id: int) -> Decimal:
        accounts = ("patient_responsibility", "patient_payment", "patient_refund")
        return sum(
            (e.amount for e in self.ledger.entries
             if e.patient_id == patient_id and e.account in accounts),
            D("0.00"),
        )  # fmt: skip

    def patients_with_balance(self) -> list[int]:
        return [PATIENT_ID] if self.patient_balance(PATIENT_ID) else []

    def patients(self, ids: list[int]) -> list[Row]:
        return [{"id": i, "external_id": "P-1"} for i in ids if i == PATIENT_ID]

    def add_statement(self, values: Mapping[str, Any]) -> int:
        self.issued.append({"id": len(self.issued) + 1, **values, "state": "issued"})
        return len(self.issued)

    def add_issue(self, values: Mapping[str, Any]) -> int:
        return 1

    def set_state(self, statement_id: int, state: str) -> None:
        self.issued[statement_id - 1]["state"] = state

    def statements(self, patient_id: int) -> list[Row]:
        return [s for s in self.issued if s["patient_id"] == patient_id]

    def add_payment(
        self, patient_id: int, amount: Decimal, method: str, reference: str | None,
        received_at: datetime, claim_id: int | None, statement_id: int | None,
    ) -> int:  # fmt: skip
        self.payments.append((amount, claim_id))
        return len(self.payments)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.master = FakeMaster()
        self.ledger = FakeLedger()
        self.statements = FakeStatements(self.ledger)


def test_a_statement_groups_the_ledger_by_billed_line() -> None:
    statement = build_statement(FakeUnitOfWork(), "P-1", date(2026, 4, 1))
    got = [(ln.description, ln.charge, ln.insurance_paid, ln.insurance_adjusted,
            ln.patient_share) for ln in statement.lines]  # fmt: skip
    assert got == [
        ("97110 x2", D("110.00"), D("42.48"), D("56.90"), D("10.62")),
        ("97140 x1", D("56.00"), D("17.36"), D("33.64"), D("5.00")),
    ]
    assert statement.amount_due == D("15.62")
    assert statement.due_date == date(2026, 5, 1)


def test_a_patient_payment_is_a_new_negative_ledger_entry() -> None:
    uow = FakeUnitOfWork()
    assert patient_balance(uow, "P-1") == D("15.62")
    applied = apply_payment(uow, "P-1", D("10.00"), date(2026, 4, 10))
    # No statement was issued yet, so nothing is billed: the payment stays on account.
    assert applied == [("on account", D("10.00"))]
    assert uow.statements.payments == [(D("10.00"), None)]
    assert uow.ledger.entries[-1].account == "patient_payment"
    assert uow.ledger.entries[-1].amount == D("-10.00")
    assert patient_balance(uow, "P-1") == D("5.62")
